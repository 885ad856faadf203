"""Webhooks: administering them, recording deliveries in the event's transaction, and sending them.

`emit(event, data, private=...)` is the one way in: it writes one delivery per active webhook that
subscribed to `event`, in the caller's transaction (only flushes), and after the commit a job sends
them (the jobs queue: RQ on Redis, else the in-process worker). A rolled-back transaction sends
nothing. Each attempt is claimed by a conditional UPDATE (a second worker skips it; a worker that
dies mid-send leaves it to be retried when the lease ends) and no transaction is open while the
receiver is called. A failed attempt is retried after 5 s, 10 s, 20 s ... (doubling, at most an
hour apart) until FORUM_WEBHOOK_RETRY_HOURS after the event, then the delivery is marked failed. A
webhook whose every attempt has failed for FORUM_WEBHOOK_DISABLE_DAYS is disabled, its pending
deliveries are failed, and the administrators are notified.
"""
from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.auth.models import Role, User
from forum.core.db import is_row_id, on_commit, unit_of_work, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied
from forum.core.pagination import Page
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.notifications import jobs
from forum.webhooks import transport
from forum.webhooks.events import EVENTS, WEBHOOK_TEST, iso
from forum.webhooks.models import FAILED, PENDING, SUCCEEDED, Webhook, WebhookDelivery
from forum.webhooks.schemas import CreateWebhook, UpdateWebhook

log = logging.getLogger(__name__)
RETRY_FIRST = timedelta(seconds=5)
RETRY_LONGEST = timedelta(hours=1)
SEND_LEASE = timedelta(seconds=60)  # longer than an attempt can take (FORUM_WEBHOOK_TIMEOUT)
SECRET_PREFIX = "whsec_"


# --- administration --------------------------------------------------------------------------------

def _admin(actor) -> User:
    if not signed_in(actor) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(_("Only administrators manage webhooks."), code="admin_only")
    return actor


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def list_webhooks(actor) -> list[Webhook]:
    """Every webhook, oldest first. Raises PermissionDenied (not an administrator)."""
    _admin(actor)
    return list(db.session.scalars(sa.select(Webhook).order_by(Webhook.id)))


def get_webhook(actor, webhook_id) -> Webhook:
    """One webhook. Raises PermissionDenied, NotFound."""
    _admin(actor)
    webhook = db.session.get(Webhook, webhook_id) if is_row_id(webhook_id) else None
    if webhook is None:
        raise NotFound(_("No such webhook."))
    return webhook


def create_webhook(actor, /, **fields) -> tuple[Webhook, str]:
    """Register a webhook: `fields` are CreateWebhook's (url, events, description, private),
    validated here, once (the URL must be http(s) and resolve to public addresses). Returns the
    webhook and its secret, which is shown this once. Raises PermissionDenied, ValidationFailed."""
    _admin(actor)
    command = CreateWebhook.parse(fields)
    secret = new_secret()
    now = utcnow()
    webhook = Webhook(url=command.url, events=",".join(command.events), description=command.description or "",
                      secret=secret, private=bool(command.private), active=True, created_by_id=actor.id,
                      created_at=now, updated_at=now)
    db.session.add(webhook)
    db.session.flush()
    return webhook, secret


def update_webhook(actor, webhook_id, /, **fields) -> tuple[Webhook, str | None]:
    """Change a webhook: `fields` are UpdateWebhook's; a field left out stays. `active` true turns a
    disabled webhook on again (its failure clock starts afresh); `rotate_secret` makes a new secret,
    returned (and shown) this once. Raises PermissionDenied, NotFound, ValidationFailed."""
    webhook = get_webhook(actor, webhook_id)
    command = UpdateWebhook.parse(fields)
    given = command.model_fields_set
    if "url" in given and command.url is not None:
        webhook.url = command.url
    if "events" in given and command.events is not None:
        webhook.events = ",".join(command.events)
    if "description" in given and command.description is not None:
        webhook.description = command.description
    if "private" in given and command.private is not None:
        webhook.private = command.private
    if "active" in given and command.active is not None and command.active != webhook.active:
        webhook.active = command.active
        if command.active:
            webhook.disabled_at, webhook.disabled_reason, webhook.failing_since = None, "", None
        else:
            webhook.disabled_at, webhook.disabled_reason = utcnow(), "paused"
    secret = None
    if command.rotate_secret:
        secret = webhook.secret = new_secret()
    webhook.updated_at = utcnow()
    db.session.flush()
    return webhook, secret


