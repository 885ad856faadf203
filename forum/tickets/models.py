from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import TimestampMixin, UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class Status(TitledEnum):
    NEW = "new", _l("New")
    OPEN = "open", _l("In progress")
    PENDING = "pending", _l("Waiting for you")  # waiting for the requester: the SLA clock pauses
    SOLVED = "solved", _l("Solved")
    CLOSED = "closed", _l("Closed")

    @property
    def staff_title(self) -> str:
        return str(_l("Pending (waiting for the requester)")) if self is Status.PENDING else self.title

    @property
    def is_active(self) -> bool:
        return self in (Status.NEW, Status.OPEN, Status.PENDING)


class Priority(TitledEnum):
    LOW = "low", _l("Low")
    NORMAL = "normal", _l("Normal")
    HIGH = "high", _l("High")
    URGENT = "urgent", _l("Urgent")


class Channel(TitledEnum):
    SITE = "site", _l("Site message")
    EMAIL = "email", _l("E-mail")
    PHONE = "phone", _l("Phone")


# What a TicketEvent's `kind` may be; forum.tickets.history tells each as a sentence.
EVENT_KINDS = ("created", "message", "note", "status", "priority", "tier", "assignee", "merged", "merged_in",
               "published", "rated", "breached")

TIER_TITLES = {1: _l("Tier 1: first-line support"), 2: _l("Tier 2: technical specialists"), 3: _l("Tier 3: management")}
# The short names, for the desk's cells and the history's sentences ("转到二线").
TIER_NAMES = {1: _l("Tier 1"), 2: _l("Tier 2"), 3: _l("Tier 3")}


class Ticket(TimestampMixin, db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.CheckConstraint("tier IN (1, 2, 3)", name="tier"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        sa.Index("ix_tickets_queue", "status", "first_response_due"),
        # One open ticket per question per member, whatever the concurrency.
        sa.Index("uq_tickets_open_per_question", "question_id", "requester_id", unique=True,
                 sqlite_where=sa.text("status IN ('new', 'open', 'pending')"),
                 postgresql_where=sa.text("status IN ('new', 'open', 'pending')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"), index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    category: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # Private fields: never on the public thread.
    order_number: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="", server_default="")
    contact_channel: Mapped[Channel] = mapped_column(enum_column(Channel), nullable=False, default=Channel.SITE)
    contact: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    status: Mapped[Status] = mapped_column(enum_column(Status), nullable=False, default=Status.NEW)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), nullable=False, default=Priority.NORMAL)
    tier: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=1)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    first_response_due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    resolution_due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Business seconds spent waiting for the requester: the due times move by this much.
    paused_seconds: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"))
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rating_comment: Mapped[str] = mapped_column(sa.String(1000), nullable=False, default="", server_default="")
    published_answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="SET NULL"))
    # When the private fields (description, order number, contact, the requester's messages) of an
    # erased member's ticket were erased, FORUM_TICKET_RETENTION_DAYS after the account (forum.privacy).
    private_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined", innerjoin=True)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")

    @property
    def number(self) -> str:
        return f"TP-{self.created_at.year}-{self.id:06d}"


class TicketMessage(db.Model):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # Internal notes are for staff only: never shown to the requester anywhere.
    internal: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class TicketAttachment(db.Model):
    """A file the requester or staff attached to a ticket: private to them, never indexed, never
    public. Images are re-encoded like uploads in posts; PDFs and text are checked. The bytes live
    under FORUM_UPLOAD_DIR/attachments, named by `key`; `message_id` is set once a message carries it."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_messages.id", ondelete="SET NULL"), index=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TicketEvent(db.Model):
    """Every change to a ticket, for its history and the SLA audit."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    old: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="", server_default="")
    new: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="", server_default="")
    reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    # Staff-only events (internal notes, assignment) are not shown to the requester.
    internal: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class CannedReply(db.Model):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)


class StaffTier(db.Model):
    """The support tier a staff member works in (staff without a row work in tier 1)."""

    __tablename__ = "staff_tiers"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=1)
