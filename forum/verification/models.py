from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class NoteKind(TitledEnum):
    """A note the forum writes itself: stored as its kind, read in the reader's language."""

    RESOLUTION = "resolution", _l("Resolution from official support")


class Verification(db.Model):
    """Staff checked one revision of an answer. At most one is active per answer (a partial unique
    index); re-verifying ends the old one and starts a new one, removing ends it with a reason."""

    __tablename__ = "verifications"
    __table_args__ = (
        sa.Index("uq_verifications_active_answer", "answer_id", unique=True,
                 sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    verified_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    # The answer's revision number that staff checked; a later revision makes the verification stale.
    revision_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    note: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    # Set instead of `note` when the forum wrote it (publishing a ticket's resolution).
    note_kind: Mapped[NoteKind | None] = mapped_column(enum_column(NoteKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    end_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")

    verified_by: Mapped[User] = relationship(foreign_keys=[verified_by_id], lazy="joined", innerjoin=True)

    @property
    def shown_note(self) -> str:
        """The note in the reader's language: the kind's title, or what staff wrote."""
        return self.note_kind.title if self.note_kind else self.note


class AuditAction(TitledEnum):
    VERIFY = "verify", _l("Verified")
    REVERIFY = "reverify", _l("Verified again")
    REMOVE = "remove", _l("Verification removed")


class VerificationAudit(db.Model):
    """Every verify, re-verify and removal, for staff to read."""

    __tablename__ = "verification_audit"
    __table_args__ = (sa.Index("ix_verification_audit_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    revision_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    text: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    note_kind: Mapped[NoteKind | None] = mapped_column(enum_column(NoteKind))  # as Verification.note_kind
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def shown_text(self) -> str:
        return self.note_kind.title if self.note_kind else self.text

    @property
    def action_enum(self) -> AuditAction:
        return AuditAction(self.action)
