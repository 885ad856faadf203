"""The events a webhook may subscribe to, and what each delivery's `data` holds.

This module is the one place that decides what a receiver sees. Every event's data is built by a
function here from public fields only; the fields listed in PRIVATE_TICKET_FIELDS go, in addition,
to webhooks an administrator marked `private`, and to no other. A new event is a constant, a member
of Event, and (for features to the left of webhooks) a subscriber in forum.webhooks.subscribers;
features to the right (incidents) may import webhooks, so they call `forum.webhooks.emit` themselves
(no signal needed: DESIGN.md keeps signals for the arrows that point left), with data built here
(`incident_event`) from an incident's public fields only.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum.core.enums import TitledEnum
from forum.extensions import db

QUESTION_ESCALATED = "question.escalated"
TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
TICKET_SOLVED = "ticket.solved"
TICKET_RATED = "ticket.rated"
ANSWER_VERIFIED = "answer.verified"
INCIDENT_CREATED = "incident.created"
INCIDENT_UPDATED = "incident.updated"
INCIDENT_RESOLVED = "incident.resolved"
#: Sent only by the "test" button (POST /api/v1/webhooks/<id>/test), to that webhook, whatever it
#: subscribed to.
WEBHOOK_TEST = "webhook.test"


class Event(TitledEnum):
    QUESTION_ESCALATED = QUESTION_ESCALATED, _l("A question was escalated to official support")
    TICKET_CREATED = TICKET_CREATED, _l("A ticket was created")
    TICKET_UPDATED = TICKET_UPDATED, _l("A ticket changed (status, priority, tier, assignee, a message)")
    TICKET_SOLVED = TICKET_SOLVED, _l("A ticket was solved")
    TICKET_RATED = TICKET_RATED, _l("A requester rated the support")
    ANSWER_VERIFIED = ANSWER_VERIFIED, _l("Staff verified an answer")
    INCIDENT_CREATED = INCIDENT_CREATED, _l("An incident was opened")
    INCIDENT_UPDATED = INCIDENT_UPDATED, _l("An incident was updated")
    INCIDENT_RESOLVED = INCIDENT_RESOLVED, _l("An incident was resolved")


EVENTS: tuple[str, ...] = tuple(e.value for e in Event)

#: A ticket's private fields: in `data.ticket` only for private webhooks. Everything else a
#: ticket's data holds (number, status, priority, tier, category, due times, requester and
#: assignee names, the rating's stars) is public to the platform's systems.
PRIVATE_TICKET_FIELDS = ("description", "order_number", "contact_channel", "contact", "requester_email",
                         "rating_comment")
#: A ticket message's text (public reply or internal note): private webhooks only.
PRIVATE_MESSAGE_FIELDS = ("body",)


def iso(value) -> str | None:
    """ISO 8601 with the offset of the configured time zone, as the API writes times."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).isoformat()


def _base_url() -> str:
    from forum.notifications.services import base_url

    return base_url()


def question_data(question_id: int | None) -> dict[str, Any] | None:
    """A question's public summary; a held or deleted question is named by its id only."""
    from forum.questions.models import Question

    if question_id is None:
        return None
    question = db.session.get(Question, question_id)
    if question is None or question.deleted_at is not None or question.held_at is not None:
        return {"id": question_id, "public": False}
    return {"id": question.id, "public": True, "title": question.title, "category": question.category.value,
            "tags": question.tag_names, "author": question.author.username if question.author else None,
            "created_at": iso(question.created_at), "url": f"{_base_url()}/questions/{question.id}"}


def ticket_data(ticket) -> tuple[dict[str, Any], dict[str, Any]]:
    """(public, private) fields of a ticket: `private` is merged into `public` for private webhooks."""
    public = {
        "id": ticket.id, "number": ticket.number, "question_id": ticket.question_id, "category": ticket.category,
        "status": ticket.status.value, "priority": ticket.priority.value, "tier": ticket.tier,
        "requester": ticket.requester.username, "assignee": ticket.assignee.username if ticket.assignee else None,
        "created_at": iso(ticket.created_at), "updated_at": iso(ticket.updated_at),
        "first_response_due": iso(ticket.first_response_due), "resolution_due": iso(ticket.resolution_due),
        "first_responded_at": iso(ticket.first_responded_at), "solved_at": iso(ticket.solved_at),
        "rating": ticket.rating, "url": f"{_base_url()}/tickets/{ticket.id}",
    }
    private = {"description": ticket.description, "order_number": ticket.order_number,
               "contact_channel": ticket.contact_channel.value, "contact": ticket.contact,
               "requester_email": ticket.requester.email, "rating_comment": ticket.rating_comment}
    assert set(private) == set(PRIVATE_TICKET_FIELDS)
    return public, private


def ticket_event(ticket, actor, change: dict[str, Any] | None = None,
                 private_change: dict[str, Any] | None = None) -> tuple[dict, dict]:
    """The data of a ticket.* event: {"ticket", "actor", "change"?}, public and private variants."""
    public, private = ticket_data(ticket)
    data: dict[str, Any] = {"ticket": public, "actor": actor.username if actor else None}
    full: dict[str, Any] = {"ticket": {**public, **private}, "actor": data["actor"]}
    if change is not None:
        data["change"] = change
        full["change"] = {**change, **(private_change or {})}
    return data, full


def answer_verified_data(answer, actor, verification, first: bool) -> dict[str, Any]:
    from forum.questions.models import Answer

    public = db.session.scalar(sa.select(Answer.id).where(Answer.id == answer.id, Answer.public())) is not None
    return {"answer": {"id": answer.id, "question_id": answer.question_id, "public": public,
                       "author": answer.author.username if answer.author else None,
                       "url": f"{_base_url()}/questions/{answer.question_id}#answer-{answer.id}"},
            "question": question_data(answer.question_id),
            "verification": {"by": actor.username, "at": iso(verification.created_at),
                             "revision": verification.revision_number, "first": bool(first)}}


def incident_event(incident, *, linked_count: int, update=None, actor=None) -> dict[str, Any]:
    """The data of an incident.* event: {"incident", "update", "actor"}. Incidents are public (the
    API shows all of this to anyone); `linked_count` counts the public threads linked to it, and
    `update` is the timeline entry the event is about (the opening one for incident.created; null
    when only the title or keywords changed). Nothing of who is affected, only how many."""
    return {
        "incident": {
            "id": incident.id, "title": incident.title, "status": incident.status.value,
            "category": incident.category.value, "keywords": incident.keyword_list,
            "started_at": iso(incident.started_at), "resolved_at": iso(incident.resolved_at),
            "created_at": iso(incident.created_at), "updated_at": iso(incident.updated_at),
            "affected_count": incident.affected_count, "linked_count": linked_count,
            "url": f"{_base_url()}/incidents/{incident.id}",
        },
        "update": None if update is None else {
            "id": update.id, "status": update.status.value, "message": update.message,
            "created_at": iso(update.created_at)},
        "actor": actor.username if actor is not None else None,
    }