def delete_webhook(actor, webhook_id) -> None:
    """Delete a webhook and its deliveries. Raises PermissionDenied, NotFound."""
    webhook = get_webhook(actor, webhook_id)
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    db.session.delete(webhook)
    db.session.flush()


def deliveries(actor, webhook_id, *, page: int = 1, per_page: int = 20, status: str | None = None) -> Page:
    """A webhook's deliveries, newest first. Raises PermissionDenied, NotFound."""
    webhook = get_webhook(actor, webhook_id)
    where = [WebhookDelivery.webhook_id == webhook.id]
    if status in (PENDING, SUCCEEDED, FAILED):
        where.append(WebhookDelivery.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery).where(*where)) or 0
    rows = list(db.session.scalars(sa.select(WebhookDelivery).where(*where).order_by(WebhookDelivery.id.desc())
                                   .limit(per_page).offset((page - 1) * per_page)))
    return Page(rows, page, per_page, total)


def send_test(actor, webhook_id) -> WebhookDelivery:
    """Queue a `webhook.test` delivery to this webhook (whatever it subscribed to), sent after the
    commit like any other. Raises PermissionDenied, NotFound, Conflict (the webhook is off)."""
    webhook = get_webhook(actor, webhook_id)
    if not webhook.active:
        raise Conflict(_("This webhook is off. Turn it on first."), code="webhook_inactive")
    data = {"webhook_id": webhook.id, "message": "A test delivery from the Support Community.",
            "by": actor.username}
    delivery = _record(webhook, WEBHOOK_TEST, data, utcnow())
    db.session.flush()
    _send_after_commit()
    return delivery


# --- recording ---------------------------------------------------------------------------------------

def emit(event: str, data: dict[str, Any], *, private: dict[str, Any] | None = None) -> int:
    """Record `event` for every active webhook subscribed to it, in the current transaction (flushes
    only); they are sent after the commit. `data` is what every webhook receives; `private`, when
    given, is the whole data for webhooks marked private instead (it must contain `data`'s fields
    and add the private ones: forum.webhooks.events builds both). Returns how many deliveries were
    recorded. Raises ValueError for an event name not in EVENTS (a programming error)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = [w for w in db.session.scalars(sa.select(Webhook).where(Webhook.active.is_(True),
                                                                    Webhook.events.contains(event)))
             if event in w.event_list]
    if not hooks:
        return 0
    now = utcnow()
    for webhook in hooks:
        _record(webhook, event, private if (webhook.private and private is not None) else data, now)
    db.session.flush()
    _send_after_commit()
    return len(hooks)


def _record(webhook: Webhook, event: str, data: dict[str, Any], now: datetime) -> WebhookDelivery:
    uid = "dlv_" + secrets.token_hex(12)
    body = {"id": uid, "event": event, "created_at": iso(now), "data": data}
    delivery = WebhookDelivery(uid=uid, webhook_id=webhook.id, event=event, status=PENDING, attempts=0,
                               payload=json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str),
                               next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    return delivery


def _queue_deliveries() -> None:
    jobs.enqueue(deliver_due)


def _send_after_commit() -> None:
    """Queue one sending after the commit, however many deliveries the transaction recorded. The
    pending hooks are the record (a rollback drops them, so the next transaction queues again)."""
    on_commit(_queue_deliveries, once=True)


# --- sending -----------------------------------------------------------------------------------------

def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again: 5 s, 10 s, 20 s,
    ... doubling, at most an hour."""
    return min(RETRY_FIRST * (2 ** max(0, attempts - 1)), RETRY_LONGEST)


def retry_window() -> timedelta:
    return timedelta(hours=float(current_app.config.get("FORUM_WEBHOOK_RETRY_HOURS") or 24))


def disable_after() -> timedelta:
    return timedelta(days=float(current_app.config.get("FORUM_WEBHOOK_DISABLE_DAYS") or 3))


