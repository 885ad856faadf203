"""Moderation: flags, the review queue, closing, locking, undeleting, suspensions, posting
restrictions, watched words and the action log."""
from __future__ import annotations


from forum.api import schemas, serialize
from forum.api.common import iso, json_object, listing, page_args, require_user, route
from forum.api.details import answer_detail, question_detail
from forum.extensions import limiter
from forum.moderation import services
from forum.moderation.schemas import (
    CloseQuestion,
    FlagPost,
    ModeratorNote,
    RedactRevision,
    ResolveReview,
    RestrictPosting,
    SuspendMember,
)
from forum.policy.schemas import WatchWord
from forum.web import ratelimits


def _flag(flag) -> dict:
    return {"id": flag.id, "kind": flag.kind.value, "status": flag.status.value, "question_id": flag.question_id,
            "answer_id": flag.answer_id, "comment_id": flag.comment_id, "created_at": iso(flag.created_at)}


def _review_item(entry) -> dict:
    item, post = entry.item, entry.post
    return {"id": item.id, "reason": item.reason.value, "status": item.status.value,
            "detail": services.detail_text(item.detail),  # in the request's language
            "post_type": entry.kind, "post_id": post.id, "question_id": entry.question.id,
            "title": entry.question.title, "body": post.body, "body_html": post.body_html,
            "author": serialize.author(post.author), "held": post.is_held,
            "flags": [{"kind": f.kind.value, "flagger": f.flagger.username, "note": f.note, "status": f.status.value,
                       "created_at": iso(f.created_at)} for f in entry.flags],
            "created_at": iso(item.created_at)}


def _suspension(user) -> dict:
    return {"username": user.username, "suspended_until": iso(user.suspended_until) if user.is_suspended else None,
            "reason": user.suspension_reason if user.is_suspended else ""}


def _restriction(user) -> dict:
    restricted = user.is_posting_restricted
    return {"username": user.username,
            "posting_restricted_until": iso(user.posting_restricted_until) if restricted else None,
            "reason": user.posting_restriction_reason if restricted else ""}


def _flag_route(kind: str) -> None:
    def view(post_id: int):
        body = json_object(FlagPost)  # validated by the service, once, with FlagPost
        created = services.flag_post(require_user(), kind, post_id, flag_kind=body.get("kind"), note=body.get("note"))
        return _flag(created), 201

    view.__name__ = view.__qualname__ = f"flag_{kind}"
    limited = limiter.shared_limit(ratelimits.flags, scope="flags", key_func=ratelimits.actor_key, override_defaults=False)(view)
    route(f"/{kind}s/<int:post_id>/flags", "POST", summary=f"Flag a {kind} for moderators (once per member and "
          "post); enough spam flags hide it until reviewed", auth="required", body=FlagPost,
          response=schemas.FlagOut, status=201, errors=(400, 401, 403, 404, 409, 422, 429))(limited)


for _kind in services.POST_KINDS:
    _flag_route(_kind)


@route("/review", "GET", summary="The review queue: held, flagged and first posts (moderators)",
       auth="required", response=list[schemas.ReviewItemOut],
       query={"reason": "flagged|first_post|held", "page": "page number", "per_page": "at most 100"},
       errors=(401, 403, 422))
def review_queue():
    from flask import request

    page, per_page = page_args()
    result = services.review_queue(require_user(), reason=request.args.get("reason") or None, page=page,
                                   per_page=per_page)
    return listing([_review_item(e) for e in result.items], result.page, result.per_page, result.total)


@route("/review/<int:item_id>", "POST", summary="Decide a review item: approve (publish a held post, decline "
       "flags) or delete the post (moderators)", auth="required", body=ResolveReview,
       response=schemas.ReviewItemOut, errors=(400, 401, 403, 404, 409, 422))
def decide(item_id: int):
    actor = require_user()
    services.resolve_review(actor, item_id, **json_object(ResolveReview))  # validated there, once
    return _review_item(services.get_review_item(actor, item_id))


def _question(question_id: int):
    return question_detail(question_id)


