"""Votes and acceptance."""
from __future__ import annotations

from forum.api.common import json_object, require_user, route
from forum.api.details import answer_detail
from forum.api.schemas import AnswerOut, Out
from forum.questions import services as question_services
from forum.extensions import limiter
from forum.votes import services
from forum.votes.schemas import CastVote
from forum.web import ratelimits


class VoteOut(Out):
    score: int
    my_vote: int


def _vote(**target):
    actor = require_user()
    # The service validates the vote with CastVote (the body documented below), once.
    score, my_vote = services.cast_vote(actor, value=json_object(CastVote).get("value"), **target)
    return {"score": score, "my_vote": my_vote}


@route("/questions/<int:question_id>/vote", "PUT", summary="Vote on a question (1, -1, or 0 to withdraw)",
       auth="required", body=CastVote, response=VoteOut, errors=(400, 401, 403, 404, 422))
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key, override_defaults=False)
def vote_question(question_id: int):
    return _vote(question_id=question_id)


@route("/answers/<int:answer_id>/vote", "PUT", summary="Vote on an answer (1, -1, or 0 to withdraw)",
       auth="required", body=CastVote, response=VoteOut, errors=(400, 401, 403, 404, 422))
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key, override_defaults=False)
def vote_answer(answer_id: int):
    return _vote(answer_id=answer_id)


@route("/answers/<int:answer_id>/accept", "POST", summary="Accept an answer (the question's author)",
       auth="required", response=AnswerOut, errors=(401, 403, 404))
def accept(answer_id: int):
    question_services.accept_answer(require_user(), answer_id)
    return answer_detail(answer_id)


@route("/answers/<int:answer_id>/accept", "DELETE", summary="Withdraw the acceptance (the question's author)",
       auth="required", status=204, errors=(401, 403, 404))
def unaccept(answer_id: int):
    question_services.unaccept_answer(require_user(), answer_id)
    return "", 204
