"""Questions, answers, comments and their revisions: the rules and the transactions.

Every public function takes the acting user, only flushes (the caller's unit of work commits:
forum.core.db), and raises a DomainError subclass:
ValidationFailed (fields), PermissionDenied, NotFound or Conflict.
"""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime, format_timedelta, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from forum.auth.models import User
from forum.core import signals
from forum.core.db import checkpoint, insert_ignoring_conflicts, is_row_id, serialise_transactions, utcnow
from forum.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from forum.core.markup import render_markdown
from forum.core.permissions import Privilege, can, ensure_not_suspended, is_moderator, signed_in
from forum.policy.services import screen
from forum.extensions import db
from forum.questions import rules
from forum.questions.schemas import AskQuestion, EditAnswer, EditQuestion, PostAnswer, PostComment
from forum.questions.models import (
    Answer,
    Category,
    Comment,
    HoldReason,
    Question,
    QuestionStatus,
    REDACTED_TEXT,
    Revision,
    Tag,
    question_tags,
)

# --- validation ----------------------------------------------------------------------------------

def preview_body(source: Any, author_id: int | None = None) -> str:
    """The sanitized HTML a question or answer body would be saved with, for the live preview.

    Raises ValidationFailed (field "body") when the body is longer than a post may be (counted as on
    saving); a body too short to post still previews."""
    if not isinstance(source, str):
        raise ValidationFailed({"body": _("%(what)s must be text.", what=_("The body"))})
    length = rules.text_length(source)
    if length > rules.BODY_MAX:
        raise ValidationFailed({"body": _("%(what)s can have at most %(max)d characters (now %(n)d).",
                                          what=_("The body"), max=rules.BODY_MAX, n=length)})
    return render_markdown(source, author_id)


def _tags_text(tag_names: list[str]) -> str:
    # Tags are public words: screened with the post (scam guard, watched words, privacy guard).
    return ", ".join(tag_names)


def _ensure_tags_pass(verdict, tag_names: list[str]) -> None:
    """A tag is a word, not prose: one that the screening would censor or cut is refused."""
    if "tags" in verdict.texts and verdict.texts["tags"] != _tags_text(tag_names):
        raise ValidationFailed({"tags": [_("A tag holds words that are not allowed here; choose other tags.")]})


def _require_member(actor: User | None, privilege: Privilege) -> User:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    ensure_not_suspended(actor)
    if not can(actor, privilege):
        raise PermissionDenied(_("You do not have the privilege to do this."))
    return actor


def _ensure_unlocked(actor: User, question: Question) -> None:
    """Locked threads take no answers, comments, votes or edits, except from moderators."""
    if question.is_locked and not is_moderator(actor):
        raise PermissionDenied(_("This thread is locked by a moderator: it takes no new answers, comments, "
                                 "votes or edits."), code="locked")


def _hold(post, verdict) -> None:
    if verdict.hold:
        post.held_at = utcnow()
        post.held_reason = HoldReason(verdict.hold)
        if isinstance(post, Question):
            post.pinned_at = None


def _unpinned(model) -> dict:
    """A question going out of sight (deleted or held) loses its pin, so that bringing it back can
    never make more pins than moderation.services.MAX_PINNED, and no hidden row keeps a place."""
    return {"pinned_at": None} if model is Question else {}


# --- new-member limits ----------------------------------------------------------------------------

# Transactions checking one member's pace take turns (see _check_pace): "pace" in ASCII.
_PACE_LOCK_SPACE = 0x70616365


def _pace_applies(actor: User) -> bool:
    from flask import current_app

    return bool(current_app.config.get("FORUM_RATE_LIMITS", True)) and not actor.role.is_moderator


