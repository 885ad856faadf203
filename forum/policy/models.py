"""The watched words: staff-configured words and what happens to text that contains them.

The table is policy's because the screening (left of every feature) reads it on every post;
moderators edit it through moderation's staff pages, which call policy's services."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db
from forum.policy.guards import WatchedAction


class WatchedWordEntry(db.Model):
    """A staff-configured word or regular expression and what happens to posts that contain it."""

    __tablename__ = "watched_words"
    __table_args__ = (sa.UniqueConstraint("pattern", "is_regex", name="uq_watched_words_pattern"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    is_regex: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # Stored as its value in a VARCHAR(16), like every enum column (auth.models.enum_column, which
    # policy cannot import: it sits left of auth).
    action: Mapped[WatchedAction] = mapped_column(
        sa.Enum(WatchedAction, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e],
                validate_strings=True), nullable=False)
    # A foreign key by name: the users table belongs to auth, to the right.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
