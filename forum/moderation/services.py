"""Moderation: flags, the review queue, closing, locking, undeleting, suspensions, posting
restrictions, the staff's editing of the watched words (policy's, which screens every post) and
the action log.

Every public function takes the acting user, commits once, and raises a DomainError subclass.
Moderator actions are logged in the same transaction as the change they record.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.auth.models import User
from forum.core import signals
from forum.core.db import is_row_id, serialise_transactions, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.core.pagination import Page
from forum.core.permissions import Privilege, can, ensure_not_suspended, is_moderator, signed_in
from forum.extensions import db
from forum.moderation.models import (
    Flag,
    FlagKind,
    FlagStatus,
    ModAction,
    ModerationLogEntry,
    ReviewItem,
    ReviewReason,
    ReviewStatus,
)
from forum.moderation.schemas import (
    NOTE_MAX,
    CloseQuestion,
    FlagPost,
    ModeratorNote,
    RedactRevision,
    ResolveReview,
    RestrictPosting,
    SuspendMember,
    duplicate_refused,
)
from forum.policy import guards
from forum.policy import services as policy
from forum.policy.models import WatchedWordEntry
from forum.policy.services import warning_label
from forum.questions import services as posts
from forum.questions.models import Answer, CloseReason, Comment, HoldReason, Question, QuestionStatus, Revision

POST_KINDS = ("question", "answer", "comment")
_MODELS = {"question": Question, "answer": Answer, "comment": Comment}


def _kind_of(post) -> str:
    return {Question: "question", Answer: "answer", Comment: "comment"}[type(post)]


def _post_columns(post) -> dict[str, int]:
    return {f"{_kind_of(post)}_id": post.id}


def _require_moderator(actor) -> User:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if not is_moderator(actor) or not actor.is_active:
        raise PermissionDenied(_("Only moderators can do this."))
    # Suspended accounts moderate nothing until it ends (not even lifting their own suspension).
    ensure_not_suspended(actor)
    return actor


def _log(actor, action: ModAction, *, reason: str = "", user_id: int | None = None, post=None,
         question_id: int | None = None) -> None:
    entry = ModerationLogEntry(actor_id=actor.id if actor is not None else None, action=action,
                               reason=(reason or "")[:NOTE_MAX], user_id=user_id, created_at=utcnow())
    if post is not None:
        setattr(entry, f"{_kind_of(post)}_id", post.id)
        if not isinstance(post, Question):
            entry.question_id = posts.thread_id_of(post)
        if user_id is None:
            entry.user_id = post.author_id
    if question_id is not None:
        entry.question_id = question_id
    db.session.add(entry)


def log_account_event(actor, action: ModAction, user_id: int) -> None:
    """Record an account's own data-rights step in the moderation log (forum.privacy): who (`actor`,
    None for the system) and when, about which account; no reason, no content. Flushes only."""
    if action not in (ModAction.ERASURE_REQUEST, ModAction.ERASURE_CANCEL, ModAction.ERASE, ModAction.EXPORT):
        raise ValueError(f"not an account event: {action}")
    _log(actor, action, user_id=user_id)
    db.session.flush()


def record_staff_action(actor, action: ModAction, reason: str) -> None:
    """Log a staff action that another feature carries out (search vocabulary), in the caller's
    transaction, as moderators' own actions are."""
    _log(actor, action, reason=reason)


def load_post(kind: str, post_id: Any, *, viewer=None, include_deleted: bool = False):
    """The question, answer or comment with this id that `viewer` may see. Raises NotFound."""
    model = _MODELS.get(kind)
    post = db.session.get(model, post_id) if model is not None and is_row_id(post_id) else None
    if post is None or (post.deleted_at is not None and not include_deleted) or not posts.may_see(viewer, post):
        raise NotFound(_("This post does not exist or was deleted."))
    if not include_deleted and kind != "question":
        # An answer or comment is only as visible as its thread (a held or deleted question hides
        # them too): nobody flags posts in threads they cannot see.
        (posts.get_answer if kind == "answer" else posts.get_comment)(post.id, viewer=viewer)
    return post


# --- review items -------------------------------------------------------------------------------

_REASON_RANK = {ReviewReason.FIRST_POST: 0, ReviewReason.FLAGGED: 1, ReviewReason.HELD: 2}


