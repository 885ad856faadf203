"""The read side of tickets: lists, the queue, a conversation, the public escalation mark, the
dashboard figures, and solved threads sharing a question's tags."""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.pagination import Page
from forum.extensions import db
from forum.questions.models import Question, question_tags
from forum.tickets.models import Status, Ticket, TicketEvent, TicketMessage

ACTIVE = [Status.NEW, Status.OPEN, Status.PENDING]


def _due():
    return sa.case((Ticket.first_responded_at.is_(None), Ticket.first_response_due), else_=Ticket.resolution_due)


def tickets_of(user: User, *, page: int = 1, per_page: int = 20) -> Page[Ticket]:
    where = [Ticket.requester_id == user.id]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(*where)) or 0
    items = db.session.scalars(sa.select(Ticket).where(*where).order_by(Ticket.created_at.desc(), Ticket.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total)


def queue(*, status=None, tier=None, category=None, priority=None, assignee=None, due_soon=False, breached=False,
          viewer: User | None = None, page: int = 1, per_page: int = 50, now: datetime | None = None) -> Page[Ticket]:
    """The staff desk: filtered, soonest due first."""
    now = now or utcnow()
    where = []
    if status:
        where.append(Ticket.status == status)
    else:
        where.append(Ticket.status.in_(ACTIVE))
    if tier:
        where.append(Ticket.tier == tier)
    if category:
        where.append(Ticket.category == category)
    if priority:
        where.append(Ticket.priority == priority)
    if assignee == "me" and viewer is not None:
        where.append(Ticket.assignee_id == viewer.id)
    elif assignee == "none":
        where.append(Ticket.assignee_id.is_(None))
    elif assignee:
        where.append(Ticket.assignee_id.in_(sa.select(User.id).where(User.username == assignee)))
    if due_soon:
        where += [Ticket.status.in_([Status.NEW, Status.OPEN]), _due() > now, _due() <= now + timedelta(hours=2)]
    if breached:
        where += [Ticket.status.in_([Status.NEW, Status.OPEN]), sa.or_(_due() <= now, Ticket.breached_at.is_not(None))]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(*where)) or 0
    items = db.session.scalars(sa.select(Ticket).where(*where).order_by(_due(), Ticket.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total)


def conversation(ticket: Ticket, *, staff: bool) -> tuple[list[TicketMessage], list[TicketEvent]]:
    """Messages of the ticket and of tickets merged into it, oldest first; internal notes and
    staff-only events only for staff."""
    ids = [ticket.id] + list(db.session.scalars(sa.select(Ticket.id).where(Ticket.merged_into_id == ticket.id)))
    messages = sa.select(TicketMessage).where(TicketMessage.ticket_id.in_(ids))
    events = sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if not staff:
        messages = messages.where(TicketMessage.internal.is_(False))
        events = events.where(TicketEvent.internal.is_(False))
    return (list(db.session.scalars(messages.order_by(TicketMessage.created_at, TicketMessage.id))),
            list(db.session.scalars(events.order_by(TicketEvent.created_at, TicketEvent.id))))


def other_tickets(ticket: Ticket) -> list[Ticket]:
    return list(db.session.scalars(sa.select(Ticket).where(Ticket.requester_id == ticket.requester_id,
                                                           Ticket.id != ticket.id)
                                   .order_by(Ticket.created_at.desc()).limit(10)))


def public_escalation(question_id: int) -> Ticket | None:
    """The newest ticket the asker escalated from this question, for the public mark (no private
    fields are ever read from it by the templates: only when, tier, status and due time). Other
    members' "me too" tickets are theirs alone: the thread says nothing of them."""
    return db.session.scalar(sa.select(Ticket).join(Question, Question.id == Ticket.question_id)
                             .where(Ticket.question_id == question_id, Ticket.requester_id == Question.author_id)
                             .order_by(Ticket.created_at.desc()).limit(1))


def escalation_counts(question_ids) -> dict[int, int]:
    """Staff: how many members escalated each of these questions (tickets not merged away, any status)."""
    ids = {i for i in question_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Ticket.question_id, sa.func.count(sa.distinct(Ticket.requester_id)))
                              .where(Ticket.question_id.in_(ids), Ticket.merged_into_id.is_(None))
                              .group_by(Ticket.question_id))
    return {question_id: count for question_id, count in rows}


