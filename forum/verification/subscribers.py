"""What verification does when answers and posts change elsewhere (connected by its init_app)."""
from __future__ import annotations

from forum.core import signals
from forum.verification import services


def _answer_deleted(answer, actor=None, **_):
    services.end_for_deleted_answer(answer, actor)


def _answer_edited(answer, actor=None, **_):
    services.refresh_after_edit(answer)


def _question_deleted(question, actor=None, **_):
    services.end_for_deleted_question(question, actor)


def _moderated(post, **_):
    from forum.questions.models import Answer

    if isinstance(post, Answer):
        services.refresh_after_moderation(post)


def connect() -> None:
    for signal in (signals.post_held, signals.post_released, signals.post_undeleted):
        signal.connect(_moderated)
    signals.answer_deleted.connect(_answer_deleted)
    signals.answer_edited.connect(_answer_edited)
    signals.question_deleted.connect(_question_deleted)
