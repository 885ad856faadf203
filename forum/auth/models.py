from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.db import TimestampMixin, UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class Role(TitledEnum):
    MEMBER = "member", _l("Member")
    MODERATOR = "moderator", _l("Moderator")
    STAFF = "staff", _l("Staff")
    ADMIN = "admin", _l("Administrator")

    @property
    def is_moderator(self) -> bool:
        """Moderators, staff and admins hold every community privilege."""
        return self is not Role.MEMBER

    @property
    def is_staff(self) -> bool:
        return self in (Role.STAFF, Role.ADMIN)


def enum_column(enum_cls, length: int = 16):
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


# What an erased account's name column holds: a marker no registration can take ('#' is not allowed
# in usernames), in no language; the reader sees erased_name().
ERASED_NAME = "#erased-{id}"


def erased_name(user_id: int) -> str:
    """An erased member's name as the reader reads it."""
    from flask_babel import gettext

    return gettext("deleted member #%(n)d", n=user_id)


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stored name; read it as `username`, which names an erased account in the reader's language.
    stored_username: Mapped[str] = mapped_column("username", sa.String(32), nullable=False)
    # casefolded, NFKC-normalised username: unique without regard to case.
    username_key: Mapped[str] = mapped_column(sa.String(96), nullable=False, unique=True)
    # What the name looks like (forum.core.text.lookalike_key: UTS #39 skeleton without case or
    # separators): a new name may not look like an existing one. Not unique: older names may clash.
    username_skeleton: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="", server_default="",
                                                   index=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    email_key: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False, default=Role.MEMBER)
    # reputation = max(1, reputation_total); reputation_total = 1 + the sum of the member's ledger
    # (forum.reputation). Both change together, by SQL expressions, in the ledger's transaction.
    reputation: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    reputation_total: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    about: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    # Bumped to end every session of the account (logout everywhere, password change).
    session_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    question_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    answer_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lockout after repeated wrong passwords (forum.auth.services.authenticate).
    failed_logins: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Attempts past such a lock from a known device or with the second factor since the last
    # complete sign-in (forum.auth.services, "lockout exemption"): strangers do not lock the member
    # out, and this budget keeps a stolen device cookie from guessing without end.
    trusted_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    # A suspended member can sign in and read, but not post, vote, flag or escalate, until then.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    # A posting restriction, placed by a moderator (forum.moderation.services.restrict_posting): until
    # then the member may ask one question per FORUM_QUESTION_INTERVAL_MINUTES (forum.questions
    # reads it here, so it needs not import moderation). The reason is shown to the member.
    posting_restricted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posting_restriction_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="",
                                                            server_default="")
    # Two-step verification (TOTP): the secret once enabled, one pending while enrolling, the last
    # time step used (a code is never accepted twice), and hashed single-use recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    recovery_codes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    # Erasure at the member's request (forum.privacy): asked when, erased after the grace period
    # (signing in before then cancels it), and when it was done. An erased account keeps its id and
    # its public posts; its name is the neutral marker ERASED_NAME, shown as "deleted member #id".
    erasure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erasure_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @hybrid_property
    def username(self) -> str:
        """The member's name; an erased account's in the reader's language ("已注销用户 #12")."""
        if self.erased_at is not None:
            return erased_name(self.id)
        return self.stored_username

    @username.inplace.setter
    def _username_setter(self, value: str) -> None:
        self.stored_username = value

    @username.inplace.expression
    @classmethod
    def _username_expression(cls):
        return cls.stored_username

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    # Set by a sign-in that cancelled a pending erasure (forum.auth.services._signed_in), for the
    # sign-in page and the API to tell the member; not stored.
    erasure_cancelled = False

    # Flask-Login
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def is_posting_restricted(self) -> bool:
        return self.posting_restricted_until is not None and self.posting_restricted_until > utcnow()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")


class PasswordReset(db.Model):
    """A single-use password reset link; only the SHA-256 of its token is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReservedUsername(db.Model):
    """The name of an erased account, which no one else may register until `reserved_until`
    (FORUM_USERNAME_HOLD_DAYS): compared like registration compares names, by case-free key and by
    look-alike skeleton. Holds no link to the account: the erased member is nobody now."""

    __tablename__ = "reserved_usernames"

    id: Mapped[int] = mapped_column(primary_key=True)
    username_key: Mapped[str] = mapped_column(sa.String(96), nullable=False, index=True)
    username_skeleton: Mapped[str] = mapped_column(sa.String(255), nullable=False, index=True)
    reserved_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
