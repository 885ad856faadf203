"""Which of the forum's signals become which webhook events (connected by the feature's init_app).

Everything runs inside the event's transaction: the deliveries are rows of that transaction, sent
after it commits. The data of each event is built in forum.webhooks.events, the one place that
decides what is public."""
from __future__ import annotations

from forum.core import signals
from forum.tickets.models import Status
from forum.webhooks import events
from forum.webhooks.services import emit


def _ticket_created(ticket, actor, **_):
    data, full = events.ticket_event(ticket, actor)
    emit(events.TICKET_CREATED, data, private=full)
    if ticket.question_id is not None:
        question = events.question_data(ticket.question_id)
        emit(events.QUESTION_ESCALATED, {**data, "question": question}, private={**full, "question": question})


def _ticket_status(ticket, actor, old, new, **_):
    change = {"kind": "status", "old": old.value, "new": new.value}
    data, full = events.ticket_event(ticket, actor, change)
    emit(events.TICKET_SOLVED if new is Status.SOLVED else events.TICKET_UPDATED, data, private=full)


def _ticket_changed(ticket, actor, changes, **_):
    for field, (old, new) in changes.items():
        data, full = events.ticket_event(ticket, actor, {"kind": field, "old": old, "new": new})
        emit(events.TICKET_UPDATED, data, private=full)


def _ticket_message(ticket, actor, message, **_):
    change = {"kind": "note" if message.internal else "message", "message_id": message.id,
              "internal": bool(message.internal), "by_staff": bool(actor.role.is_staff)}
    data, full = events.ticket_event(ticket, actor, change, {"body": message.body})
    emit(events.TICKET_UPDATED, data, private=full)


def _ticket_rated(ticket, actor, **_):
    data, full = events.ticket_event(ticket, actor, {"kind": "rating", "rating": ticket.rating})
    emit(events.TICKET_RATED, data, private=full)


def _answer_verified(answer, actor, verification, first=True, **_):
    emit(events.ANSWER_VERIFIED, events.answer_verified_data(answer, actor, verification, first))


def connect() -> None:
    signals.ticket_created.connect(_ticket_created)
    signals.ticket_status_changed.connect(_ticket_status)
    signals.ticket_changed.connect(_ticket_changed)
    signals.ticket_message_added.connect(_ticket_message)
    signals.ticket_rated.connect(_ticket_rated)
    signals.answer_verified.connect(_answer_verified)
