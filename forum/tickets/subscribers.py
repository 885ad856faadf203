"""What tickets add to other features (connected by create_app)."""
from __future__ import annotations

from forum.core import signals
from forum.tickets import queries, services


def _thread_escalation(thread, actor=None, **_):
    ticket = queries.public_escalation(thread.question.id)
    can_escalate = actor is not None and actor.id == thread.question.author_id
    return {"escalation": ticket, "can_escalate": can_escalate,
            "escalation_due": services.due_at(ticket) if ticket else None}


def connect() -> None:
    signals.thread_rendering.connect(_thread_escalation)
