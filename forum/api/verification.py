"""Staff verification of answers."""
from __future__ import annotations

from flask import request

from forum.api.common import json_object, require_user, route
from forum.api.details import answer_detail
from forum.api.schemas import AnswerOut
from forum.verification import services
from forum.verification.schemas import RemoveVerification, VerifyAnswer


def _fields(command) -> dict:
    # The body is optional: none at all is an empty command.
    return json_object(command) if request.content_length else {}


@route("/answers/<int:answer_id>/verification", "POST", summary="Verify an answer (staff); verifying again "
       "after an edit clears the stale mark", auth="required", body=VerifyAnswer, response=AnswerOut, status=201,
       errors=(400, 401, 403, 404, 422))
def verify(answer_id: int):
    actor = require_user()
    services.verify_answer(actor, answer_id, **_fields(VerifyAnswer))  # validated there with VerifyAnswer
    return answer_detail(answer_id), 201


@route("/answers/<int:answer_id>/verification", "DELETE", summary="Remove an answer's verification (staff), "
       "with an optional reason", auth="required", body=RemoveVerification, status=204,
       errors=(400, 401, 403, 404, 422))
def unverify(answer_id: int):
    actor = require_user()
    services.remove_verification(actor, answer_id, **_fields(RemoveVerification))  # validated there
    return "", 204
