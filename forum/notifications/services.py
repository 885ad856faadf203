"""Notifications: who hears of what, following, reading, e-mail preferences and delivery.

Notifications are written in the transaction of the event that causes them (these helpers only
flush); e-mail goes to an outbox in the same transaction and is sent by a job after the commit.
Members never hear of their own actions.
"""
from __future__ import annotations

import functools
import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from forum.auth.models import User
from forum.core.db import insert_ignoring_conflicts, on_commit, unit_of_work, utcnow
from forum.core.errors import NotFound, ValidationFailed
from forum.core.pagination import Page
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.notifications import jobs, mail
from forum.notifications.kinds import Kind, incident_of, redacted_revision_number, render_text, webhook_id_of
from forum.notifications.models import Follow, Notification, NotificationSettings, OutgoingEmail
from forum.notifications.schemas import MarkRead
from forum.questions.models import Category, Question, Tag, question_tags
from forum.tickets.reply_address import reply_address

log = logging.getLogger(__name__)
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_.@])@([\w.\-]{2,24})")  # "请@老王" works; "a@b.com" does not
EMAIL_MODES = ("instant", "daily", "off")
MAX_ATTEMPTS = 6


# --- who follows what ---------------------------------------------------------------------------

def follow(user_id: int, *, question_id: int | None = None, tag_id: int | None = None,
           category: str | None = None) -> None:
    """Follow a question, a tag or a category (idempotent; flushes only)."""
    values = {"user_id": user_id, "question_id": question_id, "tag_id": tag_id, "category": category,
              "created_at": utcnow()}
    column = "question_id" if question_id is not None else "tag_id" if tag_id is not None else "category"
    insert_ignoring_conflicts(Follow, values, ["user_id", column])


def set_following(actor: User, following: bool, *, question_id: int | None = None, tag: str | None = None,
                  category: str | None = None) -> None:
    """Follow or unfollow, by a member's choice; commits. Raises NotFound, ValidationFailed."""
    target: dict = {}
    if question_id is not None:
        question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
        if question is None or question.is_deleted:
            raise NotFound(_("This question does not exist or was deleted."))
        target = {"question_id": question.id}
    elif tag is not None:
        tag_row = db.session.scalar(sa.select(Tag).where(Tag.name == tag))
        if tag_row is None:
            raise NotFound(_("No such tag."))
        target = {"tag_id": tag_row.id}
    elif category is not None:
        if category not in {c.value for c in Category}:
            raise NotFound(_("No such category."))
        target = {"category": category}
    else:
        raise ValidationFailed({"target": [_("Choose what to follow.")]})
    if following:
        follow(actor.id, **target)
    else:
        column, value = next(iter(target.items()))
        db.session.execute(sa.delete(Follow).where(Follow.user_id == actor.id, getattr(Follow, column) == value))
    db.session.flush()


def follows_of(user: User) -> dict:
    """What a member follows: {"questions": [Question], "tags": [str], "categories": [str]}, oldest first;
    deleted questions are left out (a follow of one stays, and comes back with it)."""
    rows = db.session.execute(sa.select(Follow, Tag.name).outerjoin(Tag, Tag.id == Follow.tag_id)
                              .where(Follow.user_id == user.id).order_by(Follow.created_at, Follow.id)).all()
    question_ids = [f.question_id for f, _name in rows if f.question_id is not None]
    questions = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(question_ids)))}
    found: dict = {"questions": [], "tags": [], "categories": []}
    for follow_row, tag_name in rows:
        if follow_row.question_id is not None:
            question = questions.get(follow_row.question_id)
            if question is not None and not question.is_deleted:
                found["questions"].append((follow_row, question))
        elif follow_row.tag_id is not None:
            found["tags"].append((follow_row, tag_name))
        else:
            found["categories"].append((follow_row, follow_row.category))
    return found


