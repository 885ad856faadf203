"""Members' data rights: a copy of one's data, and deleting one's account (forum.privacy)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forum.api.common import iso, parse_body, require_user, route
from forum.api.schemas import Out
from forum.privacy import services
from forum.web.boundary import writes_on_get


class ExportOut(Out):
    format: str = Field(description="forum-export/1")
    exported_at: str
    profile: dict[str, Any]
    questions: list[dict[str, Any]] = Field(description="With their revisions")
    answers: list[dict[str, Any]] = Field(description="With their revisions")
    comments: list[dict[str, Any]]
    edits_of_others_posts: list[dict[str, Any]]
    votes: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    follows: dict[str, Any]
    notifications: list[dict[str, Any]]
    tickets: list[dict[str, Any]] = Field(description="With their public messages (never internal notes) and the "
                                          "names of their attachments")
    sessions: dict[str, Any]
    api_tokens: list[dict[str, Any]] = Field(description="Metadata only, never the token")


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: str = Field(description="The account's password, to confirm")


class ErasureOut(Out):
    erasure_due_at: str = Field(description="When the account will be erased; signing in before then cancels it")


@route("/me/export", "GET", summary="Everything the signed-in member gave or holds, as one JSON document",
       auth="required", response=ExportOut, errors=(401,))
@writes_on_get
def export():
    return services.export_for(require_user())


@route("/me", "DELETE", summary="Delete one's account: signed out everywhere at once, erased after "
       "FORUM_ERASURE_GRACE_DAYS (signing in before then cancels it); wrong password 422", auth="required",
       body=ErasureIn, response=ErasureOut, status=202, errors=(400, 401, 409, 422))
def delete_me():
    actor = require_user()
    data = parse_body(ErasureIn)
    due = services.request_erasure(actor, data.password)
    return {"erasure_due_at": iso(due)}, 202
