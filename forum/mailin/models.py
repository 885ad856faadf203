from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class InboundEmail(db.Model):
    """One incoming e-mail taken for one of our addresses: the same Message-ID for the same address
    is taken once (a server that delivers twice, a person who sends twice), whatever the concurrency.
    Refused mail leaves no row (its refusal is in the log)."""

    __tablename__ = "inbound_emails"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "recipient", name="uq_inbound_emails_message_recipient"),
        sa.Index("ix_inbound_emails_sender", "sender", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    recipient: Mapped[str] = mapped_column(sa.String(254), nullable=False)  # lower case
    sender: Mapped[str] = mapped_column(sa.String(254), nullable=False)  # the From address, lower case
    # "reply", "note", "ticket" (a new one from the support address), "register" (told how to
    # register), "ignored" (an automatic reply, a mail to the support address answered already today).
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"))
    ticket_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