def is_following(user, **target) -> bool:
    if not signed_in(user):
        return False
    column, value = next(iter(target.items()))
    return db.session.scalar(sa.select(following(user.id, **{column: value}))) or False


def following(user_id, **target) -> sa.ColumnElement[bool]:
    """Whether the member follows the target (`question_id=`, `tag_id=` or `category=`), as an
    expression, for a caller that asks it within a query of its own (values or bind parameters)."""
    column, value = next(iter(target.items()))
    return sa.exists().where(Follow.user_id == user_id, getattr(Follow, column) == value)


def question_followers(question_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(Follow.user_id).where(Follow.question_id == question_id)))


def tag_and_category_followers(question: Question) -> set[int]:
    tag_ids = sa.select(question_tags.c.tag_id).where(question_tags.c.question_id == question.id)
    return set(db.session.scalars(sa.select(Follow.user_id).where(
        sa.or_(Follow.tag_id.in_(tag_ids), Follow.category == question.category.value))))


def mentioned_users(text: str) -> set[int]:
    """Members named as @username in the text (Chinese names too; any case)."""
    from forum.auth.services import username_key

    keys = {username_key(name.rstrip(".-")) for name in MENTION_RE.findall(text or "")}
    if not keys:
        return set()
    return set(db.session.scalars(sa.select(User.id).where(User.username_key.in_(list(keys)[:20]))))


# --- notifying ------------------------------------------------------------------------------------

def notify(recipients, kind: Kind, *, actor_id: int | None, question_id: int | None = None,
           answer_id: int | None = None, comment_id: int | None = None, ticket_id: int | None = None,
           detail: str = "") -> int:
    """Write one notification per recipient (never the actor), queue their e-mails; flushes only."""
    recipients = {r for r in recipients if r and r != actor_id}
    if not recipients:
        return 0
    now = utcnow()
    rows = [Notification(user_id=r, kind=kind.value, actor_id=actor_id, question_id=question_id, answer_id=answer_id,
                         comment_id=comment_id, ticket_id=ticket_id, detail=detail[:200], created_at=now)
            for r in sorted(recipients)]
    db.session.add_all(rows)
    db.session.flush()
    queued = 0
    for row in rows:
        queued += _queue_email(row)
    if queued:
        on_commit(lambda: jobs.enqueue(deliver_pending))
    return len(rows)


def settings_for(user_id: int) -> NotificationSettings:
    settings = db.session.get(NotificationSettings, user_id)
    return settings or NotificationSettings(user_id=user_id, email_mode="instant", muted_kinds="")


def _queue_email(notification: Notification) -> int:
    user = db.session.get(User, notification.user_id)
    settings = settings_for(user.id)
    if settings.email_mode != "instant" or notification.kind in settings.muted_kinds.split(","):
        return 0
    # About a ticket: the recipient's reply by e-mail goes on the ticket (forum.mailin); staff may
    # also write an internal note by e-mail.
    reply_to = reply_address(notification.ticket_id, user.id) if notification.ticket_id else None
    note_to = reply_address(notification.ticket_id, user.id, note=True) if reply_to and user.role.is_staff else None
    subject, text, html = _render_email(user, [notification], reply_to=reply_to, note_to=note_to)
    db.session.add(OutgoingEmail(user_id=user.id, to_address=user.email, subject=subject, body_text=text,
                                 body_html=html, unsubscribe_url=unsubscribe_url(user.id), reply_to=reply_to or "",
                                 created_at=utcnow(), next_attempt_at=utcnow()))
    return 1


