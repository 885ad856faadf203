"""The read side of verification: badges on answers, answer order, the staff queue, the audit log,
the knowledge base."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.auth.models import User
from forum.core.markup import render_markdown
from forum.core.pagination import Page
from forum.extensions import db
from forum.questions.models import Answer, Category, Question, Revision
from forum.verification.models import Verification, VerificationAudit


@dataclass
class VerificationView:
    """What readers see of an answer's verification."""

    by: User
    at: datetime
    note: str
    revision_number: int
    current_revision: int

    @property
    def stale(self) -> bool:
        """Edited since staff verified it."""
        return self.current_revision > self.revision_number


def verifications_for(answers) -> dict[int, VerificationView]:
    """Active verifications of these answers, verifiers loaded (one query)."""
    by_id = {a.id: a for a in answers}
    if not by_id:
        return {}
    rows = db.session.scalars(sa.select(Verification).where(Verification.answer_id.in_(list(by_id)),
                                                            Verification.ended_at.is_(None)))
    return {v.answer_id: VerificationView(v.verified_by, v.created_at, v.shown_note, v.revision_number,
                                          by_id[v.answer_id].revision_count) for v in rows}


def order_answers(question: Question, answers: list[Answer], verified: dict[int, VerificationView]) -> list[Answer]:
    """Verified answers first (an answer edited since verification loses that place), then the
    accepted one, then the rest in their order (score, then age)."""
    def rank(answer: Answer) -> int:
        view = verified.get(answer.id)
        if view is not None and not view.stale:
            return 0
        return 1 if answer.id == question.accepted_answer_id else 2

    return sorted(answers, key=rank)  # sorted() is stable: score order holds within a rank


def verified_revision(answer_id: int, number: int) -> Revision | None:
    return db.session.scalar(sa.select(Revision).where(Revision.answer_id == answer_id, Revision.number == number))


def reverification_queue() -> list[tuple[Answer, Question, Verification]]:
    """Verified answers edited since staff checked them, oldest edit first."""
    rows = db.session.execute(
        sa.select(Answer, Question, Verification)
        .join(Verification, sa.and_(Verification.answer_id == Answer.id, Verification.ended_at.is_(None)))
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.revision_count > Verification.revision_number, Answer.public(), Question.public())
        .order_by(Answer.updated_at)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def audit_log(*, page: int = 1, per_page: int = 50) -> Page[tuple[VerificationAudit, Question]]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(VerificationAudit)) or 0
    rows = db.session.execute(
        sa.select(VerificationAudit, Question).join(Question, Question.id == VerificationAudit.question_id)
        .order_by(VerificationAudit.created_at.desc(), VerificationAudit.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page([(row[0], row[1]) for row in rows], page, per_page, total)


@dataclass
class KnowledgeEntry:
    question: Question
    answer: Answer
    verification: Verification
    body_html: str  # the verified revision, as staff checked it
    stale: bool


def knowledge_base(*, category: Category | None = None, text: str | None = None) -> dict[Category, list[KnowledgeEntry]]:
    """Verified answers on live questions, grouped by category, newest verification first; `text`
    narrows them to those whose question or answer contains it."""
    query = (sa.select(Verification, Answer, Question, Revision)
             .join(Answer, Answer.id == Verification.answer_id)
             .join(Question, Question.id == Answer.question_id)
             .join(Revision, sa.and_(Revision.answer_id == Answer.id, Revision.number == Verification.revision_number))
             .where(Verification.ended_at.is_(None), Answer.public(), Question.public())
             .options(joinedload(Answer.author))
             .order_by(Verification.created_at.desc()))
    if category is not None:
        query = query.where(Question.category == category)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Question.title.ilike(pattern, escape="\\"), Revision.body.ilike(pattern, escape="\\")))
    grouped: dict[Category, list[KnowledgeEntry]] = {c: [] for c in Category}
    for verification, answer, question, revision in db.session.execute(query).unique().all():
        stale = answer.revision_count > verification.revision_number
        body_html = answer.body_html if not stale else render_markdown(revision.body)
        grouped[question.category].append(KnowledgeEntry(question, answer, verification, body_html, stale))
    return {c: entries for c, entries in grouped.items() if entries}
