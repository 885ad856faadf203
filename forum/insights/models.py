"""The search log: what visitors look for, never who they are."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db


class EventKind(TitledEnum):
    SEARCH = "search", _l("Search")
    QUESTION = "question", _l("New question")
    ESCALATION = "escalation", _l("Escalation")


class SearchEvent(db.Model):
    """One search (from the /search page or the API, served by the view or from the page cache), or
    one question asked or escalation made, so that a search can be tied to what the same visitor did
    next. No member id, no address: only `session_hash`, an HMAC of the visitor that changes every
    day (forum.insights.logging.session_hash). Kept RETENTION_DAYS days (forum.insights.services.prune)."""

    __tablename__ = "search_events"
    __table_args__ = (sa.Index("ix_search_events_created_at", "created_at"),
                      sa.Index("ix_search_events_session", "session_hash", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=EventKind.SEARCH.value)
    # Normalised (forum.insights.logging.normalise_query); "" for questions and escalations.
    query: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    # None when unknown (a browser revalidated a cached page: 304, no body to count from).
    result_count: Mapped[int | None] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="page", server_default="page")
    session_hash: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
