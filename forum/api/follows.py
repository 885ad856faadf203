"""Following questions, tags and categories: the same service as the page forms (notifications)."""
from __future__ import annotations

from flask import url_for

from forum.api.common import iso, require_user, route
from forum.api.schemas import Out
from forum.notifications import services
from forum.questions.rules import normalise_tag


class FollowedQuestionOut(Out):
    id: int
    title: str
    url: str
    since: str


class FollowedNameOut(Out):
    name: str
    since: str


class FollowsOut(Out):
    questions: list[FollowedQuestionOut]
    tags: list[FollowedNameOut]
    categories: list[FollowedNameOut]


def _set(following: bool, **target):
    services.set_following(require_user(), following, **target)
    return "", 204


_ERRORS = (401, 404, 429)


@route("/questions/<int:question_id>/follow", "PUT", summary="Follow a question (idempotent)", auth="required",
       status=204, errors=_ERRORS)
def follow_question(question_id: int):
    return _set(True, question_id=question_id)


@route("/questions/<int:question_id>/follow", "DELETE", summary="Stop following a question (idempotent)",
       auth="required", status=204, errors=_ERRORS)
def unfollow_question(question_id: int):
    return _set(False, question_id=question_id)


@route("/tags/<tag>/follow", "PUT", summary="Follow a tag: hear of new questions with it (idempotent)",
       auth="required", status=204, errors=_ERRORS)
def follow_tag(tag: str):
    return _set(True, tag=normalise_tag(tag))


@route("/tags/<tag>/follow", "DELETE", summary="Stop following a tag (idempotent)", auth="required", status=204,
       errors=_ERRORS)
def unfollow_tag(tag: str):
    return _set(False, tag=normalise_tag(tag))


@route("/categories/<category>/follow", "PUT", summary="Follow a category: account, orders, payments, complaints "
       "or other (idempotent)", auth="required", status=204, errors=_ERRORS)
def follow_category(category: str):
    return _set(True, category=category)


@route("/categories/<category>/follow", "DELETE", summary="Stop following a category (idempotent)",
       auth="required", status=204, errors=_ERRORS)
def unfollow_category(category: str):
    return _set(False, category=category)


@route("/me/follows", "GET", summary="What the signed-in member follows", auth="required", response=FollowsOut,
       errors=(401,))
def my_follows():
    found = services.follows_of(require_user())
    return {
        "questions": [{"id": q.id, "title": q.title, "since": iso(f.created_at),
                       "url": url_for("pages.show_question", question_id=q.id, _external=True)}
                      for f, q in found["questions"]],
        "tags": [{"name": name, "since": iso(f.created_at)} for f, name in found["tags"]],
        "categories": [{"name": name, "since": iso(f.created_at)} for f, name in found["categories"]],
    }
