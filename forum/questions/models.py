from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import TimestampMixin, UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class Category(TitledEnum):
    ACCOUNT = "account", _l("Account and login")
    ORDERS = "orders", _l("Orders")
    PAYMENTS = "payments", _l("Payments and refunds")
    COMPLAINTS = "complaints", _l("Complaints and feedback")
    OTHER = "other", _l("Other")

    @property
    def description(self) -> str:
        return str(_CATEGORY_DESCRIPTIONS[self])


_CATEGORY_DESCRIPTIONS = {
    Category.ACCOUNT: _l("Login, password, locked account, two-step verification"),
    Category.ORDERS: _l("Finding and changing orders, delivery addresses"),
    Category.PAYMENTS: _l("Failed payments, refunds"),
    Category.COMPLAINTS: _l("Complaints about a service or an agent, feedback"),
    Category.OTHER: _l("Everything else"),
}


class QuestionStatus(TitledEnum):
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


class CloseReason(TitledEnum):
    DUPLICATE = "duplicate", _l("Duplicate")
    OFF_TOPIC = "off_topic", _l("Off-topic")
    NEEDS_DETAILS = "needs_details", _l("Needs details")

    @property
    def explanation(self) -> str:
        return str(_CLOSE_REASON_EXPLANATIONS[self])


_CLOSE_REASON_EXPLANATIONS = {
    CloseReason.DUPLICATE: _l("This question has been asked before and already has answers."),
    CloseReason.OFF_TOPIC: _l("This question is not about using the platform's services."),
    CloseReason.NEEDS_DETAILS: _l("This question needs more details before it can be answered. "
                                  "Edit it to add them and a moderator can reopen it."),
}


class HoldReason(TitledEnum):
    """Why a post is out of public sight until a moderator reviews it."""

    # the scam guard: off-platform contact, asks for codes, poses as support
    SCAM = "scam", _l("It looks like it asks people to contact someone off the site, asks for codes or "
                      "passwords, or speaks for official support.")
    # a watched word set to "hold"
    WATCHED = "watched", _l("It contains words that moderators review before they are shown.")
    SPAM = "spam", _l("Several members flagged it as spam.")


class HeldMixin:
    """Held posts are seen only by their author and moderators, and count nowhere until released."""

    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_reason: Mapped[HoldReason | None] = mapped_column(enum_column(HoldReason))
    #: Not stored: what the privacy guard warned the author about when this request saved the post
    #: (order numbers, addresses; masked), for the page's notice and the API's "warnings".
    screening_warnings: ClassVar[list[dict] | tuple] = ()

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @classmethod
    def public(cls):
        """SQL: neither deleted nor held."""
        return sa.and_(cls.deleted_at.is_(None), cls.held_at.is_(None))


