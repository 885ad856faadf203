"""What votes add to other features' pages (connected by create_app)."""
from __future__ import annotations

from forum.core import signals
from forum.votes.queries import my_votes


def _thread_votes(thread, actor=None, **_):
    question_votes, answer_votes = my_votes(actor, question_ids=[thread.question.id],
                                            answer_ids=[a.id for a in thread.answers])
    return {"my_question_vote": question_votes.get(thread.question.id, 0), "my_answer_votes": answer_votes}


def connect() -> None:
    signals.thread_rendering.connect(_thread_votes)