def base_url() -> str:
    return (current_app.config.get("FORUM_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def item_url(notification: Notification) -> str:
    if notification.kind == Kind.WEBHOOK_DISABLED.value:
        webhook_id = webhook_id_of(notification.detail)
        return f"/admin/webhooks/{webhook_id}" if webhook_id else "/admin/webhooks"
    if notification.ticket_id:
        return f"/tickets/{notification.ticket_id}"
    if notification.kind == Kind.INCIDENT_RESOLVED.value:
        incident_id = incident_of(notification.detail)[0]
        return f"/incidents/{incident_id}" if incident_id else "/incidents"
    if notification.kind == Kind.REVISION_REDACTED.value and notification.question_id:
        # The history where the revision was redacted.
        number = redacted_revision_number(notification.detail)
        path = (f"/answers/{notification.answer_id}/revisions" if notification.answer_id
                else f"/questions/{notification.question_id}/revisions")
        return path + (f"#revision-{number}" if number else "")
    path = f"/questions/{notification.question_id}" if notification.question_id else "/notifications"
    if notification.answer_id:
        path += f"#answer-{notification.answer_id}"
    return path


def _render_email(user: User, notifications: list[Notification], *, reply_to: str | None = None,
                  note_to: str | None = None) -> tuple[str, str, str]:
    """Subject, text and HTML in the member's language; with `reply_to` (an e-mail about a ticket)
    a line saying that a reply goes on the ticket, and with `note_to` (to staff) where notes go."""
    locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    titles = _titles([n.question_id for n in notifications if n.question_id])
    with force_locale(locale):
        items = [{"text": render_text(n.kind, n.actor.username if n.actor else "", titles.get(n.question_id, ""),
                                      n.detail), "url": base_url() + item_url(n)} for n in notifications]
        subject = items[0]["text"] if len(items) == 1 else _("%(num)d updates from the Support Community",
                                                             num=len(items))
        context = {"user": user, "items": items, "unsubscribe": unsubscribe_url(user.id),
                   "settings_url": base_url() + "/settings/notifications", "reply_to": reply_to,
                   "note_to": note_to}
        text = render_template("email/notification.txt", **context)
        html = render_template("email/notification.html", **context)
    return subject[:300], text, html


def _titles(question_ids) -> dict[int, str]:
    if not question_ids:
        return {}
    # Only public threads lend their titles (an e-mail queued before a thread was held says nothing of it).
    return dict(db.session.execute(sa.select(Question.id, Question.title)
                                   .where(Question.id.in_(set(question_ids)), Question.public())).all())


# --- reading --------------------------------------------------------------------------------------

def _visible():
    # Notifications about deleted questions are not shown (the content is gone for everyone);
    # ticket notifications go only to the requester and staff and carry no question.
    from forum.questions.models import Answer

    # Correlated (one primary-key lookup per notification): `question_id IN (SELECT id FROM questions
    # WHERE public)` made SQLite list every public question, 23 ms of a member's every page at 10,000.
    question_live = sa.or_(Notification.question_id.is_(None), Notification.ticket_id.is_not(None),
                           sa.exists().where(Question.id == Notification.question_id, Question.public()))
    answer_live = sa.or_(Notification.answer_id.is_(None),
                         sa.exists().where(Answer.id == Notification.answer_id, Answer.public()))
    return sa.and_(question_live, answer_live)


def _unread_of(user_id) -> sa.Select:
    return sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), _visible())


@functools.cache
def _unread_count_statement() -> sa.Select:
    # Built once: on a member's every page, building this expression cost more than running it.
    return _unread_of(sa.bindparam("user_id"))


def unread_count_column(user_id_column) -> sa.ScalarSelect:
    """The unread count of the member whose id is `user_id_column`, as a column of another query:
    the signed-in member is read with it (forum.auth.services.read_with_session_user), one round
    trip instead of two on each of their pages (forum.notifications.views keeps the value)."""
    return _unread_of(user_id_column).scalar_subquery()


def unread_count(user) -> int:
    if not signed_in(user):
        return 0
    return db.session.scalar(_unread_count_statement(), {"user_id": user.id}) or 0


