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


@dataclass
class KnowledgeQuestion:
    """A question in the knowledge base, once, with its verified answers: those still as staff
    checked them first, then the newest verification first."""

    question: Question
    entries: list[KnowledgeEntry]

    @property
    def best(self) -> KnowledgeEntry:
        return self.entries[0]

    @property
    def others(self) -> list[KnowledgeEntry]:
        return self.entries[1:]


@dataclass
class KnowledgeBase:
    """One page of the knowledge base: questions grouped by category (in the categories' order),
    `counts` the questions in each category across all pages, `page` the page's questions."""

    groups: dict[Category, list[KnowledgeQuestion]]
    counts: dict[Category, int]
    page: Page[KnowledgeQuestion]

    def __bool__(self) -> bool:
        return bool(self.groups)


def _kb_filters(category: Category | None, text: str | None) -> list:
    where = [Verification.ended_at.is_(None), Answer.public(), Question.public()]
    if category is not None:
        where.append(Question.category == category)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(sa.or_(Question.title.ilike(pattern, escape="\\"), Revision.body.ilike(pattern, escape="\\")))
    return where


def _kb_joined(*columns):
    return (sa.select(*columns)
            .select_from(Verification)
            .join(Answer, Answer.id == Verification.answer_id)
            .join(Question, Question.id == Answer.question_id)
            .join(Revision, sa.and_(Revision.answer_id == Answer.id, Revision.number == Verification.revision_number)))


def knowledge_base(*, category: Category | None = None, text: str | None = None, page: int = 1,
                   per_page: int = 20) -> KnowledgeBase:
    """Questions with verified answers on live questions, each question once (however many of its
    answers staff verified), grouped by category, the newest verification first within one;
    `text` narrows them to the verified answers whose question or verified text contains it.
    Paginated by question: the same counts and pages on SQLite and PostgreSQL."""
    where = _kb_filters(category, text)
    order = sa.case({c.value: i for i, c in enumerate(Category)}, value=sa.cast(Question.category, sa.String))
    counts_rows = db.session.execute(
        _kb_joined(Question.category, sa.func.count(sa.distinct(Question.id))).where(*where).group_by(Question.category)
    ).all()
    counts = {Category(c) if not isinstance(c, Category) else c: n for c, n in counts_rows}
    total = sum(counts.values())
    newest = sa.func.max(Verification.created_at)
    ids = list(db.session.scalars(
        _kb_joined(Question.id).where(*where)
        .group_by(Question.id, Question.category)
        .order_by(sa.func.min(order), newest.desc(), Question.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    entries: dict[int, list[KnowledgeEntry]] = {qid: [] for qid in ids}
    questions: dict[int, Question] = {}
    if ids:
        rows = db.session.execute(
            _kb_joined(Verification, Answer, Question, Revision).where(*where, Question.id.in_(ids))
            .options(joinedload(Answer.author))
            .order_by(Verification.created_at.desc(), Verification.id.desc())).unique().all()
        for verification, answer, question, revision in rows:
            stale = answer.revision_count > verification.revision_number
            body_html = answer.body_html if not stale else render_markdown(revision.body)
            questions[question.id] = question
            entries[question.id].append(KnowledgeEntry(question, answer, verification, body_html, stale))
    items = [KnowledgeQuestion(questions[qid], sorted(entries[qid], key=lambda e: e.stale)) for qid in ids if entries[qid]]
    groups: dict[Category, list[KnowledgeQuestion]] = {}
    for item in items:
        groups.setdefault(item.question.category, []).append(item)
    return KnowledgeBase(groups, {c: counts[c] for c in Category if c in counts},
                         Page(items, page, per_page, total))
