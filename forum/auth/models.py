from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
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


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(32), nullable=False)
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

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

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
