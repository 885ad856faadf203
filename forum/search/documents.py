"""What the index holds: one document per live question and per live answer, built from the
database (the source of truth) for whole threads at a time."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from forum.core.markup import plain_text
from forum.extensions import db
from forum.questions.models import Answer, Question, QuestionStatus
from forum.search.analysis import fold
from forum.verification.queries import verifications_for

VERIFIED_BOOST = 0.5
ACCEPTED_BOOST = 0.3


@dataclass
class SearchDoc:
    key: str
    kind: str  # "question" | "answer"
    question_id: int
    answer_id: int | None
    title: str
    body: str
    tags: list[str]
    category: str
    author: str
    flags: set[str] = field(default_factory=set)
    score: int = 0
    created_at: datetime | None = None

    @property
    def boost(self) -> float:
        return 1.0 + VERIFIED_BOOST * ("verified" in self.flags) + ACCEPTED_BOOST * ("accepted" in self.flags)


def thread_documents(question_ids: list[int]) -> list[SearchDoc]:
    """The documents of these threads as they are now (none for deleted or held posts)."""
    if not question_ids:
        return []
    questions = db.session.scalars(
        sa.select(Question).where(Question.id.in_(question_ids), Question.public())
    ).unique().all()
    if not questions:
        return []
    by_id = {q.id: q for q in questions}
    answers = db.session.scalars(
        sa.select(Answer).where(Answer.question_id.in_(list(by_id)), Answer.public())
    ).unique().all()
    verified = verifications_for(answers)
    live_answers: dict[int, int] = {}
    for answer in answers:
        live_answers[answer.question_id] = live_answers.get(answer.question_id, 0) + 1

    docs: list[SearchDoc] = []
    for question in questions:
        tags = [fold(t) for t in question.tag_names]
        thread_flags = {"open"} if question.status is QuestionStatus.OPEN else set()
        if not live_answers.get(question.id):
            thread_flags.add("unanswered")
        flags = thread_flags | {"question"}
        if question.has_verified_answer:
            flags.add("verified")
        if question.accepted_answer_id is not None:
            flags.add("accepted")
        docs.append(SearchDoc(f"q{question.id}", "question", question.id, None, question.title,
                              plain_text(question.body_html), tags, question.category.value,
                              fold(question.author.username), flags, question.score, question.created_at))
    for answer in answers:
        question = by_id[answer.question_id]
        flags = (set() if question.status is not QuestionStatus.OPEN else {"open"}) | {"answer"}
        view = verified.get(answer.id)
        if view is not None and not view.stale:
            flags.add("verified")
        if question.accepted_answer_id == answer.id:
            flags.add("accepted")
        # An answer matches by its own text; the thread's title is the question's document.
        docs.append(SearchDoc(f"a{answer.id}", "answer", question.id, answer.id, "",
                              plain_text(answer.body_html), [fold(t) for t in question.tag_names],
                              question.category.value, fold(answer.author.username), flags, answer.score,
                              answer.created_at))
    return docs


def all_thread_ids(batch: int = 500) -> Iterator[list[int]]:
    """Every live question id, in batches (for a rebuild)."""
    last = 0
    while True:
        ids = list(db.session.scalars(
            sa.select(Question.id).where(Question.id > last, Question.public())
            .order_by(Question.id).limit(batch)))
        if not ids:
            return
        yield ids
        last = ids[-1]
