"""Signed webhooks for the platform's own systems (issue 20, part 3).

Administrators register receivers (`/admin/webhooks`, `POST /api/v1/webhooks`); the forum then
POSTs a JSON body `{"id", "event", "created_at", "data"}` for each event they subscribed to, signed
with `Forum-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (README, "Webhooks").

For other features, one function::

    from forum.webhooks import emit, INCIDENT_CREATED
    emit(INCIDENT_CREATED, {"incident": {...}})          # public data: every subscribed webhook
    emit(TICKET_UPDATED, data, private=data_with_private)  # `private`: what private webhooks get

It records the deliveries in the caller's transaction (flush only) and they are sent after the
commit, retried with backoff; the event names are the constants of forum.webhooks.events. Features
to the left of webhooks (tickets, verification) reach it through their signals
(forum.webhooks.subscribers); incidents, to its right, call `emit` directly with
`INCIDENT_CREATED` / `INCIDENT_UPDATED` / `INCIDENT_RESOLVED` and the data that
`forum.webhooks.events.incident_event` builds (incidents are public, so no `private`).
"""
from __future__ import annotations

from flask import Flask

from forum.webhooks.events import (  # noqa: F401  (the public names)
    ANSWER_VERIFIED,
    EVENTS,
    INCIDENT_CREATED,
    INCIDENT_RESOLVED,
    INCIDENT_UPDATED,
    QUESTION_ESCALATED,
    TICKET_CREATED,
    TICKET_RATED,
    TICKET_SOLVED,
    TICKET_UPDATED,
)


def emit(event: str, data: dict, *, private: dict | None = None) -> int:
    """forum.webhooks.services.emit: record `event` for the subscribed webhooks, sent after commit."""
    from forum.webhooks import services

    return services.emit(event, data, private=private)


def init_app(app: Flask) -> None:
    from forum.webhooks import models, subscribers  # noqa: F401  (models: its tables, for the metadata)
    from forum.webhooks.cli import webhooks_cli
    from forum.webhooks.views import bp

    subscribers.connect()
    app.register_blueprint(bp)
    app.cli.add_command(webhooks_cli)