def _check_pace(actor: User, *, question: bool) -> None:
    """How often a member may post. Staff and moderators are exempt; FORUM_RATE_LIMITS=off turns
    this off. New members (below FORUM_NEW_MEMBER_REPUTATION) wait FORUM_POST_INTERVAL_SECONDS
    between posts and ask at most FORUM_NEW_MEMBER_QUESTIONS_PER_DAY questions in any 24 hours
    (questions deleted or held since count too: deleting is no way round it). A member whose posting
    a moderator restricted (User.posting_restricted_until) asks one question per
    FORUM_QUESTION_INTERVAL_MINUTES. Cheap, so it runs before the post is screened or rendered. The
    member's posting transactions take turns from here to their commit, so that posts sent in
    parallel see each other: however many arrive at once, no more get through than these allow.
    Raises RateLimited (429, with Retry-After) with a message that says when to try again."""
    from flask import current_app

    cfg = current_app.config
    if not _pace_applies(actor):
        return
    new_member = actor.reputation < cfg["FORUM_NEW_MEMBER_REPUTATION"]
    per_day = cfg["FORUM_NEW_MEMBER_QUESTIONS_PER_DAY"]
    budgeted = question and new_member and per_day > 0
    restricted = question and actor.is_posting_restricted
    if not (new_member or restricted):
        return
    serialise_transactions(_PACE_LOCK_SPACE, actor.id)
    now = utcnow()  # read after the wait: a post committed meanwhile is in the past
    if new_member:
        times = [db.session.scalar(sa.select(sa.func.max(model.created_at)).where(model.author_id == actor.id))
                 for model in (Question, Answer, Comment)]
        latest = max((t for t in times if t is not None), default=None)
        wait = timedelta(seconds=cfg["FORUM_POST_INTERVAL_SECONDS"])
        if latest is not None and now - latest < wait:
            left = (wait - (now - latest)).total_seconds()
            raise RateLimited(_("New members wait %(seconds)d seconds between posts. Try again in %(left)d "
                                "seconds.", seconds=cfg["FORUM_POST_INTERVAL_SECONDS"], left=int(left) + 1),
                              retry_after=left + 1)
    if restricted:
        latest = db.session.scalar(sa.select(sa.func.max(Question.created_at)).where(Question.author_id == actor.id))
        wait = timedelta(minutes=cfg["FORUM_QUESTION_INTERVAL_MINUTES"])
        if latest is not None and now - latest < wait:
            left = (wait - (now - latest)).total_seconds()
            raise RateLimited(_("A moderator has limited you to one question every %(minutes)d minutes until "
                                "%(until)s (%(reason)s). Try again in %(left)d minutes.",
                                minutes=cfg["FORUM_QUESTION_INTERVAL_MINUTES"],
                                until=format_datetime(actor.posting_restricted_until, "yyyy-MM-dd HH:mm"),
                                reason=actor.posting_restriction_reason, left=int(left // 60) + 1),
                              retry_after=left + 1)
    if budgeted:
        # The per_day-th newest question of the last 24 hours: when it is a day old, one more fits.
        oldest_counted = db.session.scalar(
            sa.select(Question.created_at)
            .where(Question.author_id == actor.id, Question.created_at > now - timedelta(hours=24))
            .order_by(Question.created_at.desc()).offset(per_day - 1).limit(1))
        if oldest_counted is not None:
            next_at = oldest_counted + timedelta(hours=24)
            left = (next_at - now).total_seconds()
            raise RateLimited(ngettext(
                "Until you have %(rep)d reputation you can ask %(num)d question in 24 hours. You can ask your "
                "next one at %(time)s (%(wait)s).",
                "Until you have %(rep)d reputation you can ask %(num)d questions in 24 hours. You can ask your "
                "next one at %(time)s (%(wait)s).", per_day, rep=cfg["FORUM_NEW_MEMBER_REPUTATION"],
                time=format_datetime(next_at, "yyyy-MM-dd HH:mm"),
                wait=format_timedelta(timedelta(seconds=max(left, 60)), granularity="minute", threshold=1.0,
                                      add_direction=True)),
                retry_after=left + 1)


def _check_links(actor: User, html: str) -> None:
    """New members post few links (counted in the rendered post, as readers see them). Raises
    ValidationFailed."""
    from flask import current_app

    cfg = current_app.config
    if not _pace_applies(actor) or actor.reputation >= cfg["FORUM_NEW_MEMBER_REPUTATION"]:
        return
    if html.count("<a ") > cfg["FORUM_NEW_MEMBER_MAX_LINKS"]:
        raise ValidationFailed({"body": [_("New members can post at most %(max)d links. Earn a little reputation "
                                           "first, or leave some out.", max=cfg["FORUM_NEW_MEMBER_MAX_LINKS"])]})


# --- reading single objects ---------------------------------------------------------------------

def may_see(viewer, post) -> bool:
    """Held posts are seen by their author and moderators only."""
    if not post.is_held:
        return True
    return signed_in(viewer) and (
        viewer.id == post.author_id or (viewer.role.is_moderator and not viewer.is_suspended))


def get_question(question_id: Any, *, include_deleted: bool = False, viewer=None, author: bool = True) -> Question:
    """The question with this id. Raises NotFound for unknown, malformed or deleted ids, and for
    held questions unless `viewer` may see them (their author, moderators). With `author=False` the
    author is read only if used (the thread page: its shared part shows them from the cache)."""
    question = db.session.get(Question, question_id, options=_question_options(author)) \
        if is_row_id(question_id) else None
    return _visible(question, include_deleted, viewer)


def get_question_with(question_id: Any, columns: tuple, params: dict, *, viewer=None,
                      author: bool = True) -> tuple[Question, tuple]:
    """get_question, and `columns` (SQL expressions over the question's row, with bind parameters
    `params`: what the viewer did in the thread) read in the same statement, for a page that needs
    both in one round trip. The columns are built once by the caller (the statement is kept per them)."""
    row = db.session.execute(_question_with(columns, author), {"question_id": question_id, **params}).first() \
        if is_row_id(question_id) else None
    return _visible(row[0] if row is not None else None, False, viewer), tuple(row[1:])


def _question_options(author: bool) -> list:
    # Tags are loaded when shown: a member's thread page from the shared fragments shows none of its own.
    return [lazyload(Question.tags)] + ([] if author else [lazyload(Question.author)])


@lru_cache(maxsize=16)
def _question_with(columns: tuple, author: bool) -> sa.Select:
    return (sa.select(Question, *columns).where(Question.id == sa.bindparam("question_id"))
            .options(*_question_options(author)))


def _visible(question: Question | None, include_deleted: bool, viewer) -> Question:
    if question is None or (question.is_deleted and not include_deleted) or not may_see(viewer, question):
        raise NotFound(_("This question does not exist or was deleted."))
    return question


def get_answer(answer_id: Any, *, viewer=None) -> Answer:
    """The answer with this id, on a live question. Raises NotFound (also for held answers or
    questions that `viewer` may not see)."""
    return get_answer_in_thread(answer_id, viewer=viewer)[0]


def get_answer_in_thread(answer_id: Any, *, viewer=None) -> tuple[Answer, Question]:
    """The answer and its question, as get_answer checks them: for a caller that needs both (the
    question would otherwise be loaded twice, the session keeping no object nobody holds)."""
    answer = db.session.get(Answer, answer_id) if is_row_id(answer_id) else None
    if answer is None or answer.is_deleted or not may_see(viewer, answer):
        raise NotFound(_("This answer does not exist or was deleted."))
    question = db.session.get(Question, answer.question_id)
    if question is None or question.is_deleted or not may_see(viewer, question):
        raise NotFound(_("This answer does not exist or was deleted."))
    return answer, question


def thread_id_of(post) -> int:
    """The id of the question whose thread holds `post` (a Question, an Answer or a Comment)."""
    if isinstance(post, Question):
        return post.id
    if isinstance(post, Answer) or post.question_id is not None:
        return post.question_id
    return db.session.scalar(sa.select(Answer.question_id).where(Answer.id == post.answer_id))


def get_comment(comment_id: Any, *, viewer=None) -> Comment:
    """The live comment with this id, on a live post. Raises NotFound."""
    comment = db.session.get(Comment, comment_id) if is_row_id(comment_id) else None
    if comment is None or comment.deleted_at is not None or not may_see(viewer, comment):
        raise NotFound(_("This comment does not exist or was deleted."))
    if comment.answer_id is not None:
        get_answer(comment.answer_id, viewer=viewer)
    else:
        get_question(comment.question_id, viewer=viewer)
    return comment




# --- tags ---------------------------------------------------------------------------------------

def _upsert_tags(names: list[str]) -> list[Tag]:
    if not names:
        return []
    now = utcnow()
    insert_ignoring_conflicts(Tag, [{"name": n, "question_count": 0, "created_at": now} for n in names], ["name"])
    tags = db.session.scalars(sa.select(Tag).where(Tag.name.in_(names))).all()
    by_name = {t.name: t for t in tags}
    return [by_name[n] for n in names]


def _adjust_tag_counts(tag_ids: list[int], delta: int) -> None:
    if tag_ids:
        db.session.execute(
            sa.update(Tag).where(Tag.id.in_(tag_ids)).values(question_count=Tag.question_count + delta)
        )


def _bump_user(user_id: int, **deltas: int) -> None:
    db.session.execute(
        sa.update(User).where(User.id == user_id).values(
            {getattr(User, k): getattr(User, k) + d for k, d in deltas.items()}
        )
    )


# --- questions ----------------------------------------------------------------------------------

def ask_question(actor: User, /, **fields) -> Question:
    """Post a question: `fields` are AskQuestion's (title 10–150, body 20–30,000: minimums weighted, a
    Chinese character counting 2, maximums characters; 1–5 tags, a known category, private_data),
    validated here once.

    The question is public at once and its first revision is recorded, unless the screening holds
    it for review (then it counts nowhere and is announced when released). Private data in the
    title or body raises PrivateDataFound unless `private_data="remove"`. Raises ValidationFailed
    or PermissionDenied.
    """
    _require_member(actor, Privilege.ASK)
    command = AskQuestion.parse(fields)
    title, body, tag_names, category = command.title, command.body, command.tags, command.category
    private_data = command.private_data or ""
    _check_pace(actor, question=True)
    verdict = screen("question", actor, {"title": title, "body": body, "tags": _tags_text(tag_names)},
                     private_data=private_data)
    title, body = verdict.texts["title"], verdict.texts["body"]
    _ensure_tags_pass(verdict, tag_names)
    body_html = render_markdown(body, actor.id)
    _check_links(actor, body_html)
    now = utcnow()
    question = Question(
        title=title, body=body, body_html=body_html, category=category, author_id=actor.id,
        created_at=now, updated_at=now, last_activity_at=now, revision_count=1,
    )
    _hold(question, verdict)
    question.screening_warnings = verdict.warnings
    question.tags = sorted(_upsert_tags(tag_names), key=lambda tag: tag.name)  # as the relationship orders them
    db.session.add(question)
    db.session.flush()
    db.session.add(Revision(question_id=question.id, number=1, editor_id=actor.id, title=title, body=body,
                            tags=" ".join(sorted(tag_names)), category=category.value, created_at=now,
                            summary=""))
    if question.is_held:
        signals.post_held.send(question, actor=actor, reason=question.held_reason, on_create=True,
                               detail=verdict.detail)
    else:
        _count_question(question, +1)
        signals.question_asked.send(question, actor=actor)
    db.session.flush()
    return question


def edit_question(actor: User, question_id, /, **fields) -> Question:
    """Change any of title, body, tags, category: `fields` are EditQuestion's (each checked as when
    asking; one left out or None stays as it is; summary at most 300 characters; private_data),
    validated here once, after the editor is known to be allowed. Every effective edit is a new revision.

    Allowed to the author and to those with the edit-others privilege. An edit that changes
    nothing records nothing. Raises NotFound, PermissionDenied, ValidationFailed.
    """
    get_question(question_id, viewer=actor)
    question = _question_for_update(question_id)  # concurrent edits number their revisions in turn
    _ensure_can_edit(actor, question)
    _ensure_unlocked(actor, question)
    command = EditQuestion.parse(fields)
    new_title = command.title if command.title is not None else question.title
    new_body = command.body if command.body is not None else question.body
    current_tags = _load_tags(question)
    new_tags = command.tags if command.tags is not None else [t.name for t in current_tags]
    new_category = command.category if command.category is not None else question.category
    summary, private_data = command.summary, command.private_data or ""
    texts = {"title": new_title, "body": new_body}
    if command.tags is not None:
        texts["tags"] = _tags_text(new_tags)
    if summary:
        # The edit summary is public too (revision history, page and API): screen it with the post.
        texts["summary"] = summary
    verdict = screen("question", actor, texts, private_data=private_data, question=question)
    new_title, new_body = verdict.texts["title"], verdict.texts["body"]
    summary = verdict.texts.get("summary", summary)
    _ensure_tags_pass(verdict, new_tags)
    tags_changed = set(new_tags) != {t.name for t in current_tags}
    changed = (new_title != question.title or new_body != question.body or tags_changed
               or new_category != question.category)
    if not changed:
        return question
    now = utcnow()
    if tags_changed:
        old_ids = {t.id for t in current_tags}
        tag_objs = _upsert_tags(new_tags)
        new_ids = {t.id for t in tag_objs}
        if not question.is_held:
            _adjust_tag_counts(list(old_ids - new_ids), -1)
            _adjust_tag_counts(list(new_ids - old_ids), +1)
        question.tags = sorted(tag_objs, key=lambda tag: tag.name)
    if new_body != question.body:
        question.body = new_body
        question.body_html = render_markdown(new_body, question.author_id)
    question.title = new_title
    question.category = new_category
    question.updated_at = now
    question.last_activity_at = now
    number = question.revision_count + 1
    question.revision_count = Question.revision_count + 1
    revision = Revision(question_id=question.id, number=number, editor_id=actor.id, title=new_title,
                        body=new_body, tags=" ".join(sorted(new_tags)), category=new_category.value,
                        summary=summary, created_at=now)
    db.session.add(revision)
    db.session.flush()
    if verdict.hold and not question.is_held:
        hide_post(question, HoldReason(verdict.hold), actor=actor, detail=verdict.detail)
    signals.question_edited.send(question, actor=actor, revision=revision)
    db.session.flush()
    question.screening_warnings = verdict.warnings
    return question


def _load_tags(question: Question) -> list[Tag]:
    return list(db.session.scalars(
        sa.select(Tag).join(question_tags).where(question_tags.c.question_id == question.id).order_by(Tag.name)
    ))


def _ensure_can_edit(actor: User | None, post) -> None:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    ensure_not_suspended(actor)
    if not can(actor, Privilege.EDIT_OTHERS, post):
        raise PermissionDenied(_("You can edit your own posts; editing others' posts needs more reputation."))


def delete_question(actor: User, question_id, *, reason: str = "") -> None:
    """Soft-delete a question: its author while it has no answers, or a moderator.

    Raises NotFound, PermissionDenied.
    """
    question = get_question(question_id, viewer=actor)
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if question.author_id != actor.id and actor.role.is_moderator:
        ensure_not_suspended(actor)  # suspension ends moderator powers
    if not actor.role.is_moderator:
        if question.author_id != actor.id:
            raise PermissionDenied(_("Only the author or a moderator can delete this question."))
        if question.answer_count > 0:
            raise PermissionDenied(_("A question with answers can only be deleted by a moderator."),
                                   code="has_answers")
    if not _mark_deleted(Question, question.id):
        raise NotFound(_("This question does not exist or was deleted."))
    if not question.is_held:
        _count_question(question, -1)
    db.session.refresh(question)
    signals.question_deleted.send(question, actor=actor, reason=reason)
    db.session.flush()


def _count_question(question: Question, delta: int) -> None:
    """A question comes into (+1) or goes out of (-1) public sight: its tags, its author's count
    and its public answers' authors' counts follow."""
    _adjust_tag_counts([t.id for t in _load_tags(question)], delta)
    _bump_user(question.author_id, question_count=delta)
    per_author = db.session.execute(
        sa.select(Answer.author_id, sa.func.count()).where(Answer.question_id == question.id, Answer.public())
        .group_by(Answer.author_id)
    ).all()
    for author_id, count in per_author:
        _bump_user(author_id, answer_count=delta * count)


def _count_answer(answer: Answer, delta: int, *, now=None) -> None:
    """An answer comes into or goes out of public sight; leaving it loses the acceptance."""
    values: dict = {"answer_count": Question.answer_count + delta}
    if delta > 0 and now is not None:
        values["last_activity_at"] = now
    if delta < 0:
        # Decided in SQL, on the row as it is now (a concurrent acceptance may have just moved it).
        values["accepted_answer_id"] = sa.case((Question.accepted_answer_id == answer.id, None),
                                               else_=Question.accepted_answer_id)
    db.session.execute(sa.update(Question).where(Question.id == answer.question_id).values(values))
    question_public = db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                                        .where(Question.id == answer.question_id, Question.public()))
    if question_public:
        _bump_user(answer.author_id, answer_count=delta)


def _count_comment(comment: Comment, delta: int) -> None:
    if comment.answer_id is not None:
        db.session.execute(sa.update(Answer).where(Answer.id == comment.answer_id)
                           .values(comment_count=Answer.comment_count + delta))
    else:
        db.session.execute(sa.update(Question).where(Question.id == comment.question_id)
                           .values(comment_count=Question.comment_count + delta))


def hide_post(post, reason: HoldReason, *, actor=None, detail: str = "") -> bool:
    """Take a public post out of sight for review (flush only; the caller commits). Returns False
    when it was already held or deleted."""
    model = type(post)
    done = db.session.scalar(
        sa.update(model).where(model.id == post.id, model.public())
        .values(held_at=utcnow(), held_reason=reason, **_unpinned(model))
        .returning(model.id)) is not None
    if not done:
        return False
    db.session.refresh(post)
    accepted = isinstance(post, Answer) and db.session.scalar(
        sa.select(Question.accepted_answer_id).where(Question.id == post.question_id)) == post.id
    _count_post(post, -1)
    if accepted:
        # Out of sight, the answer loses the acceptance, and its reputation with it (accepting it
        # again after release pays once, not twice).
        signals.answer_unaccepted.send(post, actor=actor)
    signals.post_held.send(post, actor=actor, reason=reason, on_create=False, detail=detail)
    return True


def release_post(post, *, actor=None, announce: bool = False) -> bool:
    """Bring a held post back into public sight (flush only). With `announce` (it was held when it
    was posted), the usual "posted" signal follows, so followers hear of it now. False when it
    was not held."""
    model = type(post)
    done = db.session.scalar(
        sa.update(model).where(model.id == post.id, model.held_at.is_not(None), model.deleted_at.is_(None))
        .values(held_at=None, held_reason=None).returning(model.id)) is not None
    if not done:
        return False
    db.session.refresh(post)
    _count_post(post, +1)
    signals.post_released.send(post, actor=actor, on_create=announce)
    if announce:
        posted = {Question: signals.question_asked, Answer: signals.answer_posted,
                  Comment: signals.comment_posted}[model]
        posted.send(post, actor=post.author)
    return True


def restore_post(post) -> bool:
    """Undelete a question or an answer (flush only). False when it was not deleted."""
    model = type(post)
    done = db.session.scalar(
        sa.update(model).where(model.id == post.id, model.deleted_at.is_not(None)).values(deleted_at=None)
        .returning(model.id)) is not None
    if not done:
        return False
    db.session.refresh(post)
    if not post.is_held:
        _count_post(post, +1)
    return True


def _count_post(post, delta: int) -> None:
    if isinstance(post, Question):
        _count_question(post, delta)
    elif isinstance(post, Answer):
        _count_answer(post, delta)
    else:
        _count_comment(post, delta)


def _mark_deleted(model, row_id: int) -> bool:
    """Soft-delete a live row; False when it was already deleted (by a concurrent request)."""
    return db.session.scalar(
        sa.update(model).where(model.id == row_id, model.deleted_at.is_(None))
        .values(deleted_at=utcnow(), **_unpinned(model))
        .returning(model.id)
    ) is not None


# --- answers ------------------------------------------------------------------------------------

def post_answer(actor: User, question_id, /, **fields) -> Answer:
    """Answer an open question: `fields` are PostAnswer's (body 20–30,000 as a question's, not filler
    such as "+1" or "同问"; private_data), validated here once, after the thread is known to take
    answers. The screening may hold it for review
    or refuse private data (see ask_question). Raises NotFound, PermissionDenied (code "closed"
    on a closed question, "locked" on a locked thread), ValidationFailed."""
    question = get_question(question_id, viewer=actor)
    _require_member(actor, Privilege.ANSWER)
    if question.status is QuestionStatus.CLOSED:
        raise PermissionDenied(_("This question is closed and takes no new answers."), code="closed")
    _ensure_unlocked(actor, question)
    command = PostAnswer.parse(fields)
    body, private_data = command.body, command.private_data or ""
    _check_pace(actor, question=False)
    verdict = screen("answer", actor, {"body": body}, private_data=private_data, question=question)
    body = verdict.texts["body"]
    body_html = render_markdown(body, actor.id)
    _check_links(actor, body_html)
    now = utcnow()
    answer = Answer(question_id=question.id, author_id=actor.id, body=body, body_html=body_html,
                    created_at=now, updated_at=now, official=actor.role.is_staff, last_editor_id=actor.id)
    _hold(answer, verdict)
    answer.screening_warnings = verdict.warnings
    db.session.add(answer)
    db.session.flush()
    db.session.add(Revision(answer_id=answer.id, number=1, editor_id=actor.id, body=body, created_at=now,
                            summary=""))
    if answer.is_held:
        signals.post_held.send(answer, actor=actor, reason=answer.held_reason, on_create=True,
                               detail=verdict.detail)
    else:
        _count_answer(answer, +1, now=now)
        if not question.is_held:  # in a held thread nobody else may hear of it (mentions, followers)
            signals.answer_posted.send(answer, actor=actor)
    db.session.flush()
    return answer


def edit_answer(actor: User, answer_id, /, **fields) -> Answer:
    """Change an answer's body: `fields` are EditAnswer's (body as when answering, summary at most
    300 characters, private_data), validated here once, after the editor is known to be allowed.
    Every effective edit is a new revision (screened like a new answer: an edit can send it to
    review). Raises NotFound, PermissionDenied, ValidationFailed."""
    get_answer(answer_id, viewer=actor)
    answer = db.session.scalar(sa.select(Answer).where(Answer.id == answer_id).with_for_update(key_share=True, of=Answer)
                               .execution_options(populate_existing=True))
    _ensure_can_edit(actor, answer)
    _ensure_unlocked(actor, db.session.get(Question, answer.question_id))
    command = EditAnswer.parse(fields)
    body, summary, private_data = command.body, command.summary, command.private_data or ""
    if body == answer.body:
        return answer
    texts = {"body": body, "summary": summary} if summary else {"body": body}  # summaries are public
    verdict = screen("answer", actor, texts, private_data=private_data,
                     question=db.session.get(Question, answer.question_id))
    body = verdict.texts["body"]
    summary = verdict.texts.get("summary", summary)
    now = utcnow()
    number = answer.revision_count + 1
    answer.body = body
    answer.body_html = render_markdown(body, answer.author_id)
    answer.updated_at = now
    answer.last_editor_id = actor.id
    answer.revision_count = Answer.revision_count + 1
    revision = Revision(answer_id=answer.id, number=number, editor_id=actor.id, body=body, summary=summary,
                        created_at=now)
    db.session.add(revision)
    db.session.execute(sa.update(Question).where(Question.id == answer.question_id)
                       .values(last_activity_at=now))
    db.session.flush()
    if verdict.hold and not answer.is_held:
        hide_post(answer, HoldReason(verdict.hold), actor=actor, detail=verdict.detail)
    signals.answer_edited.send(answer, actor=actor, revision=revision)
    db.session.flush()
    answer.screening_warnings = verdict.warnings
    return answer


def delete_answer(actor: User, answer_id, *, reason: str = "") -> None:
    """Soft-delete an answer: its author or a moderator. Raises NotFound, PermissionDenied."""
    _delete_reply(actor, get_answer(answer_id, viewer=actor), reason,
                  forbidden=_("Only the author or a moderator can delete this answer."),
                  gone=_("This answer does not exist or was deleted."), deleted=signals.answer_deleted)


def _delete_reply(actor, post, reason: str, *, forbidden: str, gone: str, deleted) -> None:
    """Soft-delete an answer or a comment (its author, or a moderator who is not suspended), take
    it out of the counts unless it was held already, tell `deleted`."""
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if post.author_id != actor.id:
        if not actor.role.is_moderator:
            raise PermissionDenied(forbidden)
        ensure_not_suspended(actor)  # suspension ends moderator powers
    if not _mark_deleted(type(post), post.id):
        raise NotFound(gone)
    if not post.is_held:
        _count_post(post, -1)
    db.session.flush()
    db.session.refresh(post)
    deleted.send(post, actor=actor, reason=reason)
    db.session.flush()


# --- acceptance ---------------------------------------------------------------------------------

def accept_answer(actor: User, answer_id) -> Answer:
    """The asker marks the answer that solved the problem; accepting another moves the mark.

    Only the question's author may accept; accepting the accepted answer again changes nothing.
    Raises NotFound, PermissionDenied.
    """
    answer, question = _answer_for_acceptance(answer_id)
    _ensure_asker(actor, question)
    _ensure_live_answer(answer.id)
    previous = question.accepted_answer_id
    if previous == answer.id:
        return answer
    question.accepted_answer_id = answer.id
    question.last_activity_at = utcnow()
    db.session.flush()
    signals.answer_accepted.send(answer, actor=actor, previous_answer_id=previous)
    db.session.flush()
    return answer


def unaccept_answer(actor: User, answer_id) -> None:
    """The asker withdraws the acceptance of this answer (nothing happens if it is not accepted).
    Raises NotFound, PermissionDenied."""
    answer, question = _answer_for_acceptance(answer_id)
    _ensure_asker(actor, question)
    if question.accepted_answer_id != answer.id:
        return
    question.accepted_answer_id = None
    db.session.flush()
    signals.answer_unaccepted.send(answer, actor=actor)
    db.session.flush()


def _ensure_live_answer(answer_id: int) -> None:
    """Lock the answer and check it again: a deletion that committed meanwhile wins."""
    deleted = db.session.scalar(sa.select(Answer.deleted_at).where(Answer.id == answer_id)
                                .with_for_update(of=Answer, key_share=True))
    if deleted is not None:
        raise NotFound(_("This answer does not exist or was deleted."))


def _question_for_update(question_id: int, *, tags: bool = True) -> Question:
    # Serialises concurrent acceptances on one question (PostgreSQL; SQLite writers are serialised).
    query = sa.select(Question).where(Question.id == question_id).with_for_update(key_share=True, of=Question)
    if not tags:  # read on first use rather than with the row
        query = query.options(lazyload(Question.tags))
    question = db.session.scalar(query.execution_options(populate_existing=True))
    if question is None or question.is_deleted:
        raise NotFound(_("This question does not exist or was deleted."))
    return question


def _answer_for_acceptance(answer_id) -> tuple[Answer, Question]:
    """The answer, as get_answer finds it, and its question read once, under its lock (not once
    to check it and again to lock it), without its tags: an acceptance shows none."""
    answer = db.session.get(Answer, answer_id) if is_row_id(answer_id) else None
    if answer is None or answer.is_deleted or not may_see(None, answer):
        raise NotFound(_("This answer does not exist or was deleted."))
    try:
        question = _question_for_update(answer.question_id, tags=False)
    except NotFound:
        question = None
    if question is None or not may_see(None, question):
        raise NotFound(_("This answer does not exist or was deleted."))
    return answer, question


def _ensure_asker(actor: User | None, question: Question) -> None:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if question.author_id != actor.id:
        raise PermissionDenied(_("Only the person who asked can accept an answer."), code="not_asker")


# --- comments -----------------------------------------------------------------------------------

def post_comment(actor: User, /, *, question_id=None, answer_id=None, **fields) -> Comment:
    """Comment on a question or an answer: `fields` are PostComment's (body 5–600, the minimum weighted;
    private_data), validated here once; screened like posts. Raises NotFound,
    PermissionDenied (code "locked" on a locked thread), ValidationFailed."""
    if (question_id is None) == (answer_id is None):
        raise ValueError("exactly one of question_id and answer_id")
    if answer_id is not None:
        answer = get_answer(answer_id, viewer=actor)
        question = db.session.get(Question, answer.question_id)
    else:
        answer = None
        question = get_question(question_id, viewer=actor)
    _require_member(actor, Privilege.COMMENT)
    _ensure_unlocked(actor, question)
    command = PostComment.parse(fields)
    body, private_data = command.body, command.private_data or ""
    _check_pace(actor, question=False)
    verdict = screen("comment", actor, {"body": body}, private_data=private_data, question=question)
    body = verdict.texts["body"]
    body_html = render_markdown(body)
    _check_links(actor, body_html)
    now = utcnow()
    comment = Comment(question_id=None if answer else question.id, answer_id=answer.id if answer else None,
                      author_id=actor.id, body=body, body_html=body_html, created_at=now,
                      updated_at=now)
    _hold(comment, verdict)
    comment.screening_warnings = verdict.warnings
    db.session.add(comment)
    db.session.flush()
    if comment.is_held:
        signals.post_held.send(comment, actor=actor, reason=comment.held_reason, on_create=True,
                               detail=verdict.detail)
    else:
        _count_comment(comment, +1)
        db.session.execute(sa.update(Question).where(Question.id == question.id).values(last_activity_at=now))
        db.session.flush()
        if not question.is_held and not (answer is not None and answer.is_held):
            # On a held post nobody else may hear of it (mentions, followers).
            signals.comment_posted.send(comment, actor=actor)
    db.session.flush()
    return comment


def delete_comment(actor: User, comment_id, *, reason: str = "") -> None:
    """Soft-delete a comment: its author or a moderator. Raises NotFound, PermissionDenied."""
    _delete_reply(actor, get_comment(comment_id, viewer=actor), reason,
                  forbidden=_("Only the author or a moderator can delete this comment."),
                  gone=_("This comment does not exist or was deleted."), deleted=signals.comment_deleted)


# --- private details: redacting history, cutting passages out ---------------------------------

def get_revision(post, number: Any) -> Revision:
    """Revision `number` of a question or an answer. Raises NotFound."""
    column = Revision.question_id if isinstance(post, Question) else Revision.answer_id
    revision = db.session.scalar(sa.select(Revision).where(column == post.id, Revision.number == number)) \
        if is_row_id(number) else None
    if revision is None:
        raise NotFound(_("This revision does not exist."))
    return revision


def redact_revision_text(revision: Revision, *, actor: User, reason: str) -> bool:
    """Replace a revision's text in its row (flush only): title and body become REDACTED_TEXT,
    tags and summary empty; who, when and why are kept. False when it was redacted already (a
    concurrent moderator did it first)."""
    values: dict[str, Any] = {"body": REDACTED_TEXT, "summary": "", "redacted_at": utcnow(),
                              "redacted_by_id": actor.id, "redaction_reason": reason}
    if revision.title is not None:
        values["title"] = REDACTED_TEXT
    if revision.tags is not None:
        values["tags"] = ""
    done = db.session.scalar(sa.update(Revision).where(Revision.id == revision.id, Revision.redacted_at.is_(None))
                             .values(values).returning(Revision.id))
    if done is None:
        return False
    db.session.refresh(revision)
    return True


def amend_in_place(post, texts: dict[str, str], *, actor: User) -> None:
    """Replace the live text of a post and of its current revision in place (flush only): for
    cutting out private details the privacy guard warned about, so that no revision keeps them.
    `texts` holds any of title and body (the post and its current revision) and summary (the
    current revision's). The search index follows (the usual "edited" signal)."""
    if "body" in texts:
        post.body = texts["body"]
        post.body_html = render_markdown(texts["body"], post.author_id)
    if "title" in texts and isinstance(post, Question):
        post.title = texts["title"][:rules.TITLE_MAX]
    if isinstance(post, Comment):
        db.session.flush()
        return
    revision = get_revision(post, post.revision_count)
    for name in ("title", "body"):
        if name in texts and getattr(revision, name) is not None:
            setattr(revision, name, getattr(post, name))
    if "summary" in texts:
        revision.summary = texts["summary"][:rules.SUMMARY_MAX]
    db.session.flush()
    edited = signals.question_edited if isinstance(post, Question) else signals.answer_edited
    edited.send(post, actor=actor, revision=revision)


def rerender_all(batch_size: int = 500) -> int:
    """Render every post's Markdown again (after a renderer or sanitizer change); returns the count."""
    count = 0
    for model in (Question, Answer, Comment):
        last_id = 0
        while True:
            rows = db.session.execute(
                sa.select(model.id, model.body, model.author_id).where(model.id > last_id).order_by(model.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            db.session.execute(sa.update(model), [{"id": r.id, "body_html": render_markdown(r.body, r.author_id)}
                                                    for r in rows])
            checkpoint()  # a maintenance pass keeps each batch it finished
            count += len(rows)
            last_id = rows[-1].id
    return count

