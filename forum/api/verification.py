"""Staff verification of answers."""
from __future__ import annotations

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from forum.api.common import parse_body, require_user, route
from forum.api.details import answer_detail
from forum.api.schemas import AnswerOut
from forum.verification import services


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    note: str | None = Field(default=None, description="What staff checked, at most 500 characters")


class UnverifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str | None = Field(default=None, description="Why the verification ends, at most 500 characters")


@route("/answers/<int:answer_id>/verification", "POST", summary="Verify an answer (staff); verifying again "
       "after an edit clears the stale mark", auth="required", body=VerifyIn, response=AnswerOut, status=201,
       errors=(400, 401, 403, 404, 422))
def verify(answer_id: int):
    actor = require_user()
    data = parse_body(VerifyIn) if request.content_length else VerifyIn()
    services.verify_answer(actor, answer_id, data.note)
    return answer_detail(answer_id), 201


@route("/answers/<int:answer_id>/verification", "DELETE", summary="Remove an answer's verification (staff), "
       "with an optional reason", auth="required", body=UnverifyIn, status=204, errors=(400, 401, 403, 404, 422))
def unverify(answer_id: int):
    actor = require_user()
    data = parse_body(UnverifyIn) if request.content_length else UnverifyIn()
    services.remove_verification(actor, answer_id, data.reason)
    return "", 204