def _pending_item(post) -> ReviewItem | None:
    column = getattr(ReviewItem, f"{_kind_of(post)}_id")
    return db.session.scalar(sa.select(ReviewItem).where(column == post.id,
                                                         ReviewItem.status == ReviewStatus.PENDING))


def _queue_for_review(post, reason: ReviewReason, *, detail: str = "", held_on_create: bool = False) -> ReviewItem:
    item = _pending_item(post)
    if item is None:
        item = ReviewItem(reason=reason, detail=detail[:NOTE_MAX], held_on_create=held_on_create,
                          status=ReviewStatus.PENDING, created_at=utcnow(), **_post_columns(post))
        db.session.add(item)
    else:
        if _REASON_RANK[reason] > _REASON_RANK[item.reason]:
            item.reason = reason
        if detail:
            item.detail = detail[:NOTE_MAX]
        item.held_on_create = item.held_on_create or held_on_create
    db.session.flush()
    return item


def _close_items(post, status: ReviewStatus, actor, flag_status: FlagStatus) -> None:
    now = utcnow()
    kind = _kind_of(post)
    db.session.execute(sa.update(ReviewItem).where(getattr(ReviewItem, f"{kind}_id") == post.id,
                                                   ReviewItem.status == ReviewStatus.PENDING)
                       .values(status=status, resolved_at=now, resolved_by_id=actor.id if actor else None))
    db.session.execute(sa.update(Flag).where(getattr(Flag, f"{kind}_id") == post.id,
                                             Flag.status == FlagStatus.PENDING)
                       .values(status=flag_status, resolved_at=now))


# --- flags --------------------------------------------------------------------------------------

def flag_post(actor, kind: str, post_id, *, flag_kind, note=None) -> Flag:
    """Flag someone else's post for moderators (once per member and post). Enough spam or scam
    flags (FORUM_SPAM_FLAGS_TO_HIDE, default 3; a moderator's counts for all) hide the post until
    it is reviewed. Raises NotFound, PermissionDenied (own_post, suspended), ValidationFailed,
    Conflict (already flagged)."""
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in to flag posts."), code="unauthorized")
    post = load_post(kind, post_id, viewer=actor)
    ensure_not_suspended(actor)
    if not can(actor, Privilege.FLAG):
        raise PermissionDenied(_("You cannot flag posts yet."), code="privilege")
    if post.author_id == actor.id:
        raise PermissionDenied(_("You cannot flag your own post; edit or delete it instead."), code="own_post")
    command = FlagPost.parse({"kind": flag_kind, "note": note})  # validated once, here
    flag_kind, note = command.kind, command.note
    column = getattr(Flag, f"{kind}_id")
    if db.session.scalar(sa.select(Flag.id).where(Flag.flagger_id == actor.id, column == post.id)) is not None:
        raise Conflict(_("You have already flagged this post."), code="already_flagged")
    flag = Flag(flagger_id=actor.id, kind=flag_kind, note=note, status=FlagStatus.PENDING, created_at=utcnow(),
                **_post_columns(post))
    try:
        with db.session.begin_nested():  # a savepoint: a concurrent copy's flag wins, the session stays usable
            db.session.add(flag)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(_("You have already flagged this post."), code="already_flagged") from None
    _queue_for_review(post, ReviewReason.FLAGGED)
    if flag_kind in (FlagKind.SPAM, FlagKind.SCAM) and not post.is_held:
        # Lock the post, then count: two flags at once that together reach the threshold must
        # not each see one flag too few (PostgreSQL; SQLite writers are serialised already).
        model = type(post)
        db.session.execute(sa.select(model.id).where(model.id == post.id).with_for_update(of=model))
        needed = int(current_app.config.get("FORUM_SPAM_FLAGS_TO_HIDE", 3))
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Flag).where(
            column == post.id, Flag.status == FlagStatus.PENDING, Flag.kind.in_([FlagKind.SPAM, FlagKind.SCAM])))
        hide = count >= needed or is_moderator(actor)
        # What happened is stored, not a sentence: detail_text and log_reason say it in the reader's language.
        if hide and posts.hide_post(post, HoldReason.SPAM, actor=actor, detail=f"spam_flags:{count}"):
            _log(None, ModAction.HIDE, post=post, reason=f"spam_flags:{count}")
    db.session.flush()
    return flag


# --- the review queue ---------------------------------------------------------------------------

