"""Voting from the thread page: a plain form POST (redirect back), or JSON for the page's script."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from forum.core.errors import DomainError
from forum.questions import services as question_services
from forum.questions.forms import ActionForm
from forum.extensions import limiter
from forum.votes import services
from forum.web import ratelimits
from forum.web.errors import wants_json

bp = Blueprint("votes", __name__)


def _value() -> int | None:
    try:
        return int(request.form.get("value", ""))
    except ValueError:
        return None


def _vote(thread_id: int, anchor: str, **target):
    if not ActionForm().validate_on_submit():  # CSRF
        return redirect(url_for("pages.show_question", question_id=thread_id, _anchor=anchor))
    try:
        score, my_vote = services.cast_vote(current_user._get_current_object(), value=_value(), **target)
    except DomainError as error:
        if wants_json():
            raise
        flash(error.message, "error")
        return redirect(url_for("pages.show_question", question_id=thread_id, _anchor=anchor))
    if wants_json():
        return jsonify({"score": score, "my_vote": my_vote})
    return redirect(url_for("pages.show_question", question_id=thread_id, _anchor=anchor))


@bp.route("/questions/<int:question_id>/vote", methods=["POST"])
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key)
@login_required
def vote_question(question_id: int):
    question_services.get_question(question_id)
    return _vote(question_id, "question", question_id=question_id)


@bp.route("/answers/<int:answer_id>/vote", methods=["POST"])
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key)
@login_required
def vote_answer(answer_id: int):
    answer = question_services.get_answer(answer_id)
    return _vote(answer.question_id, f"answer-{answer_id}", answer_id=answer_id)
