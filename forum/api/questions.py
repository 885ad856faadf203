"""Questions, answers, comments and revisions."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from forum.api import schemas, serialize
from forum.api.common import api_user, json_object, listing, page_args, require_user, route
from forum.api.details import answer_detail, question_detail
from forum.core.errors import ValidationFailed
from forum.questions import queries, services
from forum.questions.models import Category
from forum.questions.schemas import AskQuestion, EditAnswer, EditQuestion, PostAnswer, PostComment
from forum.votes.queries import my_votes
from forum.extensions import limiter
from forum.web import ratelimits


def _list_filters():
    try:
        tab = queries.Tab(request.args.get("sort") or "newest")
    except ValueError:
        raise ValidationFailed({"sort": [_("Unknown sort order.")]}) from None
    category = request.args.get("category") or None
    if category is not None:
        try:
            category = Category(category)
        except ValueError:
            raise ValidationFailed({"category": [_("Unknown category.")]}) from None
    verified = request.args.get("has_verified_answer")
    if verified not in (None, "", "0", "1", "true", "false"):
        raise ValidationFailed({"has_verified_answer": [_("Use 1 or 0.")]})
    verified = None if verified in (None, "") else verified in ("1", "true")
    return tab, category, (request.args.get("tag") or "").strip().lower() or None, verified


def _comment_fields() -> dict:
    # The URL names the post: a target in the body is ignored, as any unknown key is.
    return {k: v for k, v in json_object(PostComment).items() if k not in ("question_id", "answer_id")}


@route("/questions", "GET", summary="List questions", auth="optional", response=list[schemas.QuestionSummaryOut],
       query={"sort": "newest|active|votes|unanswered|unsolved", "tag": "tag name", "category": "category",
              "has_verified_answer": "1: only questions with a staff-verified answer; 0: only without",
              "page": "page number", "per_page": "at most 100"}, errors=(422,))
def list_questions():
    tab, category, tag, verified = _list_filters()
    page, per_page = page_args()
    result = queries.list_questions(tab=tab, category=category, tag=tag, verified=verified, page=page,
                                    per_page=per_page)
    votes, _answers = my_votes(api_user(), question_ids=[q.id for q in result.items])
    items = [serialize.question_summary(q, votes.get(q.id, 0)) for q in result.items]
    return listing(items, result.page, result.per_page, result.total)


@route("/questions", "POST", summary="Ask a question", auth="required", body=AskQuestion,
       response=schemas.QuestionOut, status=201, errors=(400, 401, 403, 422, 429))
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, override_defaults=False)
def ask():
    actor = require_user()
    question = services.ask_question(actor, **json_object(AskQuestion))  # validated there, once, with AskQuestion
    return {**question_detail(question.id), "warnings": serialize.warnings(question)}, 201


@route("/questions/<int:question_id>", "GET", summary="A question with its answers (verified, accepted, "
       "then by score) and comments", auth="optional", response=schemas.QuestionOut, errors=(404,))
def show(question_id: int):
    return question_detail(question_id)


@route("/questions/<int:question_id>", "PATCH", summary="Edit a question (makes a revision)", auth="required",
       body=EditQuestion, response=schemas.QuestionOut, errors=(400, 401, 403, 404, 422, 429))
@limiter.shared_limit(ratelimits.edits, scope="edits", key_func=ratelimits.actor_key, override_defaults=False)
def edit(question_id: int):
    actor = require_user()
    # Validated there, once, with EditQuestion: a field left out (or null) stays as it is.
    edited = services.edit_question(actor, question_id, **json_object(EditQuestion))
    return {**question_detail(question_id), "warnings": serialize.warnings(edited)}


@route("/questions/<int:question_id>", "DELETE", summary="Delete a question (author while unanswered, "
       "or a moderator)", auth="required", status=204, errors=(401, 403, 404))
def delete(question_id: int):
    services.delete_question(require_user(), question_id)
    return "", 204


@route("/questions/<int:question_id>/revisions", "GET", summary="Revisions of a question, oldest first",
       response=list[schemas.RevisionOut], query={"page": "page number", "per_page": "at most 100"}, errors=(404,))
def question_revisions(question_id: int):
    services.get_question(question_id, viewer=api_user())
    page, per_page = page_args()
    result = queries.revisions_of(question_id=question_id, page=page, per_page=per_page)
    return listing([serialize.revision(r) for r in result.items], result.page, result.per_page, result.total)


@route("/questions/<int:question_id>/answers", "POST", summary="Answer a question", auth="required",
       body=PostAnswer, response=schemas.AnswerOut, status=201, errors=(400, 401, 403, 404, 422, 429))
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, override_defaults=False)
def answer(question_id: int):
    actor = require_user()
    created = services.post_answer(actor, question_id, **json_object(PostAnswer))  # validated there with PostAnswer
    return {**answer_detail(created.id), "warnings": serialize.warnings(created)}, 201


@route("/answers/<int:answer_id>", "GET", summary="One answer", auth="optional", response=schemas.AnswerOut,
       errors=(404,))
def show_answer(answer_id: int):
    return answer_detail(answer_id)


@route("/answers/<int:answer_id>", "PATCH", summary="Edit an answer (makes a revision)", auth="required",
       body=EditAnswer, response=schemas.AnswerOut, errors=(400, 401, 403, 404, 422, 429))
@limiter.shared_limit(ratelimits.edits, scope="edits", key_func=ratelimits.actor_key, override_defaults=False)
def edit_answer(answer_id: int):
    actor = require_user()
    edited = services.edit_answer(actor, answer_id, **json_object(EditAnswer))  # validated there with EditAnswer
    return {**answer_detail(answer_id), "warnings": serialize.warnings(edited)}


@route("/answers/<int:answer_id>", "DELETE", summary="Delete an answer (author or moderator)",
       auth="required", status=204, errors=(401, 403, 404))
def delete_answer(answer_id: int):
    services.delete_answer(require_user(), answer_id)
    return "", 204


@route("/answers/<int:answer_id>/revisions", "GET", summary="Revisions of an answer, oldest first",
       response=list[schemas.RevisionOut], query={"page": "page number", "per_page": "at most 100"}, errors=(404,))
def answer_revisions(answer_id: int):
    services.get_answer(answer_id, viewer=api_user())
    page, per_page = page_args()
    result = queries.revisions_of(answer_id=answer_id, page=page, per_page=per_page)
    return listing([serialize.revision(r) for r in result.items], result.page, result.per_page, result.total)


@route("/questions/<int:question_id>/comments", "POST", summary="Comment on a question", auth="required",
       body=PostComment, response=schemas.CommentOut, status=201, errors=(400, 401, 403, 404, 422, 429))
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, override_defaults=False)
def comment_question(question_id: int):
    actor = require_user()
    created = services.post_comment(actor, question_id=question_id, **_comment_fields())
    return {**serialize.comment(created), "warnings": serialize.warnings(created)}, 201


@route("/answers/<int:answer_id>/comments", "POST", summary="Comment on an answer", auth="required",
       body=PostComment, response=schemas.CommentOut, status=201, errors=(400, 401, 403, 404, 422, 429))
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, override_defaults=False)
def comment_answer(answer_id: int):
    actor = require_user()
    created = services.post_comment(actor, answer_id=answer_id, **_comment_fields())
    return {**serialize.comment(created), "warnings": serialize.warnings(created)}, 201


@route("/comments/<int:comment_id>", "DELETE", summary="Delete a comment (author or moderator)",
       auth="required", status=204, errors=(401, 403, 404))
def delete_comment(comment_id: int):
    services.delete_comment(require_user(), comment_id)
    return "", 204
