from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class Upload(db.Model):
    """An image a member uploaded for a post, kept re-encoded under its unguessable `key`."""

    __tablename__ = "uploads"
    __table_args__ = (sa.Index("ix_uploads_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    extension: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    # A moderator took the image out of its posts: no longer served, its file deleted.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def path(self) -> str:
        return f"/uploads/{self.key}.{self.extension}"


class UploadUse(db.Model):
    """A post whose Markdown shows an upload; kept in step with the post's body on every save."""

    __tablename__ = "upload_uses"
    __table_args__ = (
        sa.CheckConstraint("(question_id IS NULL) <> (answer_id IS NULL)", name="one_post"),
        sa.UniqueConstraint("upload_id", "question_id", name="uq_upload_uses_question"),
        sa.UniqueConstraint("upload_id", "answer_id", name="uq_upload_uses_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="CASCADE"), nullable=False, index=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
