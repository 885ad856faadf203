"""Voting from the thread page: a plain form POST (redirect back), or JSON for the page's script."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from forum.core.errors import DomainError, NotFound
from forum.questions.forms import ActionForm
from forum.extensions import limiter
from forum.votes import queries, services
from forum.web import ratelimits
from forum.web.errors import wants_json

bp = Blueprint("votes", __name__)


def _value() -> int | None:
    try:
        return int(request.form.get("value", ""))
    except ValueError:
        return None


def _vote(thread_id, anchor: str, **target):
    """`thread_id`: a callable giving the thread to go back to, asked only for a redirect (the
    page's script asks for JSON and follows no redirect). The service finds the post, and answers
    404 for one that is gone or held, as it locks it: the view reads nothing before."""
    def back():
        return redirect(url_for("pages.show_question", question_id=thread_id(), _anchor=anchor))

    if not ActionForm().validate_on_submit():  # CSRF
        return back()
    try:
        score, my_vote = services.cast_vote(current_user._get_current_object(), value=_value(), **target)
    except NotFound:
        raise
    except DomainError as error:
        if wants_json():
            raise
        flash(error.message, "error")
        return back()
    if wants_json():
        return jsonify({"score": score, "my_vote": my_vote})
    return back()


@bp.route("/questions/<int:question_id>/vote", methods=["POST"])
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key)
@login_required
def vote_question(question_id: int):
    return _vote(lambda: question_id, "question", question_id=question_id)


@bp.route("/answers/<int:answer_id>/vote", methods=["POST"])
@limiter.shared_limit(ratelimits.votes, scope="votes", key_func=ratelimits.actor_key)
@login_required
def vote_answer(answer_id: int):
    return _vote(lambda: queries.thread_of_answer(answer_id), f"answer-{answer_id}", answer_id=answer_id)