question_tags = sa.Table(
    "question_tags",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    question_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


PUBLIC = sa.text("deleted_at IS NULL AND held_at IS NULL")  # Question.public(), for partial indexes
PINNED = sa.text("pinned_at IS NOT NULL AND deleted_at IS NULL AND held_at IS NULL")


class Question(HeldMixin, TimestampMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        # One index per list order, holding exactly the listed (public) questions in exactly the
        # list's order, ties broken by id: a page reads its 20 rows from the index and stops. With
        # (deleted_at, created_at) PostgreSQL could not give the id tie-break from the index and
        # scanned and sorted every question on each page (6 ms at 10,000, growing with the forum).
        sa.Index("ix_questions_public_newest", "created_at", "id", sqlite_where=PUBLIC, postgresql_where=PUBLIC),
        sa.Index("ix_questions_public_active", "last_activity_at", "id", sqlite_where=PUBLIC,
                 postgresql_where=PUBLIC),
        sa.Index("ix_questions_public_votes", "score", "created_at", "id", sqlite_where=PUBLIC,
                 postgresql_where=PUBLIC),
        # The same orders inside one category (SQLite otherwise took the category index and sorted).
        sa.Index("ix_questions_public_category_newest", "category", "created_at", "id", sqlite_where=PUBLIC,
                 postgresql_where=PUBLIC),
        sa.Index("ix_questions_public_category_active", "category", "last_activity_at", "id", sqlite_where=PUBLIC,
                 postgresql_where=PUBLIC),
        sa.Index("ix_questions_public_category_votes", "category", "score", "created_at", "id",
                 sqlite_where=PUBLIC, postgresql_where=PUBLIC),
        # The few pinned public questions (at most MAX_PINNED), newest pin first: the home list reads
        # them from this index alone, whatever the size of the forum.
        sa.Index("ix_questions_pinned", "pinned_at", "id", sqlite_where=PINNED, postgresql_where=PINNED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    category: Mapped[Category] = mapped_column(enum_column(Category), nullable=False, index=True)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), nullable=False, default=QuestionStatus.OPEN
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    answer_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    revision_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    accepted_answer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("answers.id", use_alter=True, ondelete="SET NULL")
    )
    has_verified_answer: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Closed questions take no new answers; the reason (and the original, for duplicates) is shown.
    closed_reason: Mapped[CloseReason | None] = mapped_column(enum_column(CloseReason))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Locked threads take no answers, comments, votes or edits except from moderators.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pinned by a moderator or staff: shown first on the home list (and in its category's list).
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    tags: Mapped[list[Tag]] = relationship(secondary=question_tags, order_by=Tag.name, lazy="selectin")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", foreign_keys="Answer.question_id", lazy="raise_on_sql"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_closed(self) -> bool:
        return self.status is QuestionStatus.CLOSED

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None or self.has_verified_answer


class QuestionTally(db.Model):
    """How many public questions (not deleted, not held) fall in each bucket: category × answered ×
    accepted × verified, at most 40 rows. Lists read their totals here (a sum over a few rows)
    instead of counting the questions table on every view.

    Kept by database triggers (migration 0020), in the same transaction as the question row they
    count: every path that changes a question (the ORM, SQL-expression updates, the seeder, a
    moderator's bulk action) is counted alike, and none can forget to. tests/questions/test_tallies.py
    compares them with real counts after each kind of change."""
    __tablename__ = "question_tallies"

    category: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    answered: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    accepted: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    verified: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")


class Answer(HeldMixin, TimestampMixin, db.Model):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    revision_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Written by staff as staff (fixed when posted, so a later change of role changes nothing).
    official: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    last_editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_official(self) -> bool:
        """The staff badge holds only while the text is the staff author's own: an edit by anyone
        else (a member with the edit privilege, a moderator) takes it away."""
        return self.official and (self.last_editor_id is None or self.last_editor_id == self.author_id)

    question: Mapped[Question] = relationship(
        back_populates="answers", foreign_keys=[question_id], lazy="raise_on_sql"
    )
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(HeldMixin, TimestampMixin, db.Model):
    """A short remark on a question or on an answer (exactly one of the two)."""

    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(
            "(question_id IS NULL) <> (answer_id IS NULL)", name="one_parent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)


#: What a redacted revision holds instead of its text (its title too, for a question). Stored as
#: is, in no language: pages show their own translated notice and diff against it.
REDACTED_TEXT = "[redacted]"


class Revision(db.Model):
    """One version of a question or an answer: number 1 is the original, each edit adds one.

    A moderator may redact an earlier revision that showed private details: its title, body, tags
    and summary are replaced in the row by REDACTED_TEXT (or emptied), with who, when and why.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        sa.CheckConstraint("(question_id IS NULL) <> (answer_id IS NULL)", name="one_parent"),
        sa.UniqueConstraint("question_id", "number", name="uq_revisions_question_number"),
        sa.UniqueConstraint("answer_id", "number", name="uq_revisions_answer_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    summary: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    title: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    tags: Mapped[str | None] = mapped_column(sa.String(200))  # space-separated, questions only
    category: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    redacted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    redaction_reason: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")

    editor: Mapped[User] = relationship(foreign_keys=[editor_id], lazy="joined", innerjoin=True)

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None
