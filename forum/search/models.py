"""Search tables: the outbox of changes to (re)index, the vocabulary for "did you mean", the
documents of the PostgreSQL backend (unused with Whoosh), and the search vocabulary staff add."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class SearchOutbox(db.Model):
    """A change the index must follow, written in the transaction that made it; deleted by the
    indexer only after the index has committed the change, so nothing is lost when a process dies
    in between (applying a change twice is harmless). What to do says `scope`:

    - "thread": rebuild every document of the thread `question_id` (its text, tags, category or
      state changed, or posts came and went);
    - "post": re-write the one document of the answer `answer_id`, or of the question when
      `answer_id` is null (a post's own text or flags changed: an answer posted, edited, accepted);
    - "score": that one document's score changed (a vote): only the score is written, where the
      backend can (PostgreSQL); Whoosh re-writes that one document.
    The indexer reads the current values from the database, so a row says what changed, not to what.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    answer_id: Mapped[int | None] = mapped_column(sa.Integer)
    scope: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="thread", server_default="thread")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def key(self) -> str:
        """The key of the one document a "post" or "score" row names."""
        return f"a{self.answer_id}" if self.answer_id is not None else f"q{self.question_id}"


class SearchWord(db.Model):
    """A Latin word seen in a post, as written (not stemmed): candidates for "did you mean"."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class SearchDocument(db.Model):
    """One searchable question or answer (PostgreSQL backend). `terms` holds the analyzer's terms
    with their positions, plus filter terms (tag:…, category:…, user:…, flag:…), as a tsvector with
    a GIN index: PostgreSQL's own parsers cannot split Chinese, our analyzer can."""

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.Index("ix_search_documents_terms", "terms", postgresql_using="gin"),
    )

    key: Mapped[str] = mapped_column(sa.String(24), primary_key=True)  # q<id> or a<id>
    question_id: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.Integer)
    terms: Mapped[str] = mapped_column(TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=False)
    boost: Mapped[float] = mapped_column(sa.Float, nullable=False, default=1.0)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class VocabularyKind(TitledEnum):
    SYNONYMS = "synonyms", _l("Synonyms")  # interchangeable words: a query word finds posts with any of them
    DOMAIN = "domain", _l("Domain words")  # kept whole when a query is cut into words


class VocabularyEntry(db.Model):
    """Search vocabulary that staff added (forum.search.vocabulary), applied to queries only, so it
    needs no reindex: a synonym group, or domain words the query segmenter keeps whole. `words` are
    folded (forum.search.analysis.fold), one per line, in the order given; `key` is the same words
    sorted, so that one set of words is added once per kind."""

    __tablename__ = "search_vocabulary"
    __table_args__ = (sa.UniqueConstraint("kind", "key", name="uq_search_vocabulary_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[VocabularyKind] = mapped_column(enum_column(VocabularyKind), nullable=False)
    words: Mapped[str] = mapped_column(sa.Text, nullable=False)
    key: Mapped[str] = mapped_column(sa.String(600), nullable=False)
    note: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def word_list(self) -> list[str]:
        return self.words.split("\n") if self.words else []


class VocabularyRevision(db.Model):
    """One row: a random token replaced in the transaction of every change to the staff vocabulary.
    Each process compares it with the token its copy was read under (forum.search.vocabulary), one
    primary-key read, instead of reading the vocabulary again."""

    __tablename__ = "search_vocabulary_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="", server_default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
