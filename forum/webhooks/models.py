"""Webhooks registered by administrators, and every delivery made to them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
DELIVERY_STATUSES = (PENDING, SUCCEEDED, FAILED)


class Webhook(db.Model):
    """An address of one of the platform's own systems that hears of the events it subscribed to.

    `secret` signs every delivery (HMAC-SHA256): it is kept as it is, for the forum must compute the
    signature, and is shown to the administrator once, when it is made. `private`: deliveries carry
    the tickets' private fields too (order number, contact, description). A webhook whose deliveries
    have failed for FORUM_WEBHOOK_DISABLE_DAYS is switched off (`active` false, `disabled_at` set)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    # Event names, comma-separated (forum.webhooks.events.EVENTS).
    events: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    secret: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    private: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    # Since when every attempt has failed (cleared by a success): the clock of the 3-day rule.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]


class WebhookDelivery(db.Model):
    """One event for one webhook: the exact body sent (every attempt sends the same bytes, under a
    fresh signature), and how its attempts went. Claimed for sending by moving `next_attempt_at`
    past a lease (forum.webhooks.services.deliver_due)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The body's "id": the same on every attempt, so that a receiver can ignore a repeat.
    uid: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False)
    event: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    payload: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PENDING)
    response_code: Mapped[int | None] = mapped_column(sa.Integer)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
