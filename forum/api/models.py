"""What the API itself keeps: the responses given to requests that carried an Idempotency-Key."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class IdempotencyKey(db.Model):
    """One member's Idempotency-Key and the first response it was given (forum.api.idempotency).

    The row is written in the transaction that carries out the request, so it exists exactly when
    the request's work was committed; the response is filled in right after (status NULL meanwhile).
    Keys belong to a member: another member's identical key is a different row."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    method: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    path: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    # sha256 (hex) of the method, the path with its query and the body's bytes
    fingerprint: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # JSON object of the headers replayed with the body (Content-Type, Location)
    response_headers: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
