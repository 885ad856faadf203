"""The read side of questions: lists, a thread, revisions, profiles. Each issues a fixed number of
queries whatever the number of rows (relationships are `raise_on_sql`, so every load is explicit)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer, joinedload, selectinload

from forum.auth.models import User
from forum.core.enums import TitledEnum
from forum.core.pagination import MAX_PER_PAGE, Page
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.questions.models import Answer, Category, Comment, Question, QuestionTally, Revision, Tag, question_tags


class Tab(TitledEnum):
    NEWEST = "newest", _l("Newest")
    ACTIVE = "active", _l("Active")
    VOTES = "votes", _l("Most votes")
    UNANSWERED = "unanswered", _l("Unanswered")
    UNSOLVED = "unsolved", _l("Unsolved")


def list_questions(*, tab: Tab = Tab.NEWEST, category: Category | None = None, tag: str | None = None,
                   author_id: int | None = None, verified: bool | None = None, page: int = 1,
                   per_page: int = 20, pinned_first: bool = False) -> Page[Question]:
    """Live questions for a tab, optionally in one category, with one tag, with or without a
    staff-verified answer; authors and tags loaded.

    `pinned_first` (the home list's default tab, all or one category): the pinned questions come
    first, newest pin first, then the others in the tab's order; pinned ones are not repeated. The
    pages stay exact (the pins take the first places of page 1), and the total is the same."""
    where = [Question.public()]
    if verified is not None:
        where.append(Question.has_verified_answer.is_(verified))
    if category is not None:
        where.append(Question.category == category)
    if tag:
        where.append(Question.id.in_(
            sa.select(question_tags.c.question_id).join(Tag).where(Tag.name == tag)
        ))
    if author_id is not None:
        where.append(Question.author_id == author_id)
    if tab is Tab.UNANSWERED:
        where.append(Question.answer_count == 0)
    elif tab is Tab.UNSOLVED:
        where.append(Question.accepted_answer_id.is_(None))
        where.append(Question.has_verified_answer.is_(False))
    order = {
        Tab.NEWEST: [Question.created_at.desc()],
        Tab.ACTIVE: [Question.last_activity_at.desc()],
        Tab.VOTES: [Question.score.desc(), Question.created_at.desc()],
        Tab.UNANSWERED: [Question.created_at.desc()],
        Tab.UNSOLVED: [Question.created_at.desc()],
    }[tab]
    if tag or author_id is not None:
        # Bounded by one tag's or one member's questions (an index each), not by the forum.
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(*where)) or 0
    else:
        total = tally(tab=tab, category=category, verified=verified)
    pins: list[Question] = []
    if pinned_first and tab is Tab.NEWEST and not tag and author_id is None and verified is None:
        pins = pinned_questions(category)
    # The pins are the first rows of one list: page p shows rows [offset, offset + per_page) of the
    # pins followed by the others (however many pins and however small the page).
    offset = (page - 1) * per_page
    shown_pins = pins[offset:offset + per_page]
    limit = per_page - len(shown_pins)
    if pins:
        where.append(Question.id.not_in([q.id for q in pins]))
        offset = max(offset - len(pins), 0)
    items = db.session.scalars(
        sa.select(Question).where(*where).order_by(*order, Question.id.desc())
        # Lists show a title and an excerpt (from the HTML), never the Markdown source: leave it in
        # the database, and fail loudly if a list ever reads it (one query per row otherwise).
        .options(joinedload(Question.author), selectinload(Question.tags), defer(Question.body, raiseload=True))
        .limit(limit).offset(offset)
    ).unique().all() if limit else []
    return Page([*shown_pins, *items], page, per_page, total, pinned_ids=frozenset(q.id for q in shown_pins))


def pinned_questions(category: Category | None = None) -> list[Question]:
    """The public pinned questions (all, or of one category), newest pin first: a handful of rows
    read from their own partial index (ix_questions_pinned), authors and tags loaded. The category
    is picked here, not in SQL: a planner told of it takes the category's index and sorts."""
    pinned = db.session.scalars(
        sa.select(Question).where(Question.pinned_at.is_not(None), Question.public())
        .order_by(Question.pinned_at.desc(), Question.id.desc())
        .options(joinedload(Question.author), selectinload(Question.tags), defer(Question.body, raiseload=True))
        .limit(MAX_PER_PAGE)
    ).unique().all()
    return [q for q in pinned if category is None or q.category == category]


@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    question_comments: list[Comment]
    answer_comments: dict[int, list[Comment]] = field(default_factory=dict)


def answer_order(question: Question) -> list:
    """Answers: the accepted one first, then by score, then oldest first."""
    accepted_first = sa.case((Answer.id == question.accepted_answer_id, 0), else_=1) \
        if question.accepted_answer_id else sa.literal(1)
    return [accepted_first, Answer.score.desc(), Answer.created_at.asc(), Answer.id.asc()]


def _visible(model, viewer):
    """Live posts that `viewer` may see: public ones, and held ones to their author and moderators."""
    if signed_in(viewer):
        if viewer.role.is_moderator and not viewer.is_suspended:
            return model.deleted_at.is_(None)
        return sa.and_(model.deleted_at.is_(None), sa.or_(model.held_at.is_(None), model.author_id == viewer.id))
    return model.public()


def load_thread(question: Question, viewer=None) -> Thread:
    """A question's live answers and comments that `viewer` may see, authors loaded (two queries;
    the question itself was loaded with its author and tags)."""
    answers = list(db.session.scalars(
        sa.select(Answer).where(Answer.question_id == question.id, _visible(Answer, viewer))
        .order_by(*answer_order(question)).options(joinedload(Answer.author))
    ))
    answer_ids = [a.id for a in answers]
    comments = db.session.scalars(
        sa.select(Comment).where(
            _visible(Comment, viewer),
            sa.or_(Comment.question_id == question.id, Comment.answer_id.in_(answer_ids) if answer_ids
                   else sa.false()),
        ).order_by(Comment.created_at, Comment.id).options(joinedload(Comment.author))
    ).all()
    thread = Thread(question, answers, [c for c in comments if c.question_id == question.id])
    for comment in comments:
        if comment.answer_id is not None:
            thread.answer_comments.setdefault(comment.answer_id, []).append(comment)
    return thread


def load_answers(question: Question) -> list[Answer]:
    return load_thread(question).answers


def revisions_of(*, question_id: int | None = None, answer_id: int | None = None, page: int = 1,
                 per_page: int = MAX_PER_PAGE, newest_first: bool = False) -> Page[Revision]:
    """One page of a post's revisions, editors loaded."""
    column = Revision.question_id if question_id is not None else Revision.answer_id
    target = question_id if question_id is not None else answer_id
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Revision).where(column == target)) or 0
    order = Revision.number.desc() if newest_first else Revision.number
    items = db.session.scalars(
        sa.select(Revision).where(column == target).order_by(order).options(joinedload(Revision.editor))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, per_page, total)


