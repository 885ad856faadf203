"""Flags, the review queue and the moderator action log (the watched words are policy's)."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class FlagKind(TitledEnum):
    SPAM = "spam", _l("Spam")
    RUDE = "rude", _l("Rude or abusive")
    OFF_TOPIC = "off_topic", _l("Off-topic")
    NEEDS_MODERATOR = "needs_moderator", _l("Needs a moderator")
    SCAM = "scam", _l("Scam or fake support")

    @property
    def description(self) -> str:
        return str(_FLAG_DESCRIPTIONS[self])


_FLAG_DESCRIPTIONS = {
    FlagKind.SPAM: _l("Advertising or links that have nothing to do with the question."),
    FlagKind.RUDE: _l("Insults, harassment or hate that no reasonable person would accept."),
    FlagKind.OFF_TOPIC: _l("Not about using the platform's services."),
    FlagKind.NEEDS_MODERATOR: _l("Something else a moderator should look at; say what in the note."),
    FlagKind.SCAM: _l("Asks people to add a contact, share codes or passwords, or pretends to be official "
                      "support."),
}


class FlagStatus(TitledEnum):
    PENDING = "pending", _l("Waiting for a moderator")
    HELPFUL = "helpful", _l("Helpful")  # a moderator acted on it
    DECLINED = "declined", _l("Declined")  # a moderator found nothing wrong


class Flag(db.Model):
    """One member's flag on one post (at most one per member and post)."""

    __tablename__ = "flags"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN question_id IS NULL THEN 0 ELSE 1 END + CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_post"),
        sa.UniqueConstraint("flagger_id", "question_id", name="uq_flags_flagger_question"),
        sa.UniqueConstraint("flagger_id", "answer_id", name="uq_flags_flagger_answer"),
        sa.UniqueConstraint("flagger_id", "comment_id", name="uq_flags_flagger_comment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    flagger_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind), nullable=False)
    note: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    status: Mapped[FlagStatus] = mapped_column(enum_column(FlagStatus), nullable=False, default=FlagStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    flagger: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class ReviewReason(TitledEnum):
    FLAGGED = "flagged", _l("Flagged")
    FIRST_POST = "first_post", _l("First post")
    HELD = "held", _l("Held")


class ReviewStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"   # looks fine: flags declined, held post published
    REMOVED = "removed"     # the post was deleted


class ReviewItem(db.Model):
    """A post waiting for a moderator. A post has at most one pending item; later reasons (a
    flag on a first post) raise its reason rather than adding a second item."""

    __tablename__ = "review_items"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN question_id IS NULL THEN 0 ELSE 1 END + CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_post"),
        sa.Index("ix_review_items_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReviewReason] = mapped_column(enum_column(ReviewReason), nullable=False)
    # What the guards found, for the moderator (masked; never the private data itself).
    detail: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    # Held when it was posted: publishing it announces it (notifications) for the first time.
    held_on_create: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                 server_default=sa.false())
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus), nullable=False,
                                                 default=ReviewStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class ModAction(TitledEnum):
    CLOSE = "close", _l("Closed")
    REOPEN = "reopen", _l("Reopened")
    LOCK = "lock", _l("Locked")
    UNLOCK = "unlock", _l("Unlocked")
    PIN = "pin", _l("Pinned")
    UNPIN = "unpin", _l("Unpinned")
    DELETE = "delete", _l("Deleted")
    UNDELETE = "undelete", _l("Undeleted")
    APPROVE = "approve", _l("Approved")
    HIDE = "hide", _l("Hidden")
    DECLINE_FLAGS = "decline_flags", _l("Declined flags")
    SUSPEND = "suspend", _l("Suspended")
    UNSUSPEND = "unsuspend", _l("Lifted suspension")
    # one question per FORUM_QUESTION_INTERVAL_MINUTES until a time (users.posting_restricted_until)
    RESTRICT = "restrict", _l("Restricted posting")
    UNRESTRICT = "unrestrict", _l("Lifted posting restriction")
    WATCH_WORD = "watch_word", _l("Added watched word")
    UNWATCH_WORD = "unwatch_word", _l("Removed watched word")
    REDACT = "redact", _l("Redacted a revision")  # an earlier revision's text replaced
    # order numbers or addresses cut out of a post's current text
    REMOVE_PRIVATE = "remove_private", _l("Removed private details")
    # Members' data rights (forum.privacy): who and when, never what the account held.
    ERASURE_REQUEST = "erasure_request", _l("Asked to delete the account")
    ERASURE_CANCEL = "erasure_cancel", _l("Cancelled the account deletion by signing in")
    ERASE = "erase", _l("Account erased")
    EXPORT = "export", _l("Downloaded a copy of their data")
    # staff's search vocabulary (forum.search.vocabulary): the reason holds the kind and the words
    ADD_VOCABULARY = "vocabulary_add", _l("Added search vocabulary")
    REMOVE_VOCABULARY = "vocabulary_del", _l("Removed search vocabulary")



class ModerationLogEntry(db.Model):
    """Every moderator action, append-only. `actor_id` is null for the system (spam flags)."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[ModAction] = mapped_column(enum_column(ModAction), nullable=False)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
