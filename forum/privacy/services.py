"""Members' data rights: export, erasure on request after a grace period, and the ticket retention.

- export_for(actor): everything the member gave or holds, as JSON-ready data (the export is
  logged: a request that exports writes, forum.web.boundary.writes_on_get). Never another
  member's private data (the tickets' staff side is "support", internal notes are left out), never
  a secret (token hashes, the password hash, the two-step secret and recovery codes).
- request_erasure(actor, password): proven with the password; the account is signed out
  everywhere and erased FORUM_ERASURE_GRACE_DAYS later by erase_due(); signing in before then
  cancels it (forum.auth.services._signed_in; logged here through the erasure_cancelled signal).
- erase_due(now): erases the accounts whose grace period ended: e-mail, password, sessions, tokens,
  two-step secrets, notifications, follows, settings and pending e-mail are deleted; the name becomes
  a neutral marker shown as "deleted member #n" in the reader's language; the old name is held back
  from registration for FORUM_USERNAME_HOLD_DAYS. Posts stay. Then the private fields and the
  attachments of erased members' tickets older than FORUM_TICKET_RETENTION_DAYS are erased
  (forum.tickets).
Each step is in the moderation log: who and when, nothing of the content.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.auth import services as auth
from forum.auth.models import ERASED_NAME, ApiToken, PasswordReset, ReservedUsername, User
from forum.core import text
from forum.core.db import on_commit, utcnow
from forum.core.errors import Conflict, PermissionDenied, ValidationFailed
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.moderation import services as moderation
from forum.moderation.models import Flag, ModAction
from forum.notifications import services as notifications
from forum.notifications.models import Follow, Notification, NotificationSettings, OutgoingEmail
from forum.questions.models import Answer, Comment, Question, Revision
from forum.search import indexer
from forum.tickets import attachments as ticket_attachments
from forum.tickets import services as tickets
from forum.tickets.models import Ticket, TicketMessage
from forum.votes.models import Vote

EXPORT_FORMAT = "forum-export/1"


def grace_period() -> timedelta:
    return _days("FORUM_ERASURE_GRACE_DAYS", 7)


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(current_app.config.get(name, default)))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _member(actor) -> User:
    if not signed_in(actor) or not actor.is_active or actor.is_erased:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    return actor


# --- export ----------------------------------------------------------------------------------------

def export_for(actor) -> dict:
    """Everything the member gave or holds, as JSON-ready data (times in UTC, ISO 8601), and an
    entry in the moderation log (who, when; nothing of what was exported). Raises PermissionDenied
    when not signed in."""
    user = _member(actor)
    moderation.log_account_event(user, ModAction.EXPORT, user.id)
    now = utcnow()
    questions = list(db.session.scalars(sa.select(Question).where(Question.author_id == user.id)
                                        .order_by(Question.id)))
    answers = list(db.session.scalars(sa.select(Answer).where(Answer.author_id == user.id).order_by(Answer.id)))
    comments = list(db.session.scalars(sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)))
    question_ids = [q.id for q in questions]
    answer_ids = [a.id for a in answers]
    revisions: dict[tuple[str, int], list[dict]] = {}
    rows = db.session.scalars(sa.select(Revision).where(sa.or_(
        Revision.question_id.in_(question_ids), Revision.answer_id.in_(answer_ids), Revision.editor_id == user.id))
        .order_by(Revision.id))
    edits_of_others = []
    for r in rows:
        item = {"number": r.number, "title": r.title, "body": r.body,
                "tags": r.tags.split() if r.tags else None, "category": r.category, "summary": r.summary,
                "created_at": _iso(r.created_at), "edited_by_you": r.editor_id == user.id,
                "redacted": r.redacted_at is not None}
        key = ("question", r.question_id) if r.question_id is not None else ("answer", r.answer_id)
        if (key[0] == "question" and key[1] in question_ids) or (key[0] == "answer" and key[1] in answer_ids):
            revisions.setdefault(key, []).append(item)
        else:  # the member's edit of someone else's post: what they wrote, not the post's other versions
            edits_of_others.append({f"{key[0]}_id": key[1], **item})

    def post(p, kind: str) -> dict:
        return {"id": p.id, "body": p.body, "created_at": _iso(p.created_at), "updated_at": _iso(p.updated_at),
                "deleted": p.deleted_at is not None, "held": p.held_at is not None,
                "score": getattr(p, "score", None), "revisions": revisions.get((kind, p.id), [])}

    votes = db.session.scalars(sa.select(Vote).where(Vote.user_id == user.id).order_by(Vote.id))
    flags = db.session.scalars(sa.select(Flag).where(Flag.flagger_id == user.id).order_by(Flag.id))
    follows = notifications.follows_of(user)
    inbox = notifications.inbox(user, page=1, per_page=100_000).items
    own_tickets = list(db.session.scalars(sa.select(Ticket).where(Ticket.requester_id == user.id)
                                          .order_by(Ticket.id)))
    messages: dict[int, list[dict]] = {}
    if own_tickets:
        # Public messages only: internal notes are support's, never the requester's.
        for m in db.session.scalars(sa.select(TicketMessage).where(
                TicketMessage.ticket_id.in_([t.id for t in own_tickets]), TicketMessage.internal.is_(False))
                .order_by(TicketMessage.id)):
            messages.setdefault(m.ticket_id, []).append({
                "from": "you" if m.author_id == user.id else "support", "body": m.body,
                "created_at": _iso(m.created_at)})
    attachments = _attachment_names(user, own_tickets)
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "profile": {
            "id": user.id, "username": user.username, "email": user.email, "role": user.role.value,
            "reputation": user.reputation, "locale": user.locale, "about": user.about,
            "created_at": _iso(user.created_at), "question_count": user.question_count,
            "answer_count": user.answer_count, "two_step_verification": user.totp_secret is not None,
            "suspended_until": _iso(user.suspended_until),
            "posting_restricted_until": _iso(user.posting_restricted_until),
        },
        "questions": [{**post(q, "question"), "title": q.title, "tags": q.tag_names, "category": q.category.value,
                       "status": q.status.value} for q in questions],
        "answers": [{**post(a, "answer"), "question_id": a.question_id} for a in answers],
        "comments": [{"id": c.id, "question_id": c.question_id, "answer_id": c.answer_id, "body": c.body,
                      "created_at": _iso(c.created_at), "deleted": c.deleted_at is not None} for c in comments],
        "edits_of_others_posts": edits_of_others,
        "votes": [{"question_id": v.question_id, "answer_id": v.answer_id, "value": v.value,
                   "created_at": _iso(v.created_at)} for v in votes],
        "flags": [{"question_id": f.question_id, "answer_id": f.answer_id, "comment_id": f.comment_id,
                   "kind": f.kind.value, "note": f.note, "created_at": _iso(f.created_at)} for f in flags],
        "follows": {
            "questions": [{"id": q.id, "title": q.title, "since": _iso(f.created_at)} for f, q in follows["questions"]],
            "tags": [{"name": name, "since": _iso(f.created_at)} for f, name in follows["tags"]],
            "categories": [{"name": name, "since": _iso(f.created_at)} for f, name in follows["categories"]],
        },
        "notifications": [{"kind": n["kind"], "text": n["text"], "url": n["url"], "created_at": _iso(n["created_at"]),
                           "read": n["read"]} for n in inbox],
        "tickets": [{
            "number": t.number, "question_id": t.question_id, "category": t.category, "subject": t.subject,
            "description": t.description, "order_number": t.order_number,
            "contact_channel": t.contact_channel.value, "contact": t.contact, "status": t.status.value,
            "created_at": _iso(t.created_at), "solved_at": _iso(t.solved_at), "rating": t.rating,
            "rating_comment": t.rating_comment, "messages": messages.get(t.id, []),
            "attachments": attachments.get(t.id, []),
        } for t in own_tickets],
        # Sessions live in signed browser cookies, not on the server: what the server keeps is
        # when the account was last seen and the version that ends every session at once.
        "sessions": {"last_seen_at": _iso(user.last_seen_at), "session_version": user.session_version},
        "api_tokens": [{"name": t.name, "created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at),
                        "revoked_at": _iso(t.revoked_at), "expires_at": _iso(auth.token_expires_at(t))}
                       for t in tokens],
    }


def _attachment_names(user: User, tickets: list) -> dict[int, list[str]]:
    """The names of the files on the member's tickets that the member may see there (forum.tickets.
    attachments: those on public messages and their own; never an internal note's)."""
    return {t.id: [item.filename for item in ticket_attachments.visible_attachments(t, user)] for t in tickets}


