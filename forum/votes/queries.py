"""The read side of votes."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.core.db import is_row_id
from forum.core.errors import NotFound
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.questions.models import Answer
from forum.votes.models import Vote


def my_votes(user, *, question_ids=(), answer_ids=()) -> tuple[dict[int, int], dict[int, int]]:
    """The member's votes on these posts: ({question_id: value}, {answer_id: value}); one query."""
    if not signed_in(user) or not (question_ids or answer_ids):
        return {}, {}
    rows = db.session.execute(
        sa.select(Vote.question_id, Vote.answer_id, Vote.value).where(
            Vote.user_id == user.id,
            sa.or_(Vote.question_id.in_(list(question_ids)), Vote.answer_id.in_(list(answer_ids))),
        )
    ).all()
    questions = {r.question_id: r.value for r in rows if r.question_id is not None}
    answers = {r.answer_id: r.value for r in rows if r.answer_id is not None}
    return questions, answers


def thread_of_answer(answer_id: int) -> int:
    """The question holding this live answer (where a vote from the page goes back to); NotFound
    for an answer that is gone or held."""
    found = db.session.scalar(sa.select(Answer.question_id).where(Answer.id == answer_id, Answer.public())) \
        if is_row_id(answer_id) else None
    if found is None:
        raise NotFound(_("This answer does not exist or was deleted."))
    return found