@dataclass
class ReviewEntry:
    item: ReviewItem
    post: Any
    kind: str
    question: Question | None  # filled in by _entries, one query for the page
    flags: list[Flag] = field(default_factory=list)


def review_queue(actor, *, reason: str | None = None, page: int = 1, per_page: int = 20) -> Page[ReviewEntry]:
    """Pending review items, oldest first, held posts before flagged ones before first posts.
    Moderators only."""
    _require_moderator(actor)
    where = [ReviewItem.status == ReviewStatus.PENDING]
    if reason:
        try:
            where.append(ReviewItem.reason == ReviewReason(reason))
        except ValueError:
            raise ValidationFailed({"reason": [_("Unknown review reason.")]}) from None
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewItem).where(*where)) or 0
    rank = sa.case({ReviewReason.HELD.value: 0, ReviewReason.FLAGGED.value: 1}, value=ReviewItem.reason, else_=2)
    items = db.session.scalars(sa.select(ReviewItem).where(*where).order_by(rank, ReviewItem.created_at,
                                                                           ReviewItem.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(_entries(items), page, per_page, total)


def review_counts(actor) -> dict[str, int]:
    """Pending items per reason (for the queue's tabs and the header badge)."""
    if not is_moderator(actor):
        return {}
    rows = db.session.execute(sa.select(ReviewItem.reason, sa.func.count()).where(
        ReviewItem.status == ReviewStatus.PENDING).group_by(ReviewItem.reason)).all()
    counts = {r.value: 0 for r in ReviewReason}
    counts.update({(row[0].value if hasattr(row[0], "value") else row[0]): row[1] for row in rows})
    return counts


def _entries(items: list[ReviewItem]) -> list[ReviewEntry]:
    """The items with their posts, threads and flags, in a fixed number of queries."""
    kinds = {item.id: next(k for k in POST_KINDS if getattr(item, f"{k}_id") is not None) for item in items}
    found: dict[str, dict[int, Any]] = {}
    flags: dict[tuple[str, int], list[Flag]] = {}
    for kind, model in _MODELS.items():
        ids = [getattr(item, f"{kind}_id") for item in items if kinds[item.id] == kind]
        if not ids:
            continue
        found[kind] = {p.id: p for p in db.session.scalars(sa.select(model).where(model.id.in_(ids))).unique()}
        column = getattr(Flag, f"{kind}_id")
        for flag in db.session.scalars(sa.select(Flag).where(column.in_(ids)).order_by(Flag.created_at)):
            flags.setdefault((kind, getattr(flag, f"{kind}_id")), []).append(flag)
    entries = []
    for item in items:
        kind = kinds[item.id]
        post = found.get(kind, {}).get(getattr(item, f"{kind}_id"))
        if post is not None:
            entries.append(ReviewEntry(item, post, kind, None, flags.get((kind, post.id), [])))
    # Comments on answers reach their thread through the answer: one query for all of them.
    answer_ids = {e.post.answer_id for e in entries if e.kind == "comment" and e.post.answer_id is not None}
    via_answer = dict(db.session.execute(sa.select(Answer.id, Answer.question_id)
                                         .where(Answer.id.in_(answer_ids))).all()) if answer_ids else {}

    def thread_id(post) -> int:
        return via_answer[post.answer_id] if isinstance(post, Comment) and post.question_id is None \
            else posts.thread_id_of(post)

    questions = {q.id: q for q in db.session.scalars(
        sa.select(Question).where(Question.id.in_({thread_id(e.post) for e in entries}))).unique()} if entries else {}
    for entry in entries:
        entry.question = questions[thread_id(entry.post)]
    return entries


def get_review_item(actor, item_id) -> ReviewEntry:
    _require_moderator(actor)
    item = db.session.get(ReviewItem, item_id) if is_row_id(item_id) else None
    entry = next(iter(_entries([item])), None) if item is not None else None
    if entry is None:
        raise NotFound(_("This review item does not exist."))
    return entry


def resolve_review(actor, item_id, /, **fields) -> ReviewItem:
    """A moderator decides a pending item: "approve" (the post is fine: flags are declined and a
    held post is published, announced if it was held when posted) or "delete" (the post is
    deleted and the flags were helpful). `fields` are ResolveReview's (action, reason), validated
    here, once. Raises NotFound, PermissionDenied, ValidationFailed, Conflict (already decided)."""
    entry = get_review_item(actor, item_id)
    item, post = entry.item, entry.post
    command = ResolveReview.parse(fields)
    action, reason = command.action, command.reason
    if item.status is not ReviewStatus.PENDING:
        raise Conflict(_("Another moderator has already decided this item."), code="already_reviewed")
    # Claim the item in SQL: of two moderators deciding at once, the second gets Conflict rather
    # than a second release, a deletion of an approved post, or a second log entry.
    claimed = db.session.scalar(
        sa.update(ReviewItem).where(ReviewItem.id == item.id, ReviewItem.status == ReviewStatus.PENDING)
        .values(status=ReviewStatus.APPROVED if action == "approve" else ReviewStatus.REMOVED,
                resolved_at=utcnow(), resolved_by_id=actor.id)
        .returning(ReviewItem.id))
    if claimed is None:
        raise Conflict(_("Another moderator has already decided this item."), code="already_reviewed")
    if action == "delete":
        _delete(actor, post, reason)
        return item
    was_held = post.is_held
    if was_held:
        posts.release_post(post, actor=actor, announce=item.held_on_create)
    had_flags = any(f.status is FlagStatus.PENDING for f in entry.flags)
    _close_items(post, ReviewStatus.APPROVED, actor, FlagStatus.DECLINED)
    if was_held or not had_flags:
        _log(actor, ModAction.APPROVE, post=post, reason=reason)
    else:
        _log(actor, ModAction.DECLINE_FLAGS, post=post, reason=reason)
    db.session.flush()
    return item


def _delete(actor, post, reason: str) -> None:
    """Delete through the posts' own services (their counters and signals); the deletion
    subscriber below closes the review items and logs it."""
    delete = {Question: posts.delete_question, Answer: posts.delete_answer, Comment: posts.delete_comment}
    delete[type(post)](actor, post.id, reason=reason)


def _on_post_deleted(post, actor=None, reason: str = "", **_):
    """Deleting a post settles its review: flags were helpful. Every deletion by a moderator is
    logged."""
    _close_items(post, ReviewStatus.REMOVED, actor, FlagStatus.HELPFUL)
    if isinstance(post, Question):
        # Its answers and comments went out of sight with it: nothing of the thread stays queued.
        answer_ids = sa.select(Answer.id).where(Answer.question_id == post.id)
        comment_ids = sa.select(Comment.id).where(sa.or_(Comment.question_id == post.id,
                                                         Comment.answer_id.in_(answer_ids)))
        db.session.execute(sa.update(ReviewItem).where(
            ReviewItem.status == ReviewStatus.PENDING,
            sa.or_(ReviewItem.answer_id.in_(answer_ids), ReviewItem.comment_id.in_(comment_ids)))
            .values(status=ReviewStatus.REMOVED, resolved_at=utcnow(), resolved_by_id=actor.id if actor else None))
    if actor is not None and is_moderator(actor):
        _log(actor, ModAction.DELETE, post=post, reason=reason)


def _on_post_held(post, actor=None, reason=None, on_create=False, detail="", **_):
    _queue_for_review(post, ReviewReason.HELD, detail=detail or (f"held:{reason.value}" if reason else ""),
                      held_on_create=on_create)


def _on_first_post(post, actor=None, **_):
    """A new member's first public post goes to the queue (after the fact: it is public already)."""
    author = post.author
    if author is None or author.role.is_moderator:
        return
    if author.reputation >= current_app.config.get("FORUM_NEW_MEMBER_REPUTATION", 10):
        return
    if author.question_count + author.answer_count > 1:
        return
    column = getattr(ReviewItem, f"{_kind_of(post)}_id")
    if db.session.scalar(sa.select(ReviewItem.id).where(column == post.id)) is None:
        _queue_for_review(post, ReviewReason.FIRST_POST)


# --- closing, locking, undeleting -----------------------------------------------------------------

def _duplicate_target(target_id: int, question: Question) -> Question:
    target = db.session.get(Question, target_id)
    if target is None or target.deleted_at is not None or target.is_held:
        raise ValidationFailed({"duplicate_of": [duplicate_refused()]})
    if target.id == question.id:
        raise ValidationFailed({"duplicate_of": [_("A question cannot duplicate itself.")]})
    return target


def _question_and_note(actor, question_id, note) -> tuple[Question, str]:
    _require_moderator(actor)
    question = posts.get_question(question_id, viewer=actor)
    return question, ModeratorNote.parse({"note": note}).note


def _changed(question: Question, actor, action: str, reason: str) -> Question:
    db.session.flush()
    signals.question_state_changed.send(question, actor=actor, action=action, reason=reason)
    db.session.flush()
    return question


def close_question(actor, question_id, /, **fields) -> Question:
    """Close a question (duplicate of a linked question, off-topic, needs details): it takes no
    new answers and shows why. `fields` are CloseQuestion's (reason, duplicate_of, note),
    validated here, once; the question a duplicate points at must be visible and another one.
    Moderators only. Raises NotFound, PermissionDenied, ValidationFailed, Conflict (already closed)."""
    _require_moderator(actor)
    question = posts.get_question(question_id, viewer=actor)
    command = CloseQuestion.parse(fields)
    close_reason, note = command.reason, command.note
    target = _duplicate_target(command.duplicate_of, question) if command.duplicate_of is not None else None
    if question.is_closed:
        raise Conflict(_("This question is already closed."), code="already_closed")
    question.status = QuestionStatus.CLOSED
    question.closed_reason = close_reason
    question.duplicate_of_id = target.id if target else None
    question.closed_at = utcnow()
    log_reason = close_reason.value + (f" #{target.id}" if target else "") + (f": {note}" if note else "")
    _log(actor, ModAction.CLOSE, post=question, reason=log_reason)  # log_reason tells it in the reader's language
    return _changed(question, actor, "close", log_reason)


def reopen_question(actor, question_id, *, note=None) -> Question:
    """Reopen a closed question. Moderators only. Raises Conflict when it is open."""
    question, note = _question_and_note(actor, question_id, note)
    if not question.is_closed:
        raise Conflict(_("This question is open."), code="not_closed")
    question.status = QuestionStatus.OPEN
    question.closed_reason = None
    question.duplicate_of_id = None
    question.closed_at = None
    _log(actor, ModAction.REOPEN, post=question, reason=note)
    return _changed(question, actor, "reopen", note)


def set_locked(actor, question_id, locked: bool, *, note=None) -> Question:
    """Lock (no answers, comments, votes or edits except by moderators) or unlock a thread.
    Moderators only. Raises Conflict when it already is."""
    question, note = _question_and_note(actor, question_id, note)
    if question.is_locked == locked:
        raise Conflict(_("This thread is already locked.") if locked else _("This thread is not locked."),
                       code="already_locked" if locked else "not_locked")
    question.locked_at = utcnow() if locked else None
    _log(actor, ModAction.LOCK if locked else ModAction.UNLOCK, post=question, reason=note)
    return _changed(question, actor, "lock" if locked else "unlock", note)


#: How many questions may be pinned at a time, site-wide: the top of the home list is short.
MAX_PINNED = 5


_PIN_LOCK_SPACE = 0x70696E73  # "pins": serialise_transactions


def set_pinned(actor, question_id, pinned: bool, *, note=None) -> Question:
    """Pin a question to the top of the home list (and of its category's list), or unpin it.
    At most MAX_PINNED public questions are pinned at a time; a held question cannot be pinned.
    Moderators and staff only. Raises NotFound, PermissionDenied, ValidationFailed (the note),
    Conflict (already pinned, not pinned, held, or MAX_PINNED reached)."""
    question, note = _question_and_note(actor, question_id, note)
    if question.is_pinned == pinned:
        raise Conflict(_("This question is already pinned.") if pinned else _("This question is not pinned."),
                       code="already_pinned" if pinned else "not_pinned")
    if pinned:
        if question.is_held:
            raise Conflict(_("A question held for review cannot be pinned."), code="held")
        # One pin at a time: two moderators pinning at once would both count four and make six.
        serialise_transactions(_PIN_LOCK_SPACE, 0)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                                  .where(Question.pinned_at.is_not(None), Question.public())) or 0
        if count >= MAX_PINNED:
            raise Conflict(_("At most %(max)d questions can be pinned at a time. Unpin one first.",
                             max=MAX_PINNED), code="too_many_pinned")
    question.pinned_at = utcnow() if pinned else None
    _log(actor, ModAction.PIN if pinned else ModAction.UNPIN, post=question, reason=note)
    return _changed(question, actor, "pin" if pinned else "unpin", note)


def undelete_post(actor, kind: str, post_id, *, note=None):
    """Bring back a deleted question, answer or comment (its counts, reputation and search entry
    follow; a post that was held when deleted goes back to the review queue). Moderators only.
    Raises NotFound, PermissionDenied, Conflict (not deleted, or its thread is deleted)."""
    _require_moderator(actor)
    if kind not in POST_KINDS:
        raise NotFound(_("This post does not exist or was deleted."))
    post = load_post(kind, post_id, viewer=actor, include_deleted=True)
    note = ModeratorNote.parse({"note": note}).note
    if not isinstance(post, Question):
        parent = db.session.get(Answer, post.answer_id) if isinstance(post, Comment) and post.answer_id else None
        question = db.session.get(Question, posts.thread_id_of(post))
        if question.deleted_at is not None or (parent is not None and parent.deleted_at is not None):
            if question.deleted_at is not None:
                raise Conflict(_("Undelete the question first."), code="question_deleted")
            raise Conflict(_("Undelete the answer first."), code="answer_deleted")
    if not posts.restore_post(post):
        raise Conflict(_("This post is not deleted."), code="not_deleted")
    if post.is_held:
        column = getattr(ReviewItem, f"{kind}_id")
        last = db.session.scalar(sa.select(ReviewItem).where(column == post.id).order_by(ReviewItem.id.desc()))
        _queue_for_review(post, ReviewReason.HELD, detail=last.detail if last else f"held:{post.held_reason.value}",
                          held_on_create=bool(last and last.held_on_create))
    _log(actor, ModAction.UNDELETE, post=post, reason=note)
    signals.post_undeleted.send(post, actor=actor)
    db.session.flush()
    return post


# --- private details in the history and in the current text --------------------------------------

def redact_revision(actor, kind: str, post_id, number, /, **fields) -> Revision:
    """Replace the text of an earlier revision of a question or an answer that showed private
    details: its title, body, tags and summary are overwritten in the database (not hidden), the
    action is logged with the reason, and the post's author and the revision's editor are told.
    The history page then shows "redacted by a moderator" and the reason, which is public and
    must not repeat the details. `fields` are RedactRevision's (reason), validated here, once.

    Moderators, staff and administrators only. The current revision is the live post's text:
    edit the post first (the edit takes the details out of the page), then redact the revision
    that still has them (Conflict, code "current_revision"). Raises PermissionDenied, NotFound
    (unknown, deleted or unseen post, unknown revision), ValidationFailed (reason), Conflict
    (current revision, already redacted).
    """
    _require_moderator(actor)
    if kind == "question":
        post = posts.get_question(post_id, viewer=actor)
    elif kind == "answer":
        post = posts.get_answer(post_id, viewer=actor)
    else:
        raise NotFound(_("This post does not exist or was deleted."))
    revision = posts.get_revision(post, number)
    reason = RedactRevision.parse(fields).reason
    if revision.is_redacted:
        raise Conflict(_("This revision is already redacted."), code="already_redacted")
    if revision.number >= post.revision_count:
        raise Conflict(_("This is the post's current text, which the page shows. Edit the post to take the private "
                         "details out first; then redact this revision, which keeps them in the history."),
                       code="current_revision")
    if not posts.redact_revision_text(revision, actor=actor, reason=reason):
        raise Conflict(_("This revision is already redacted."), code="already_redacted")
    _log(actor, ModAction.REDACT, post=post, reason=f"revision:{revision.number}:{reason}")
    signals.revision_redacted.send(revision, actor=actor, post=post, reason=reason)
    db.session.flush()
    return revision


def remove_private_details(actor, kind: str, post_id):
    """Cut what the privacy guard warned about (order numbers, street addresses) out of a post's
    current text, in place: the title, the body and the current revision's summary, on the page
    and in the history alike (replaced by "[removed]"; no new revision keeps the old text). The
    one-click fix offered to the author after posting.

    Allowed to the post's author, the editor of its current revision and moderators (logged
    when it is someone else's post). Returns the post, with `screening_warnings` of what is left
    (nothing). A post with nothing to cut is left as it is. Raises NotFound, PermissionDenied.
    """
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if kind not in POST_KINDS:
        raise NotFound(_("This post does not exist or was deleted."))
    post = load_post(kind, post_id, viewer=actor)
    model = type(post)
    post = db.session.scalar(sa.select(model).where(model.id == post.id).with_for_update(key_share=True, of=model)
                             .execution_options(populate_existing=True))
    revision = posts.get_revision(post, post.revision_count) if kind != "comment" else None
    owners = {post.author_id} | ({revision.editor_id} if revision is not None else set())
    if actor.id not in owners:
        _require_moderator(actor)
    texts = {"body": post.body}
    if kind == "question":
        texts["title"] = post.title
    if revision is not None and revision.summary:
        texts["summary"] = revision.summary
    found = policy.warning_findings(texts)
    if found:
        posts.amend_in_place(post, {name: guards.redact(texts[name], hits, placeholder=_("[removed]"))
                                    for name, hits in found.items()}, actor=actor)
        if actor.id not in owners:
            kinds = ",".join(sorted({str(f.kind) for hits in found.values() for f in hits}))
            _log(actor, ModAction.REMOVE_PRIVATE, post=post, reason=f"private:{kinds}")
        db.session.flush()
    post.screening_warnings = []
    return post


# --- suspensions --------------------------------------------------------------------------------

def _target_user(username) -> User:
    from forum.auth.services import get_user_by_name

    return get_user_by_name(username)


def suspend_member(actor, username, /, **fields) -> User:
    """Suspend a member until a time, with a reason they are shown: they can sign in and read,
    and reach official support, but not post, vote or flag. `fields` are SuspendMember's (reason,
    until), validated here, once. Moderators suspend members; only administrators suspend
    moderators and staff; nobody suspends themselves. Raises NotFound, PermissionDenied,
    ValidationFailed."""
    _require_moderator(actor)
    user = _target_user(username)
    if user.id == actor.id:
        raise PermissionDenied(_("You cannot suspend yourself."), code="self")
    if user.role.is_moderator and actor.role.value != "admin":
        raise PermissionDenied(_("Only administrators can suspend moderators and staff."))
    command = SuspendMember.parse(fields)
    reason, until = command.reason, command.until
    user.suspended_until = until
    user.suspension_reason = reason
    _log(actor, ModAction.SUSPEND, user_id=user.id, reason=f"{until.date().isoformat()}: {reason}")
    db.session.flush()
    return user


def lift_suspension(actor, username, *, note=None) -> User:
    """End a suspension now. Moderators only; as with suspending, only administrators lift the
    suspension of moderators and staff. Raises NotFound, PermissionDenied, Conflict (not
    suspended)."""
    _require_moderator(actor)
    user = _target_user(username)
    if user.role.is_moderator and actor.role.value != "admin":
        raise PermissionDenied(_("Only administrators can suspend moderators and staff."))
    note = ModeratorNote.parse({"note": note}).note
    if not user.is_suspended:
        raise Conflict(_("This member is not suspended."), code="not_suspended")
    user.suspended_until = None
    user.suspension_reason = ""
    _log(actor, ModAction.UNSUSPEND, user_id=user.id, reason=note)
    db.session.flush()
    return user


# --- posting restrictions ----------------------------------------------------------------------

def _restrictable(actor, username) -> User:
    _require_moderator(actor)
    user = _target_user(username)
    if user.role.is_moderator:
        # Moderators and staff are never paced (forum.questions.services._check_pace).
        raise PermissionDenied(_("Moderators and staff are not paced: their posting cannot be restricted."),
                               code="not_paced")
    return user


def restrict_posting(actor, username, /, **fields) -> User:
    """Restrict a member's posting until a time, with a reason they are shown: until then they may
    ask one question per FORUM_QUESTION_INTERVAL_MINUTES (forum.questions reads it from the
    account). Setting it again replaces the end and the reason. `fields` are RestrictPosting's
    (reason, until), validated here, once. Moderators only, on members (moderators and staff are
    never paced). Raises NotFound, PermissionDenied, ValidationFailed."""
    user = _restrictable(actor, username)
    command = RestrictPosting.parse(fields)
    user.posting_restricted_until = command.until
    user.posting_restriction_reason = command.reason
    _log(actor, ModAction.RESTRICT, user_id=user.id, reason=f"{command.until.date().isoformat()}: {command.reason}")
    db.session.flush()
    return user


def lift_posting_restriction(actor, username, *, note=None) -> User:
    """End a posting restriction now. Moderators only. Raises NotFound, PermissionDenied, Conflict
    (not restricted), ValidationFailed (note)."""
    user = _restrictable(actor, username)
    note = ModeratorNote.parse({"note": note}).note
    if not user.is_posting_restricted:
        raise Conflict(_("This member's posting is not restricted."), code="not_restricted")
    user.posting_restricted_until = None
    user.posting_restriction_reason = ""
    _log(actor, ModAction.UNRESTRICT, user_id=user.id, reason=note)
    db.session.flush()
    return user


# --- watched words ------------------------------------------------------------------------------

def watched_words(actor) -> list[WatchedWordEntry]:
    _require_moderator(actor)
    return policy.watched_words(actor)


def add_watched_word(actor, /, **fields) -> WatchedWordEntry:
    """Watch a word or a regular expression (policy.add_watched_word validates `fields` with its
    WatchWord), logged. Moderators only. Raises ValidationFailed, Conflict."""
    _require_moderator(actor)
    entry = policy.add_watched_word(actor, **fields)
    _log(actor, ModAction.WATCH_WORD, reason=f"{entry.action.value}: {entry.pattern}")
    db.session.flush()
    return entry


def remove_watched_word(actor, word_id) -> None:
    _require_moderator(actor)
    entry = policy.remove_watched_word(actor, word_id)
    _log(actor, ModAction.UNWATCH_WORD, reason=f"{entry.action.value}: {entry.pattern}")
    db.session.flush()


# --- the log ------------------------------------------------------------------------------------

def detail_text(detail: str) -> str:
    """A review item's `detail` in the reader's language (what is stored is what happened:
    "spam_flags:3", "held:<hold reason>", or the screening's own, see policy.detail_text)."""
    code, sep, rest = (detail or "").partition(":")
    if sep and code == "spam_flags" and rest.isdigit():
        return _("%(n)d spam flags", n=int(rest))
    if sep and code == "held" and rest in HoldReason._value2member_map_:
        return HoldReason(rest).title
    return policy.detail_text(detail)


def log_reason(entry: ModerationLogEntry) -> str:
    """A log entry's reason in the reader's language: the forum's own parts (a close reason, a
    watched word's action, a count) by their titles, what moderators wrote as they wrote it.
    Entries written before stored sentences: shown as they are."""
    reason, action = entry.reason or "", entry.action
    if action is ModAction.CLOSE:
        value, rest = re.match(r"([a-z_]*)(.*)", reason, re.S).groups()
        if value in CloseReason._value2member_map_:
            return CloseReason(value).title + rest
    elif action in (ModAction.WATCH_WORD, ModAction.UNWATCH_WORD):
        value, sep, pattern = reason.partition(": ")
        if sep:
            return f"{policy.watched_action_title(value)}: {pattern}"
    elif action in (ModAction.ADD_VOCABULARY, ModAction.REMOVE_VOCABULARY):
        value, sep, words = reason.partition(": ")
        titles = {"synonyms": _("Synonyms"), "domain": _("Domain words")}  # forum.search.models.VocabularyKind
        if sep and value in titles:
            return f"{titles[value]}: {words}"
    elif action is ModAction.HIDE and reason.startswith("spam_flags:") and reason[11:].isdigit():
        return _("Hidden after %(n)d spam flags.", n=int(reason[11:]))
    elif action is ModAction.REDACT:
        match = re.fullmatch(r"revision:(\d+):(.*)", reason, re.S)
        if match:
            return _("Revision %(number)d: %(reason)s", number=int(match[1]), reason=match[2])
    elif action is ModAction.REMOVE_PRIVATE and reason.startswith("private:"):
        kinds = [k for k in reason[8:].split(",") if k]
        try:
            return ", ".join(warning_label(k) for k in kinds)
        except ValueError:
            return reason
    return reason


def action_log(actor, *, username: str | None = None, page: int = 1, per_page: int = 50) -> Page[ModerationLogEntry]:
    """Moderator actions, newest first, optionally those about one member. Moderators only."""
    _require_moderator(actor)
    where = []
    if username:
        user = _target_user(username)
        where.append(ModerationLogEntry.user_id == user.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ModerationLogEntry).where(*where)) or 0
    items = db.session.scalars(sa.select(ModerationLogEntry).where(*where)
                               .order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total)


def connect() -> None:
    """Wire the review queue to the posts' signals (called by init_app)."""
    signals.post_held.connect(_on_post_held)
    for signal in (signals.question_deleted, signals.answer_deleted, signals.comment_deleted):
        signal.connect(_on_post_deleted)
    for signal in (signals.question_asked, signals.answer_posted):
        signal.connect(_on_first_post)
