"""The member's notifications."""
from __future__ import annotations

from flask import request, url_for
from pydantic import BaseModel, ConfigDict, Field

from forum.api.common import iso, listing, page_args, parse_body, require_user, route
from forum.api.schemas import Out
from forum.core.errors import ValidationFailed
from forum.notifications import services


class NotificationOut(Out):
    id: int
    kind: str
    text: str
    url: str
    created_at: str
    read: bool


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ids: list[int] | None = Field(default=None, description="Notification ids to mark read")
    all: bool | None = Field(default=None, description="true: mark every notification read")


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
       auth="required", body=ReadIn, status=204, errors=(400, 401, 404, 422))
def mark_read():
    actor = require_user()
    data = parse_body(ReadIn)
    if data.all:
        services.mark_read(actor, all_=True)
    elif data.ids is not None:
        services.mark_read(actor, ids=data.ids)
    else:
        raise ValidationFailed({"ids": ["Give ids or all: true."]})
    return "", 204
