from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class Notification(db.Model):
    """One thing one member should hear of. The text is rendered when read, in the reader's language."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    detail: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")


class Follow(db.Model):
    """A member follows a question, a tag or a category (exactly one)."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN question_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN tag_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN category IS NULL THEN 0 ELSE 1 END) = 1", name="one_target"),
        sa.UniqueConstraint("user_id", "question_id", name="uq_follows_user_question"),
        sa.UniqueConstraint("user_id", "tag_id", name="uq_follows_user_tag"),
        sa.UniqueConstraint("user_id", "category", name="uq_follows_user_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    tag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    category: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class NotificationSettings(db.Model):
    """A member's e-mail choices: instant, a daily digest, or none; and kinds they turned off."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_mode: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="instant")
    muted_kinds: Mapped[str] = mapped_column(sa.String(400), nullable=False, default="", server_default="")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutgoingEmail(db.Model):
    """An e-mail waiting to be sent (written in the event's transaction), sent by a job, retried
    with backoff. The in-app notification never depends on it."""

    __tablename__ = "outgoing_emails"
    __table_args__ = (sa.Index("ix_outgoing_emails_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: an answer to someone who is not a member (mail to the support address from an unknown sender).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unsubscribe_url: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    # E-mails about a ticket: where the recipient's reply goes (forum.tickets.reply_address).
    reply_to: Mapped[str] = mapped_column(sa.String(254), nullable=False, default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