def last_public_messages(ticket_ids) -> dict[int, TicketMessage]:
    """Staff: each ticket's newest message that its requester sees too, for the side-by-side view."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    newest = (sa.select(sa.func.max(TicketMessage.id)).where(TicketMessage.ticket_id.in_(ids),
                                                              TicketMessage.internal.is_(False))
              .group_by(TicketMessage.ticket_id))
    return {m.ticket_id: m for m in db.session.scalars(sa.select(TicketMessage).where(TicketMessage.id.in_(newest)))}


def solved_sharing_tags(question: Question, limit: int = 5) -> list[tuple[Question, bool]]:
    """Solved threads (verified or accepted) of the same category as this question, those sharing
    the most tags first, verified ones before the rest: (question, has_verified_answer). The
    escalation form (forum.pages) shows them after the full-text search's."""
    tag_ids = sa.select(question_tags.c.tag_id).where(question_tags.c.question_id == question.id)
    shared = sa.select(sa.func.count()).select_from(question_tags).where(
        question_tags.c.question_id == Question.id, question_tags.c.tag_id.in_(tag_ids)).scalar_subquery()
    rows = db.session.scalars(
        sa.select(Question).where(Question.id != question.id, Question.public(),
                                  Question.category == question.category,
                                  sa.or_(Question.has_verified_answer.is_(True), Question.accepted_answer_id.is_not(None)))
        .order_by(Question.has_verified_answer.desc(), shared.desc(), Question.score.desc()).limit(limit))
    return [(q, q.has_verified_answer) for q in rows]


def dashboard(days: int = 14, now: datetime | None = None, category: str | None = None) -> dict:
    """Figures for the staff dashboard over the last `days` days, of one ticket category or all."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    since = now - timedelta(days=days)
    only = [Ticket.category == category] if category else []
    tickets = list(db.session.scalars(sa.select(Ticket).where(Ticket.created_at >= since, *only)))
    solved = list(db.session.scalars(sa.select(Ticket).where(Ticket.solved_at >= since, *only)))
    day_list = [(now - timedelta(days=offset)).astimezone(zone).date() for offset in range(days - 1, -1, -1)]
    opened_per_day = Counter(t.created_at.astimezone(zone).date() for t in tickets)
    solved_per_day = Counter(t.solved_at.astimezone(zone).date() for t in solved)
    responses = [(t.first_responded_at - t.created_at).total_seconds() / 3600 for t in tickets if t.first_responded_at]
    judged = [t for t in tickets if t.first_responded_at or t.first_response_due <= now]
    within = [t for t in judged if t.first_responded_at and t.first_responded_at <= t.first_response_due]
    ratings = [t.rating for t in tickets if t.rating]
    per_day_response: dict = {}
    for t in tickets:
        if t.first_responded_at:
            per_day_response.setdefault(t.created_at.astimezone(zone).date(), []).append(
                (t.first_responded_at - t.created_at).total_seconds() / 3600)
    return {
        "response_days": [(d, statistics.median(per_day_response[d]) if d in per_day_response else None)
                          for d in day_list],
        "days": [(d, opened_per_day.get(d, 0), solved_per_day.get(d, 0)) for d in day_list],
        "median_first_response_hours": statistics.median(responses) if responses else None,
        "within_sla": (len(within) / len(judged)) if judged else None,
        "satisfaction": (sum(ratings) / len(ratings)) if ratings else None,
        "ratings": Counter(ratings),
        "by_category": Counter(t.category for t in tickets).most_common(),
        "total": len(tickets),
        "period_days": days,
    }


def canned_replies():
    from forum.tickets.models import CannedReply

    return list(db.session.scalars(sa.select(CannedReply).order_by(CannedReply.title)))
