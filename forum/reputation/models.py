from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class ReputationEvent(db.Model):
    """One change to one member's reputation. Append-only: a change is undone by a reversal row
    pointing at it (at most one, by a unique constraint), never by editing or deleting."""

    __tablename__ = "reputation_events"
    __table_args__ = (
        sa.Index("ix_reputation_events_user_created", "user_id", "created_at"),
        sa.Index("ix_reputation_events_actor_post", "actor_id", "question_id", "answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    delta: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # What the rule was worth before the daily cap; delta is what was applied.
    nominal: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    reversal_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reputation_events.id", ondelete="CASCADE"), unique=True
    )
    note: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Badge(db.Model):
    """A badge a member earned; each kind at most once per member."""

    __tablename__ = "badges"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_badges_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
