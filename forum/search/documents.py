"""What the index holds: one document per live question and per live answer, built from the
database (the source of truth) for whole threads, or for single posts when only they changed."""
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


def _question_doc(question: Question, answered: bool) -> SearchDoc:
    flags = {"question"} | ({"open"} if question.status is QuestionStatus.OPEN else set())
    if not answered:
        flags.add("unanswered")
    if question.has_verified_answer:
        flags.add("verified")
    if question.accepted_answer_id is not None:
        flags.add("accepted")
    return SearchDoc(f"q{question.id}", "question", question.id, None, question.title,
                     plain_text(question.body_html), [fold(t) for t in question.tag_names], question.category.value,
                     fold(question.author.username), flags, question.score, question.created_at)


def _answer_doc(answer: Answer, question: Question, verified: dict) -> SearchDoc:
    flags = (set() if question.status is not QuestionStatus.OPEN else {"open"}) | {"answer"}
    view = verified.get(answer.id)
    if view is not None and not view.stale:
        flags.add("verified")
    if question.accepted_answer_id == answer.id:
        flags.add("accepted")
    # An answer matches by its own text; the thread's title is the question's document.
    return SearchDoc(f"a{answer.id}", "answer", question.id, answer.id, "", plain_text(answer.body_html),
                     [fold(t) for t in question.tag_names], question.category.value, fold(answer.author.username),
                     flags, answer.score, answer.created_at)


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
    answered = {answer.question_id for answer in answers}
    docs = [_question_doc(question, question.id in answered) for question in questions]
    docs += [_answer_doc(answer, by_id[answer.question_id], verified) for answer in answers]
    return docs


def post_documents(keys) -> list[SearchDoc]:
    """The documents of these posts alone (keys q<id> and a<id>) as they are now: none for a post
    that is deleted or held, or whose question is. The rest of their threads is not read."""
    question_ids = {int(key[1:]) for key in keys if key.startswith("q")}
    answer_ids = {int(key[1:]) for key in keys if key.startswith("a")}
    answers = db.session.scalars(
        sa.select(Answer).where(Answer.id.in_(sorted(answer_ids)), Answer.public())
    ).unique().all() if answer_ids else []
    thread_ids = question_ids | {answer.question_id for answer in answers}
    if not thread_ids:
        return []
    questions = {q.id: q for q in db.session.scalars(
        sa.select(Question).where(Question.id.in_(sorted(thread_ids)), Question.public())).unique()}
    answered = set(db.session.scalars(
        sa.select(Answer.question_id).where(Answer.question_id.in_(sorted(question_ids & set(questions))),
                                            Answer.public()).distinct())) if question_ids & set(questions) else set()
    docs = [_question_doc(questions[qid], qid in answered) for qid in sorted(question_ids) if qid in questions]
    answers = [answer for answer in answers if answer.question_id in questions]
    verified = verifications_for(answers)
    docs += [_answer_doc(answer, questions[answer.question_id], verified) for answer in answers]
    return docs


def post_scores(keys) -> dict[str, int]:
    """The score of each of these posts that is in sight (keys q<id> and a<id>), in two small reads."""
    scores: dict[str, int] = {}
    for prefix, model in (("q", Question), ("a", Answer)):
        ids = sorted(int(key[1:]) for key in keys if key.startswith(prefix))
        if ids:
            scores.update((f"{prefix}{post_id}", score) for post_id, score in db.session.execute(
                sa.select(model.id, model.score).where(model.id.in_(ids), model.public())))
    return scores


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