@route("/questions/<int:question_id>/close", "POST", summary="Close a question (moderators)", auth="required",
       body=CloseQuestion, response=schemas.QuestionOut, errors=(400, 401, 403, 404, 409, 422))
def close(question_id: int):
    services.close_question(require_user(), question_id, **json_object(CloseQuestion))  # validated there
    return _question(question_id)


@route("/questions/<int:question_id>/reopen", "POST", summary="Reopen a closed question (moderators)",
       auth="required", body=ModeratorNote, response=schemas.QuestionOut,
       errors=(400, 401, 403, 404, 409, 422))
def reopen(question_id: int):
    note = json_object(ModeratorNote).get("note")  # validated by the service, once
    services.reopen_question(require_user(), question_id, note=note)
    return _question(question_id)


@route("/questions/<int:question_id>/lock", "PUT", summary="Lock a thread (moderators)", auth="required",
       body=ModeratorNote, response=schemas.QuestionOut, errors=(400, 401, 403, 404, 409, 422))
def lock(question_id: int):
    note = json_object(ModeratorNote).get("note")  # validated by the service, once
    services.set_locked(require_user(), question_id, True, note=note)
    return _question(question_id)


@route("/questions/<int:question_id>/lock", "DELETE", summary="Unlock a thread (moderators)", auth="required",
       response=schemas.QuestionOut, errors=(401, 403, 404, 409))
def unlock(question_id: int):
    services.set_locked(require_user(), question_id, False)
    return _question(question_id)


@route("/questions/<int:question_id>/pin", "PUT", summary="Pin a question to the top of the home list "
       "(moderators, staff; at most 5 at a time)", auth="required", body=ModeratorNote, response=schemas.QuestionOut,
       errors=(400, 401, 403, 404, 409, 422))
def pin(question_id: int):
    note = json_object(ModeratorNote).get("note")  # validated by the service, once
    services.set_pinned(require_user(), question_id, True, note=note)
    return _question(question_id)


@route("/questions/<int:question_id>/pin", "DELETE", summary="Unpin a question (moderators, staff)",
       auth="required", response=schemas.QuestionOut, errors=(401, 403, 404, 409))
def unpin(question_id: int):
    services.set_pinned(require_user(), question_id, False)
    return _question(question_id)


def _undelete_route(kind: str) -> None:
    def view(post_id: int):
        note = json_object(ModeratorNote).get("note")  # validated by the service, once
        services.undelete_post(require_user(), kind, post_id, note=note)
        return "", 204

    view.__name__ = view.__qualname__ = f"undelete_{kind}"
    route(f"/{kind}s/<int:post_id>/undelete", "POST", summary=f"Undelete a {kind} (moderators)", auth="required",
          body=ModeratorNote, status=204, errors=(400, 401, 403, 404, 409, 422))(view)


for _kind in services.POST_KINDS:
    _undelete_route(_kind)


@route("/users/<username>/suspension", "PUT", summary="Suspend a member until a time, with a reason "
       "(moderators)", auth="required", body=SuspendMember, response=schemas.SuspensionOut,
       errors=(400, 401, 403, 404, 422))
def suspend(username: str):
    user = services.suspend_member(require_user(), username, **json_object(SuspendMember))  # validated there
    return _suspension(user)


@route("/users/<username>/suspension", "DELETE", summary="Lift a suspension (moderators)", auth="required",
       status=204, errors=(401, 403, 404, 409))
def lift(username: str):
    services.lift_suspension(require_user(), username)
    return "", 204


@route("/users/<username>/posting-restriction", "PUT", summary="Restrict a member's posting until a time, with a "
       "reason: one question per FORUM_QUESTION_INTERVAL_MINUTES (moderators; members only)", auth="required",
       body=RestrictPosting, response=schemas.PostingRestrictionOut, errors=(400, 401, 403, 404, 422))
def restrict_posting(username: str):
    user = services.restrict_posting(require_user(), username, **json_object(RestrictPosting))  # validated there
    return _restriction(user)


@route("/users/<username>/posting-restriction", "DELETE", summary="Lift a posting restriction (moderators)",
       auth="required", status=204, errors=(401, 403, 404, 409))
