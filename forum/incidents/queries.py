"""The read side of incidents: lists, one incident with its timeline and threads, the banners
(active incidents, those of a thread, those a draft title names) and the staff dashboard's section."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from forum.core.db import utcnow
from forum.core.pagination import Page
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.incidents.models import ACTIVE_STATUSES, Incident, IncidentAffected, IncidentLink, IncidentUpdate
from forum.questions.models import Question
from forum.search import services as search
from forum.tickets.models import Ticket

ACTIVE_BANNERS = 3  # at most this many active incidents in a banner (the newest)
DASHBOARD_INCIDENTS = 5
DASHBOARD_DAYS = 14


def _linked(incident_id=None):
    where = [IncidentLink.removed_at.is_(None)]
    if incident_id is not None:
        where.append(IncidentLink.incident_id == incident_id)
    return where


def list_incidents(*, active: bool | None = None, status: str | None = None, page: int = 1,
                   per_page: int = 20) -> Page[Incident]:
    """Active first, then resolved, newest first; only the active or resolved ones, or one status."""
    where = []
    if status is not None:
        where.append(Incident.status == status)
    if active is True:
        where.append(Incident.status.in_(ACTIVE_STATUSES))
    elif active is False:
        where.append(Incident.status.not_in(ACTIVE_STATUSES))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Incident).where(*where)) or 0
    resolved_last = sa.case((Incident.status.in_(ACTIVE_STATUSES), 0), else_=1)
    items = db.session.scalars(sa.select(Incident).where(*where)
                               .order_by(resolved_last, Incident.started_at.desc(), Incident.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total)


def link_counts(incident_ids: list[int]) -> dict[int, int]:
    """How many public threads are linked to each incident: the threads `incident_view` lists, so
    that a list, the dashboard, a webhook and the incident's own page give the same number (a held
    or deleted thread is not counted anywhere)."""
    if not incident_ids:
        return {}
    return dict(db.session.execute(sa.select(IncidentLink.incident_id, sa.func.count())
                                   .join(Question, Question.id == IncidentLink.question_id)
                                   .where(IncidentLink.incident_id.in_(incident_ids), *_linked(), Question.public())
                                   .group_by(IncidentLink.incident_id)).all())


@dataclass
class IncidentView:
    incident: Incident
    updates: list[IncidentUpdate]
    questions: list[tuple[Question, IncidentLink]]  # public threads only
    affected: bool  # the viewer said so


def incident_view(incident: Incident, viewer=None) -> IncidentView:
    updates = db.session.scalars(sa.select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id)
                                 .order_by(IncidentUpdate.created_at.desc(), IncidentUpdate.id.desc())).all()
    rows = db.session.execute(sa.select(Question, IncidentLink).join(IncidentLink, IncidentLink.question_id == Question.id)
                              .where(*_linked(incident.id), Question.public())
                              .order_by(Question.created_at.desc(), Question.id.desc())).unique().all()
    affected = signed_in(viewer) and db.session.scalar(sa.select(IncidentAffected.user_id).where(
        IncidentAffected.incident_id == incident.id, IncidentAffected.user_id == viewer.id)) is not None
    return IncidentView(incident, list(updates), [(q, link) for q, link in rows], bool(affected))


def active_incidents(limit: int = ACTIVE_BANNERS) -> list[Incident]:
    """For the banners of the home page, /support and the ask page: newest first."""
    return list(db.session.scalars(sa.select(Incident).where(Incident.status.in_(ACTIVE_STATUSES))
                                   .order_by(Incident.started_at.desc(), Incident.id.desc()).limit(limit)))


def incidents_for_question(question_id: int) -> list[Incident]:
    """The incidents a thread is linked to, active first."""
    resolved_last = sa.case((Incident.status.in_(ACTIVE_STATUSES), 0), else_=1)
    return list(db.session.scalars(sa.select(Incident).join(IncidentLink, IncidentLink.incident_id == Incident.id)
                                   .where(IncidentLink.question_id == question_id, *_linked())
                                   .order_by(resolved_last, Incident.started_at.desc())))


def incidents_for_title(title: str, limit: int = ACTIVE_BANNERS) -> list[Incident]:
    """Active incidents that a draft title names: it contains one of their keywords (or their
    title's words), as the search analysis reads both."""
    title = (title or "")[:search.SIMILAR_TITLE_LENGTH]
    if len(title.strip()) < 2:
        return []
    found = []
    for incident in active_incidents(limit=20):
        if search.text_contains_any(title, incident.keyword_list + [incident.title]):
            found.append(incident)
        if len(found) == limit:
            break
    return found


# --- the staff dashboard's section -----------------------------------------------------------

@dataclass
class DashboardIncident:
    incident: Incident
    threads: int
    affected: int
    tickets: int
    days: list[tuple]  # (date, tickets opened that day on its threads)


def dashboard(now=None) -> list[DashboardIncident]:
    """The latest incidents (active first) with their linked threads, affected members and the
    tickets opened on their threads per day since the window began (at most 14 days)."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    incidents = list_incidents(per_page=DASHBOARD_INCIDENTS).items
    counts = link_counts([i.id for i in incidents])
    out = []
    for incident in incidents:
        start = incident.started_at - timedelta(hours=24)
        end = incident.resolved_at or now
        first_day = max(start, end - timedelta(days=DASHBOARD_DAYS - 1)).astimezone(zone).date()
        last_day = end.astimezone(zone).date()
        created = db.session.scalars(sa.select(Ticket.created_at).join(
            IncidentLink, IncidentLink.question_id == Ticket.question_id)
            .where(*_linked(incident.id), Ticket.created_at >= start)).all()
        per_day = Counter(c.astimezone(zone).date() for c in created)
        days = []
        day = first_day
        while day <= last_day:
            days.append((day, per_day.get(day, 0)))
            day += timedelta(days=1)
        out.append(DashboardIncident(incident, counts.get(incident.id, 0), incident.affected_count, len(created), days))
    return out
