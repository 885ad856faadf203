"""The member's notifications."""
from __future__ import annotations

from flask import request, url_for

from forum.api.common import iso, json_object, listing, page_args, require_user, route
from forum.api.schemas import Out
from forum.notifications import services
from forum.notifications.schemas import MarkRead


class NotificationOut(Out):
    id: int
    kind: str
    text: str
    url: str
    created_at: str
    read: bool


@route("/notifications", "GET", summary="The member's notifications, newest first", auth="required",
       response=list[NotificationOut], query={"unread": "1: unread only", "page": "page", "per_page": "at most 100"},
       errors=(401,))
def list_notifications():
    actor = require_user()
    page, per_page = page_args()
    result = services.inbox(actor, unread_only=request.args.get("unread") in ("1", "true"), page=page,
                            per_page=per_page)
    root = url_for("questions.index", _external=True).rstrip("/")
    items = [{"id": n["id"], "kind": n["kind"], "text": n["text"], "url": root + n["url"],
              "created_at": iso(n["created_at"]), "read": n["read"]} for n in result.items]
    return listing(items, result.page, result.per_page, result.total)


@route("/notifications/read", "POST", summary="Mark notifications read: {\"ids\": [...]} or {\"all\": true}",
       auth="required", body=MarkRead, status=204, errors=(400, 401, 404, 422))
def mark_read():
    actor = require_user()
    services.mark_read(actor, **json_object(MarkRead))  # validated there, once, with MarkRead
    return "", 204