def deliver_due(limit: int = 100, now: datetime | None = None) -> int:
    """Attempt every delivery that is due (`now`: the tests' clock). Returns how many succeeded.
    Then, if deliveries wait for a retry, a job is scheduled for the earliest."""
    clock = now
    with unit_of_work():
        due = list(db.session.scalars(
            sa.select(WebhookDelivery.id).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= (clock or utcnow()),
                   Webhook.active.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
    succeeded = 0
    for delivery_id in due:
        succeeded += _attempt(delivery_id, clock)
    _schedule_next()
    return succeeded


def _attempt(delivery_id: int, clock: datetime | None) -> int:
    now = clock or utcnow()
    with unit_of_work():
        claimed = db.session.execute(
            sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING,
                                             WebhookDelivery.next_attempt_at <= now)
            .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + SEND_LEASE, last_attempt_at=now)
            .returning(WebhookDelivery.webhook_id, WebhookDelivery.payload, WebhookDelivery.event,
                       WebhookDelivery.uid, WebhookDelivery.attempts, WebhookDelivery.created_at)).first()
        hook = None
        if claimed is not None:
            hook = db.session.execute(sa.select(Webhook.url, Webhook.secret, Webhook.active)
                                      .where(Webhook.id == claimed.webhook_id)).first()
    if claimed is None or hook is None or not hook.active:
        return 0
    body = claimed.payload.encode("utf-8")
    timestamp = int(clock.timestamp()) if clock else int(time.time())
    headers = {transport.SIGNATURE_HEADER: transport.sign(hook.secret, body, timestamp),
               "Forum-Event": claimed.event, "Forum-Delivery": claimed.uid}
    outcome = transport.post(hook.url, body, headers, transport.timeout_seconds())
    now = clock or utcnow()
    with unit_of_work():
        if outcome.ok:
            db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(
                status=SUCCEEDED, response_code=outcome.status, duration_ms=outcome.duration_ms, last_error="",
                delivered_at=now, next_attempt_at=None))
            db.session.execute(sa.update(Webhook).where(Webhook.id == claimed.webhook_id,
                                                        Webhook.failing_since.is_not(None))
                               .values(failing_since=None))
            return 1
        gave_up = now + retry_delay(claimed.attempts) - claimed.created_at > retry_window()
        db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(
            status=FAILED if gave_up else PENDING, response_code=outcome.status, duration_ms=outcome.duration_ms,
            last_error=outcome.error[:500], next_attempt_at=None if gave_up else now + retry_delay(claimed.attempts)))
        log.info("webhook delivery %s to webhook %s failed (attempt %s): %s", claimed.uid, claimed.webhook_id,
                 claimed.attempts, outcome.error)
        _note_failure(claimed.webhook_id, now)
    return 0


def _note_failure(webhook_id: int, now: datetime) -> None:
    """Start the webhook's failure clock; past FORUM_WEBHOOK_DISABLE_DAYS, disable it (once: a
    conditional UPDATE), fail what waits for it and tell the administrators."""
    db.session.execute(sa.update(Webhook).where(Webhook.id == webhook_id, Webhook.failing_since.is_(None))
                       .values(failing_since=now))
    since = db.session.scalar(sa.select(Webhook.failing_since).where(Webhook.id == webhook_id))
    if since is None or now - since < disable_after():
        return
    disabled = db.session.scalar(sa.update(Webhook).where(Webhook.id == webhook_id, Webhook.active.is_(True))
                                 .values(active=False, disabled_at=now, disabled_reason="failing")
                                 .returning(Webhook.url))
    if disabled is None:
        return
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id,
                                                        WebhookDelivery.status == PENDING)
                       .values(status=FAILED, next_attempt_at=None, last_error="the webhook was disabled"))
    from forum.notifications import services as notifications
    from forum.notifications.kinds import Kind, webhook_detail

    admins = set(db.session.scalars(sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))))
    notifications.notify(admins, Kind.WEBHOOK_DISABLED, actor_id=None,
                         detail=webhook_detail(webhook_id, disabled, disable_after().days))
    log.warning("webhook %s (%s) disabled after failing since %s", webhook_id, disabled, since)


def prune(days: int = 30, now: datetime | None = None) -> int:
    """Delete the finished deliveries (succeeded or failed) older than `days`; flushes only.
    Returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    deleted = db.session.execute(sa.delete(WebhookDelivery).where(
        WebhookDelivery.status.in_([SUCCEEDED, FAILED]), WebhookDelivery.created_at < cutoff)
        .returning(WebhookDelivery.id)).all()
    db.session.flush()
    return len(deleted)


def _schedule_next() -> None:
    """A job at the earliest retry still waiting (the jobs queue's scheduler, or a timer here)."""
    with unit_of_work():
        earliest = db.session.scalar(
            sa.select(sa.func.min(WebhookDelivery.next_attempt_at))
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == PENDING, Webhook.active.is_(True)))
    if earliest is not None:
        jobs.enqueue_in(max(1.0, (earliest - utcnow()).total_seconds()), deliver_due)