def inbox(user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 20):
    """The member's notifications, newest first, each with its text and link (two queries)."""
    where = [Notification.user_id == user.id, _visible()]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(*where)) or 0
    rows = list(db.session.scalars(sa.select(Notification).where(*where)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .limit(per_page).offset((page - 1) * per_page)))
    titles = _titles([n.question_id for n in rows if n.question_id])
    items = [{"id": n.id, "kind": n.kind, "created_at": n.created_at, "read": n.read_at is not None,
              "url": item_url(n), "actor": n.actor,
              "text": render_text(n.kind, n.actor.username if n.actor else "", titles.get(n.question_id, ""), n.detail)}
             for n in rows]
    return Page(items, page, per_page, total)


def mark_read(actor: User, /, **fields) -> int:
    """Mark the member's own notifications read: `fields` are MarkRead's (ids, at most 1,000 of them,
    or all=True), validated here once; flushes only. Ids that are not the member's raise NotFound
    and change nothing (someone else's notification is as absent as a missing one). Returns how
    many were unread. Raises ValidationFailed, NotFound."""
    command = MarkRead.parse(fields)
    all_, ids = bool(command.all), command.ids
    if not all_:
        owned = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == actor.id, Notification.id.in_(set(ids))))
        if owned != len(set(ids)):
            raise NotFound(_("Some of these notifications do not exist."))
    query = sa.update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if not all_:
        query = query.where(Notification.id.in_(ids))
    result = db.session.execute(query.values(read_at=utcnow()).returning(Notification.id))
    count = len(result.all())
    db.session.flush()
    return count


# --- e-mail preferences and delivery --------------------------------------------------------------

def update_settings(actor: User, *, email_mode: str, muted_kinds) -> None:
    """Choose instant e-mail, a daily digest or none, and kinds to leave out; commits."""
    if email_mode not in EMAIL_MODES:
        raise ValidationFailed({"email_mode": [_("Choose instant, daily or off.")]})
    known = {k.value for k in Kind}
    muted = [k for k in (muted_kinds or []) if k in known]
    settings = db.session.get(NotificationSettings, actor.id)
    if settings is None:
        settings = NotificationSettings(user_id=actor.id)
        db.session.add(settings)
    if email_mode == "daily" and settings.email_mode != "daily":
        settings.last_digest_at = utcnow()  # what was e-mailed one by one is not sent again
    settings.email_mode = email_mode
    settings.muted_kinds = ",".join(sorted(muted))
    db.session.flush()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_url(user_id: int) -> str:
    return f"{base_url()}/unsubscribe/{_serializer().dumps(user_id)}"


