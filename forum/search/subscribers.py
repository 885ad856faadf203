"""Every change that alters what the search documents say queues it for the indexer, in the same
transaction, and wakes the indexer after the commit: as narrowly as it is (SearchOutbox), so that
a vote writes one score and an answer one document, not the whole thread."""
from __future__ import annotations

from forum.core import signals
from forum.core.db import on_commit
from forum.search import indexer


def _queue(question_id: int, *, answer_id: int | None = None, scope: str = "thread") -> None:
    indexer.enqueue(question_id, answer_id=answer_id, scope=scope)
    on_commit(indexer.notify)


def _question(sender, **_):
    _queue(sender.id)


def _answer_and_question(sender, **_):
    """An answer's own document, and its question's (whose flags say whether the thread is
    answered, accepted, verified); the other answers are unchanged."""
    _queue(sender.question_id, scope="post")
    _queue(sender.question_id, answer_id=sender.id, scope="post")


def _accepted(sender, previous_answer_id=None, **_):
    _answer_and_question(sender)
    if previous_answer_id is not None:  # the acceptance moved: that answer loses its mark
        _queue(sender.question_id, answer_id=previous_answer_id, scope="post")


def _voted(sender, **_):
    """Only the post's score changed."""
    from forum.questions.models import Answer

    if isinstance(sender, Answer):
        _queue(sender.question_id, answer_id=sender.id, scope="score")
    else:
        _queue(sender.id, scope="score")


def _moderated(sender, **_):
    from forum.questions.models import Comment
    from forum.questions.services import thread_id_of

    if isinstance(sender, Comment):
        return  # comments are not indexed
    _queue(thread_id_of(sender))


def connect() -> None:
    for signal in (signals.question_asked, signals.question_edited, signals.question_deleted):
        signal.connect(_question)
    for signal in (signals.answer_posted, signals.answer_edited, signals.answer_deleted, signals.answer_unaccepted,
                   signals.answer_verified, signals.answer_unverified):
        signal.connect(_answer_and_question)
    signals.answer_accepted.connect(_accepted)
    signals.vote_cast.connect(_voted)
    # Moderation moves posts in and out of sight (held, released, undeleted) and closes threads.
    for signal in (signals.post_held, signals.post_released, signals.post_undeleted,
                   signals.question_state_changed):
        signal.connect(_moderated)
