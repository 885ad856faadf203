"""Who hears of what (connected by create_app). Everything runs inside the event's transaction."""
from __future__ import annotations

from forum.core import signals
from forum.extensions import db
from forum.notifications import services
from forum.notifications.kinds import Kind
from forum.questions.models import Answer, Question


def _question_asked(question: Question, actor, **_):
    services.follow(actor.id, question_id=question.id)
    mentioned = services.mentioned_users(question.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=question.id)
    services.notify(services.tag_and_category_followers(question) - mentioned, Kind.NEW_QUESTION_FOLLOWED,
                    actor_id=actor.id, question_id=question.id)


def _answer_posted(answer: Answer, actor, **_):
    services.follow(actor.id, question_id=answer.question_id)
    mentioned = services.mentioned_users(answer.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=answer.question_id, answer_id=answer.id)
    services.notify(services.question_followers(answer.question_id) - mentioned, Kind.NEW_ANSWER, actor_id=actor.id,
                    question_id=answer.question_id, answer_id=answer.id)


def _comment_posted(comment, actor, **_):
    if comment.answer_id is not None:
        answer = db.session.get(Answer, comment.answer_id)
        question_id, answer_id = answer.question_id, answer.id
        audience = {answer.author_id} | services.question_followers(question_id)
    else:
        question_id, answer_id = comment.question_id, None
        audience = services.question_followers(question_id)
    mentioned = services.mentioned_users(comment.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=question_id, answer_id=answer_id,
                    comment_id=comment.id)
    services.notify(audience - mentioned, Kind.NEW_COMMENT, actor_id=actor.id, question_id=question_id,
                    answer_id=answer_id, comment_id=comment.id)


def _answer_accepted(answer: Answer, actor, **_):
    services.notify({answer.author_id}, Kind.ANSWER_ACCEPTED, actor_id=actor.id, question_id=answer.question_id,
                    answer_id=answer.id)


def _answer_verified(answer: Answer, actor, first=True, **_):
    question = db.session.get(Question, answer.question_id)
    audience = {answer.author_id, question.author_id} if first else {answer.author_id}
    services.notify(audience, Kind.ANSWER_VERIFIED, actor_id=actor.id, question_id=answer.question_id,
                    answer_id=answer.id)


def _badge_awarded(kind, user_id: int, question_id=None, answer_id=None, **_):
    services.notify({user_id}, Kind.BADGE, actor_id=None, question_id=question_id, answer_id=answer_id,
                    detail=kind.value)


def connect() -> None:
    signals.question_asked.connect(_question_asked)
    signals.answer_posted.connect(_answer_posted)
    signals.comment_posted.connect(_comment_posted)
    signals.answer_accepted.connect(_answer_accepted)
    signals.answer_verified.connect(_answer_verified)
    signals.badge_awarded.connect(_badge_awarded)