# --- erasure ---------------------------------------------------------------------------------------

def request_erasure(actor, password) -> datetime:
    """The member asks for the account to be erased, proving the password: it is signed out
    everywhere (every session and API token) and erased after the grace period, unless they sign
    in before then. Returns when it will be erased. Raises PermissionDenied (not signed in),
    ValidationFailed (password wrong or missing, or the account locked), Conflict (asked already)."""
    user = _member(actor)
    if not isinstance(password, str) or not password:
        raise ValidationFailed({"password": [_("Enter your password to confirm.")]})
    if not auth.confirm_password(user, password, "password"):
        raise ValidationFailed({"password": [_("That is not your password.")]})
    if user.erasure_due_at is not None:
        raise Conflict(_("You asked for this already."), code="erasure_requested")
    now = utcnow()
    user.erasure_requested_at = now
    user.erasure_due_at = now + grace_period()
    auth.end_all_sessions(user)
    moderation.log_account_event(user, ModAction.ERASURE_REQUEST, user.id)
    db.session.flush()
    return user.erasure_due_at


def log_cancellation(user: User, **_) -> None:
    """Signal subscriber: a sign-in within the grace period cancelled the erasure."""
    moderation.log_account_event(user, ModAction.ERASURE_CANCEL, user.id)


def erase_account(user: User, now: datetime | None = None) -> None:
    """Erase one account now (erase_due calls it when its grace period ended). Flushes only."""
    now = now or utcnow()
    old_key, old_skeleton = user.username_key, user.username_skeleton or text.lookalike_key(user.stored_username)
    db.session.add(ReservedUsername(username_key=old_key, username_skeleton=old_skeleton[:255],
                                    reserved_until=now + _days("FORUM_USERNAME_HOLD_DAYS", 180), created_at=now))
    tickets.close_tickets_of(user.id)
    for model, column in ((ApiToken, ApiToken.user_id), (PasswordReset, PasswordReset.user_id),
                          (Notification, Notification.user_id), (Follow, Follow.user_id),
                          (NotificationSettings, NotificationSettings.user_id),
                          (OutgoingEmail, OutgoingEmail.user_id)):
        db.session.execute(sa.delete(model).where(column == user.id))
    keys = db.metadata.tables.get("idempotency_keys")  # the API's stored answers (forum.api, to the right)
    if keys is not None:
        db.session.execute(sa.delete(keys).where(keys.c.user_id == user.id))
    marker = ERASED_NAME.format(id=user.id)
    user.stored_username = marker
    user.username_key = marker
    user.username_skeleton = ""
    user.email = marker
    user.email_key = marker
    user.password_hash = "!"  # no hash: no password matches
    user.totp_secret = user.totp_pending_secret = user.totp_last_step = None
    user.recovery_codes = ""
    user.about = ""
    user.locale = None
    user.last_seen_at = None
    user.active = False
    user.session_version = User.session_version + 1
    user.erasure_due_at = None
    user.erased_at = now
    # The search documents carry the author's name (the user: filter): the threads are indexed again.
    thread_ids = set(db.session.scalars(sa.select(Question.id).where(Question.author_id == user.id)))
    thread_ids |= set(db.session.scalars(sa.select(Answer.question_id).where(Answer.author_id == user.id)))
    for question_id in thread_ids:
        indexer.enqueue(question_id)
    if thread_ids:
        on_commit(indexer.notify)
    moderation.log_account_event(None, ModAction.ERASE, user.id)
    db.session.flush()


def erase_due(now: datetime | None = None) -> dict[str, int]:
    """The periodic job (`flask --app forum privacy erase`): erase every account whose grace period
    ended, then the private fields and attachments of erased members' tickets past
    FORUM_TICKET_RETENTION_DAYS.
    Returns the counts. Flushes only (the command commits)."""
    now = now or utcnow()
    due = list(db.session.scalars(sa.select(User).where(User.erasure_due_at.is_not(None),
                                                        User.erasure_due_at <= now, User.erased_at.is_(None))
                                  .order_by(User.id)))
    for user in due:
        erase_account(user, now)
    expired = tickets.erase_private_details(now - _days("FORUM_TICKET_RETENTION_DAYS", 180), now)
    return {"erased": len(due), "tickets": expired}
