"""Incidents: one outage, the threads it caused, the members it touches."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User, enum_column
from forum.core.db import TimestampMixin, UTCDateTime, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db
from forum.questions.models import Category


class IncidentStatus(TitledEnum):
    """Statuspage's four steps; only `resolved` ends an incident."""

    INVESTIGATING = "investigating", _l("Investigating")
    IDENTIFIED = "identified", _l("Identified")
    MONITORING = "monitoring", _l("Monitoring")
    RESOLVED = "resolved", _l("Resolved")

    @property
    def is_active(self) -> bool:
        return self is not IncidentStatus.RESOLVED


ACTIVE_STATUSES = tuple(s.value for s in IncidentStatus if s.is_active)


class LinkSource(TitledEnum):
    AUTO = "auto", _l("Linked automatically")
    MANUAL = "manual", _l("Linked by staff")


class Incident(TimestampMixin, db.Model):
    __tablename__ = "incidents"
    __table_args__ = (sa.Index("ix_incidents_status_category", "status", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(150), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    category: Mapped[Category] = mapped_column(enum_column(Category), nullable=False)
    # One keyword or phrase per line: a question containing any one of them is linked.
    keywords: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    status: Mapped[IncidentStatus] = mapped_column(enum_column(IncidentStatus), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once, when the members concerned were told of the resolution: never twice.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    affected_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined", innerjoin=True)

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split("\n") if k]

    @property
    def is_active(self) -> bool:
        return self.status.is_active


class IncidentUpdate(db.Model):
    """Each status change or message, kept with its time (the incident's timeline)."""

    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    status: Mapped[IncidentStatus] = mapped_column(enum_column(IncidentStatus), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    message_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class IncidentLink(db.Model):
    """A thread about the incident. Unlinking keeps the row (removed_at), so that the automatic
    matching never links again what staff took away; linking by hand brings it back."""

    __tablename__ = "incident_links"
    __table_args__ = (sa.UniqueConstraint("incident_id", "question_id", name="uq_incident_links_incident_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    source: Mapped[LinkSource] = mapped_column(enum_column(LinkSource), nullable=False)
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The verified staff answer that carried the resolution to this thread (published once).
    published_answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="SET NULL"))


class IncidentAffected(db.Model):
    """A member who pressed "I'm affected too" (one row per member and incident)."""

    __tablename__ = "incident_affected"

    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