def unsubscribe(token: str) -> User:
    """One-click unsubscribe: turn every e-mail off for the member the signed token names; commits.
    Raises NotFound for a bad token."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    update_settings(user, email_mode="off", muted_kinds=settings_for(user.id).muted_kinds.split(","))
    return user


SEND_LEASE = timedelta(minutes=5)


def deliver_pending(limit: int = 100) -> int:
    """Send the e-mails that are due; failures are retried with exponential backoff (1, 2, 4 ...
    minutes) up to MAX_ATTEMPTS, then marked failed. Returns how many were sent.

    Each e-mail is claimed by one conditional UPDATE that moves its next attempt past a lease:
    a second worker (web thread, RQ, cron) finds nothing due and skips it, and a worker that dies
    mid-send leaves it to be retried when the lease ends. No transaction is open while talking
    to the mail server (on SQLite it would hold the write lock for the whole send).
    """
    now = utcnow()
    with unit_of_work():  # a job: each step below is its own short unit of work
        due = [row.id for row in db.session.execute(sa.select(OutgoingEmail.id).where(
            OutgoingEmail.status.in_(["pending", "sending"]), OutgoingEmail.next_attempt_at <= now)
            .order_by(OutgoingEmail.id).limit(limit))]
    sent = 0
    for email_id in due:
        now = utcnow()
        with unit_of_work():
            claimed = db.session.execute(
                sa.update(OutgoingEmail).where(OutgoingEmail.id == email_id,
                                               OutgoingEmail.status.in_(["pending", "sending"]),
                                               OutgoingEmail.next_attempt_at <= now)
                .values(status="sending", attempts=OutgoingEmail.attempts + 1, next_attempt_at=now + SEND_LEASE)
                .returning(OutgoingEmail.to_address, OutgoingEmail.subject, OutgoingEmail.body_text,
                           OutgoingEmail.body_html, OutgoingEmail.unsubscribe_url, OutgoingEmail.reply_to,
                           OutgoingEmail.attempts)).first()
        if claimed is None:
            continue
        to, subject, text, html, unsubscribe_link, reply_to, attempts = claimed
        try:
            # One Message-ID per outbox row: a re-send after a crash is recognisably the same e-mail.
            mail.send(to, subject, text, html, unsubscribe_link, message_id=mail.outbox_message_id(email_id),
                      reply_to=reply_to)
        except Exception as error:  # SMTP errors, refused connections, timeouts
            failed = attempts >= MAX_ATTEMPTS
            with unit_of_work():
                db.session.execute(sa.update(OutgoingEmail).where(OutgoingEmail.id == email_id).values(
                    status="failed" if failed else "pending", last_error=str(error)[:500],
                    next_attempt_at=utcnow() + timedelta(minutes=2 ** (attempts - 1))))
            log.warning("e-mail %s to %s failed (attempt %s): %s", email_id, to, attempts, error)
        else:
            with unit_of_work():
                db.session.execute(sa.update(OutgoingEmail).where(OutgoingEmail.id == email_id)
                                   .values(status="sent", sent_at=utcnow()))
            sent += 1
    return sent


def send_digests(now=None) -> int:
    """The daily digest: one e-mail per member in "daily" mode with unread notifications since
    the last digest. Returns how many were queued; commits."""
    now = now or utcnow()
    count = 0
    for settings in db.session.scalars(sa.select(NotificationSettings).where(NotificationSettings.email_mode == "daily")):
        since = settings.last_digest_at or (now - timedelta(days=1))
        muted = [k for k in settings.muted_kinds.split(",") if k]
        notes = list(db.session.scalars(sa.select(Notification).where(
            Notification.user_id == settings.user_id, Notification.read_at.is_(None), Notification.created_at > since,
            Notification.kind.not_in(muted) if muted else sa.true(), _visible()).order_by(Notification.created_at)))
        settings.last_digest_at = now
        if not notes:
            continue
        user = db.session.get(User, settings.user_id)
        subject, text, html = _render_email(user, notes)
        db.session.add(OutgoingEmail(user_id=user.id, to_address=user.email, subject=subject, body_text=text,
                                     body_html=html, unsubscribe_url=unsubscribe_url(user.id), created_at=now,
                                     next_attempt_at=now))
        count += 1
    db.session.flush()
    return count


def send_account_email(user: User | None, subject: str, template: str, *, to_address: str | None = None,
                       reply_to: str = "", **context) -> None:
    """Queue an account e-mail (not a notification: it ignores e-mail preferences, and has no
    unsubscribe link) in the member's language, sent after the commit, to the member's address or
    to `to_address` (the old one, after a change), with `reply_to` when given. `user` None: someone
    who is not a member (an answer to their mail to the support address), in the default language,
    to `to_address`. Flushes only."""
    locale = (user.locale if user else None) or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", user=user, **context)
        html = render_template(f"email/{template}.html", user=user, **context)
        subject = str(subject) if not isinstance(subject, str) else _(subject)  # a lazy message, or a msgid
    db.session.add(OutgoingEmail(user_id=user.id if user else None, to_address=to_address or user.email,
                                 subject=subject[:300], body_text=text, body_html=html, unsubscribe_url="",
                                 reply_to=reply_to, created_at=utcnow(), next_attempt_at=utcnow()))
    on_commit(lambda: jobs.enqueue(deliver_pending))