def lift_posting_restriction(username: str):
    services.lift_posting_restriction(require_user(), username)
    return "", 204


@route("/watched-words", "GET", summary="Watched words (moderators)", auth="required",
       response=list[schemas.WatchedWordOut], errors=(401, 403))
def watched_words():
    words = services.watched_words(require_user())
    items = [_word(w) for w in words]
    return listing(items, 1, max(1, len(items)), len(items))


def _word(word) -> dict:
    return {"id": word.id, "pattern": word.pattern, "action": word.action.value, "is_regex": word.is_regex,
            "created_at": iso(word.created_at)}


@route("/watched-words", "POST", summary="Watch a word or regular expression: block, hold or censor "
       "(moderators)", auth="required", body=WatchWord, response=schemas.WatchedWordOut, status=201,
       errors=(400, 401, 403, 409, 422))
def watch_word():
    word = services.add_watched_word(require_user(), **json_object(WatchWord))  # validated by policy, once
    return _word(word), 201


@route("/watched-words/<int:word_id>", "DELETE", summary="Stop watching a word (moderators)", auth="required",
       status=204, errors=(401, 403, 404))
def unwatch_word(word_id: int):
    services.remove_watched_word(require_user(), word_id)
    return "", 204


@route("/moderation/log", "GET", summary="Moderator actions, newest first (moderators)", auth="required",
       response=list[schemas.LogEntryOut], query={"user": "only actions about this member", "page": "page number",
                                                  "per_page": "at most 100"}, errors=(401, 403, 404))
def log():
    from flask import request

    page, per_page = page_args()
    result = services.action_log(require_user(), username=request.args.get("user") or None, page=page,
                                 per_page=per_page)
    items = [{"id": e.id, "action": e.action.value, "actor": e.actor.username if e.actor else None,
              "user": e.user.username if e.user else None, "question_id": e.question_id, "answer_id": e.answer_id,
              "comment_id": e.comment_id, "reason": services.log_reason(e),  # in the request's language
              "created_at": iso(e.created_at)}
             for e in result.items]
    return listing(items, result.page, result.per_page, result.total)


# --- private details: redacting the history, cutting out what the guard warned about -----------

def _redact_route(kind: str) -> None:
    def view(post_id: int, number: int):
        fields = json_object(RedactRevision)  # validated by the service, once
        revision = services.redact_revision(require_user(), kind, post_id, number, **fields)
        return serialize.revision(revision)

    view.__name__ = view.__qualname__ = f"redact_{kind}_revision"
    route(f"/{kind}s/<int:post_id>/revisions/<int:number>/redact", "POST",
          summary=f"Redact an earlier revision of a {kind} that showed private details: its text is replaced in "
          "the database, the action logged and the author told (moderators, staff). The current revision is "
          "refused (409 current_revision): edit the post first", auth="required", body=RedactRevision,
          response=schemas.RevisionOut, errors=(400, 401, 403, 404, 409, 422))(view)


for _kind in ("question", "answer"):
    _redact_route(_kind)


def _remove_private_route(kind: str) -> None:
    def view(post_id: int):
        actor = require_user()
        post = services.remove_private_details(actor, kind, post_id)
        if kind == "question":
            data = question_detail(post.id)
        elif kind == "answer":
            data = answer_detail(post.id)
        else:
            data = serialize.comment(post)
        return {**data, "warnings": serialize.warnings(post)}

    view.__name__ = view.__qualname__ = f"remove_private_{kind}"
    response = {"question": schemas.QuestionOut, "answer": schemas.AnswerOut, "comment": schemas.CommentOut}[kind]
    route(f"/{kind}s/<int:post_id>/private-details/remove", "POST",
          summary=f"Cut the order numbers and street addresses the privacy guard warned about out of a {kind}'s "
          "current text and its current revision, in place (the author, the revision's editor, moderators)",
          auth="required", response=response, errors=(401, 403, 404))(view)


for _kind in services.POST_KINDS:
    _remove_private_route(_kind)
