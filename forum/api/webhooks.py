"""Webhooks for the platform's own systems (administrators only)."""
from __future__ import annotations

from flask import request

from forum.api.common import iso, json_object, listing, page_args, require_user, route
from forum.api.schemas import Out
from forum.core.errors import ValidationFailed
from forum.webhooks import services
from forum.webhooks.models import DELIVERY_STATUSES, Webhook, WebhookDelivery
from forum.webhooks.schemas import CreateWebhook, UpdateWebhook


class WebhookOut(Out):
    id: int
    url: str
    events: list[str]
    description: str
    private: bool
    active: bool
    disabled_at: str | None
    disabled_reason: str
    failing_since: str | None
    created_by: str | None
    created_at: str
    updated_at: str
    secret: str | None = None  # only when it was just made (registration, rotate_secret)


class DeliveryOut(Out):
    id: str
    event: str
    status: str
    response_code: int | None
    duration_ms: int | None
    attempts: int
    next_attempt_at: str | None
    last_error: str
    created_at: str
    delivered_at: str | None


def _webhook(webhook: Webhook, secret: str | None = None) -> dict:
    data = {"id": webhook.id, "url": webhook.url, "events": webhook.event_list, "description": webhook.description,
            "private": webhook.private, "active": webhook.active, "disabled_at": iso(webhook.disabled_at),
            "disabled_reason": webhook.disabled_reason, "failing_since": iso(webhook.failing_since),
            "created_by": webhook.created_by.username if webhook.created_by else None,
            "created_at": iso(webhook.created_at), "updated_at": iso(webhook.updated_at)}
    if secret is not None:
        data["secret"] = secret
    return data


def _delivery(delivery: WebhookDelivery) -> dict:
    return {"id": delivery.uid, "event": delivery.event, "status": delivery.status,
            "response_code": delivery.response_code, "duration_ms": delivery.duration_ms,
            "attempts": delivery.attempts, "next_attempt_at": iso(delivery.next_attempt_at),
            "last_error": delivery.last_error, "created_at": iso(delivery.created_at),
            "delivered_at": iso(delivery.delivered_at)}


@route("/webhooks", "POST", summary="Administrators: register a webhook; the answer carries its `secret`, "
       "shown this once", auth="required", body=CreateWebhook, response=WebhookOut, status=201,
       errors=(400, 401, 403, 422))
def create_webhook():
    actor = require_user()
    webhook, secret = services.create_webhook(actor, **json_object(CreateWebhook))  # validated there, once
    return _webhook(webhook, secret), 201


@route("/webhooks", "GET", summary="Administrators: every webhook (never its secret)", auth="required",
       response=list[WebhookOut], query={"page": "page", "per_page": "at most 100"}, errors=(401, 403))
def list_webhooks():
    actor = require_user()
    page, per_page = page_args()
    webhooks = services.list_webhooks(actor)
    chosen = webhooks[(page - 1) * per_page: page * per_page]
    return listing([_webhook(w) for w in chosen], page, per_page, len(webhooks))


@route("/webhooks/<int:webhook_id>", "GET", summary="Administrators: one webhook (never its secret)",
       auth="required", response=WebhookOut, errors=(401, 403, 404))
def show_webhook(webhook_id: int):
    return _webhook(services.get_webhook(require_user(), webhook_id))


@route("/webhooks/<int:webhook_id>", "PATCH", summary="Administrators: change url, events, description, "
       "private, active; `rotate_secret`: a new secret, in this answer only", auth="required", body=UpdateWebhook,
       response=WebhookOut, errors=(400, 401, 403, 404, 422))
def update_webhook(webhook_id: int):
    actor = require_user()
    webhook, secret = services.update_webhook(actor, webhook_id, **json_object(UpdateWebhook))
    return _webhook(webhook, secret)


@route("/webhooks/<int:webhook_id>", "DELETE", summary="Administrators: delete a webhook and its deliveries",
       auth="required", status=204, errors=(401, 403, 404))
def delete_webhook(webhook_id: int):
    services.delete_webhook(require_user(), webhook_id)
    return "", 204


@route("/webhooks/<int:webhook_id>/deliveries", "GET", summary="Administrators: a webhook's deliveries, newest "
       "first (status, response code, duration, attempts)", auth="required", response=list[DeliveryOut],
       query={"status": "pending, succeeded or failed", "page": "page", "per_page": "at most 100"},
       errors=(401, 403, 404, 422))
def list_deliveries(webhook_id: int):
    actor = require_user()
    status = request.args.get("status") or None
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValidationFailed({"status": ["pending, succeeded or failed."]})
    page, per_page = page_args()
    result = services.deliveries(actor, webhook_id, page=page, per_page=per_page, status=status)
    return listing([_delivery(d) for d in result.items], result.page, result.per_page, result.total)


@route("/webhooks/<int:webhook_id>/test", "POST", summary="Administrators: send a `webhook.test` delivery now "
       "(202; its result appears in the deliveries)", auth="required", response=DeliveryOut, status=202,
       errors=(401, 403, 404, 409))
def test_webhook(webhook_id: int):
    return _delivery(services.send_test(require_user(), webhook_id)), 202