def revision_before(revision: Revision) -> Revision | None:
    """The revision that `revision` replaced (number - 1 of the same post)."""
    column = Revision.question_id if revision.question_id is not None else Revision.answer_id
    target = revision.question_id if revision.question_id is not None else revision.answer_id
    return db.session.scalar(sa.select(Revision).where(column == target, Revision.number == revision.number - 1))


def answers_by(user: User, *, page: int = 1, per_page: int = 20) -> Page[Answer]:
    """A member's live answers on live questions, newest first, each with its question."""
    where = [Answer.author_id == user.id, Answer.public(), Question.public()]
    base = sa.select(Answer).join(Question, Question.id == Answer.question_id).where(*where)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    items = db.session.scalars(
        base.order_by(Answer.created_at.desc(), Answer.id.desc())
        .options(joinedload(Answer.question)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, per_page, total)


def popular_tags(limit: int = 20) -> list[Tag]:
    return list(db.session.scalars(
        sa.select(Tag).where(Tag.question_count > 0).order_by(Tag.question_count.desc(), Tag.name).limit(limit)
    ))


def get_tag(name: str) -> Tag | None:
    return db.session.scalar(sa.select(Tag).where(Tag.name == name))


def tally(*, tab: Tab = Tab.NEWEST, category: Category | None = None, verified: bool | None = None) -> int:
    """How many public questions a list shows: a sum over the few tally rows that match (at most 40,
    kept by triggers; QuestionTally), whatever the size of the forum."""
    where = []
    if category is not None:
        where.append(QuestionTally.category == category.value)
    if verified is not None:
        where.append(QuestionTally.verified.is_(verified))
    if tab is Tab.UNANSWERED:
        where.append(QuestionTally.answered.is_(False))
    elif tab is Tab.UNSOLVED:
        where += [QuestionTally.accepted.is_(False), QuestionTally.verified.is_(False)]
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(QuestionTally.n), 0)).where(*where)) or 0
