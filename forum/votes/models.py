from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class Vote(db.Model):
    """One member's vote on one post; the database enforces one per (voter, post)."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.CheckConstraint("(question_id IS NULL) <> (answer_id IS NULL)", name="one_target"),
        sa.CheckConstraint("value IN (-1, 1)", name="value"),
        sa.UniqueConstraint("user_id", "question_id", name="uq_votes_user_question"),
        sa.UniqueConstraint("user_id", "answer_id", name="uq_votes_user_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
