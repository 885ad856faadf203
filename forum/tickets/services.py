"""Escalation to official support: tickets, their conversation, tiers, SLA clocks, publishing.

A ticket is private: only its requester and staff see it; anyone else is told it does not exist.
Due times are counted in support business hours (forum.tickets.sla) and pause while the ticket
waits for the requester.
"""
from __future__ import annotations

import html
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.auth.models import User
from forum.auth.services import username_key
from forum.core import signals
from forum.core.db import is_row_id, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.core.markup import render_markdown
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.policy import services as policy
from forum.questions import services as questions
from forum.questions.models import Question
from forum.questions.services import get_question
from forum.tickets import attachments as ticket_attachments
from forum.tickets import sla
from forum.tickets.models import Channel, Priority, Status, Ticket, TicketEvent, TicketMessage
from forum.tickets.schemas import (
    DESCRIPTION_MAX,
    AddMessage,
    EscalateQuestion,
    PublishResolution,
    RateTicket,
    ReplyToEscalations,
    UpdateTicket,
)
from forum.verification import services as verification
from forum.verification.models import NoteKind

REOPEN_DAYS = 7
DEFAULT_TARGETS = {  # hours of business time: (first response, resolution)
    "urgent": (1, 8), "high": (2, 16), "normal": (4, 24), "low": (8, 40),
}


# --- configuration --------------------------------------------------------------------------------

def calendar() -> sla.BusinessCalendar:
    """Support hours from FORUM_SUPPORT_HOURS (opens, closes, workdays, country, closed, open days)."""
    cfg = current_app.config.get("FORUM_SUPPORT_HOURS") or {}
    return sla.BusinessCalendar(
        timezone=cfg.get("timezone", current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")),
        opens=time.fromisoformat(cfg.get("opens", "09:00")),
        closes=time.fromisoformat(cfg.get("closes", "18:00")),
        workdays=frozenset(cfg.get("workdays", (0, 1, 2, 3, 4))),
        country=cfg.get("country", "CN"),
        extra_closed=sla.parse_days(cfg.get("closed_days", ())),
        extra_open=sla.parse_days(cfg.get("open_days", ())),
    )


def targets(priority: Priority) -> tuple[timedelta, timedelta]:
    configured = current_app.config.get("FORUM_SLA_TARGETS") or {}
    first, resolution = configured.get(priority.value, DEFAULT_TARGETS[priority.value])
    return timedelta(hours=first), timedelta(hours=resolution)


def _set_due_times(ticket: Ticket) -> None:
    """Due times from the creation time, the priority's targets and the time spent pending."""
    cal = calendar()
    first, resolution = targets(ticket.priority)
    paused = timedelta(seconds=ticket.paused_seconds)
    ticket.first_response_due = cal.add_business_time(ticket.created_at, first + paused)
    ticket.resolution_due = cal.add_business_time(ticket.created_at, resolution + paused)


def expected_first_reply(now: datetime | None = None, priority: Priority = Priority.NORMAL) -> datetime:
    """When a ticket opened now would get its first reply at the latest (for the escalation form)."""
    return calendar().add_business_time(now or utcnow(), targets(priority)[0])


# --- helpers --------------------------------------------------------------------------------------

def _member(actor) -> User:
    if not signed_in(actor) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    return actor


def _staff(actor) -> User:
    _member(actor)
    if not actor.role.is_staff:
        raise PermissionDenied(_("Only support staff can do this."), code="staff_only")
    return actor


def _event(ticket: Ticket, actor: User | None, kind: str, old="", new="", reason="", internal=False) -> None:
    db.session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.id if actor else None, kind=kind, old=str(old)[:100],
                               new=str(new)[:100], reason=(reason or "")[:500], internal=internal, created_at=utcnow()))


def _locked(ticket_id) -> Ticket:
    # of=Ticket: PostgreSQL refuses FOR UPDATE on the outer-joined assignee.
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
                               .execution_options(populate_existing=True)) if is_row_id(ticket_id) else None
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def _flush() -> None:
    """Flush; a ticket reopened at the same moment as a new escalation of its question loses to
    the one-open-ticket rule (the partial unique index) with a 409, not a 500. In a savepoint, so
    that the caller's session stays usable for the error page."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(_("There is already an open ticket for this question."), code="ticket_exists") from None


# --- reading ---------------------------------------------------------------------------------------

def get_ticket(actor, ticket_id) -> Ticket:
    """The ticket, for its requester or staff; anyone else gets NotFound (its existence is private)."""
    _member(actor)
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None or not (actor.role.is_staff or ticket.requester_id == actor.id):
        raise NotFound(_("No such ticket."))
    return ticket


def open_ticket_for(question_id: int, requester_id: int) -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).where(
        Ticket.question_id == question_id, Ticket.requester_id == requester_id,
        Ticket.status.in_([Status.NEW, Status.OPEN, Status.PENDING])))


# --- the requester's side ---------------------------------------------------------------------------

def may_escalate(actor, question) -> bool:
    """Whether `actor` may take `question` to official support: any signed-in, active member, the
    asker or anyone with the same problem ("me too"); each gets a ticket of their own."""
    return signed_in(actor) and actor.is_active and question is not None and not question.is_deleted


def me_too(tickets: list[Ticket]) -> dict[int, bool]:
    """Ticket id → whether it was escalated from another member's question (one query for a page)."""
    question_ids = {t.question_id for t in tickets if t.question_id is not None}
    askers = dict(db.session.execute(sa.select(Question.id, Question.author_id)
                                     .where(Question.id.in_(question_ids))).all()) if question_ids else {}
    return {t.id: t.question_id is not None and askers.get(t.question_id) != t.requester_id for t in tickets}


def is_me_too(ticket: Ticket) -> bool:
    """Whether the ticket was escalated from another member's question."""
    return me_too([ticket])[ticket.id]


def escalate_question(actor, question_id, /, **fields) -> Ticket:
    """Take a question to official support in a private ticket of the actor's own: the asker's
    escalation, or another member's "me too" from a thread matching their problem (the ticket's
    question is then its source, and the public thread says nothing of it).

    `fields` are those of EscalateQuestion (category, description, order_number, contact_channel,
    contact), validated here, once, after the caller is known.
    One open ticket per question per member: a second one raises Conflict naming the first.
    Raises PermissionDenied (not signed in), NotFound, ValidationFailed, Conflict.
    """
    _member(actor)
    question = get_question(question_id, viewer=actor)
    if not may_escalate(actor, question):
        raise NotFound(_("This question does not exist or was deleted."))
    command = EscalateQuestion.parse(fields)
    existing = open_ticket_for(question.id, actor.id)
    if existing is not None:
        raise Conflict(_("You already have an open ticket for this question: %(number)s.", number=existing.number),
                       code="ticket_exists", fields={"ticket": [existing.number], "ticket_id": [str(existing.id)]})
    now = utcnow()
    ticket = Ticket(question_id=question.id, requester_id=actor.id, category=command.category,
                    subject=question.title, description=command.description, order_number=command.order_number,
                    contact_channel=Channel(command.contact_channel), contact=command.contact,
                    status=Status.NEW, priority=Priority.NORMAL, tier=1, created_at=now, updated_at=now,
                    paused_seconds=0)
    _set_due_times(ticket)
    try:
        with db.session.begin_nested():  # a savepoint: the rest of the unit of work stays usable
            db.session.add(ticket)
            db.session.flush()
    except sa.exc.IntegrityError:
        # A concurrent escalation of the same question by the same member won the race.
        existing = open_ticket_for(question.id, actor.id)
        raise Conflict(_("You already have an open ticket for this question: %(number)s.",
                         number=existing.number if existing else ""), code="ticket_exists",
                       fields={"ticket": [existing.number], "ticket_id": [str(existing.id)]} if existing else {}) from None
    _event(ticket, actor, "created", new=Status.NEW.value)
    signals.ticket_created.send(ticket, actor=actor)
    db.session.flush()
    return ticket


def open_ticket_by_email(actor, *, subject: str, body: str) -> Ticket:
    """A member's e-mail to the support address becomes a ticket of category "other", linked to no
    question, its contact channel e-mail (the member's registered address, the one it came from):
    the subject is the mail's (else the body's first line), the description its text, cut to the
    form's limits. Staff hear of it as of any new ticket. Raises ValidationFailed when the mail
    says nothing."""
    _member(actor)
    body = (body or "").strip()
    subject = " ".join((subject or "").split()) or " ".join(body.splitlines()[:1]).strip()
    if not body and not subject:
        raise ValidationFailed({"description": [_("Describe the problem.")]})
    subject = subject[:200]
    description = (body or subject)[:DESCRIPTION_MAX]
    now = utcnow()
    ticket = Ticket(question_id=None, requester_id=actor.id, category="other", subject=subject,
                    description=description, order_number="", contact_channel=Channel.EMAIL,
                    contact=(actor.email or "")[:200], status=Status.NEW, priority=Priority.NORMAL, tier=1,
                    created_at=now, updated_at=now, paused_seconds=0)
    _set_due_times(ticket)
    db.session.add(ticket)
    db.session.flush()
    _event(ticket, actor, "created", new=Status.NEW.value)
    signals.ticket_created.send(ticket, actor=actor)
    db.session.flush()
    return ticket


def ask_with_private_details(actor, *, title, body, tags, category) -> Ticket:
    """The privacy guard's second way out: post the question with the private data removed, and
    send the passages that held it to official support in a private ticket on that question.
    One transaction: if the escalation fails, the question is not posted either. Returns the
    ticket. Raises what ask_question and escalate_question raise."""
    passages = policy.private_passages({"title": title, "body": body})
    question = questions.ask_question(actor, title=title, body=body, tags=tags, category=category, private_data="remove")
    description = _("Private details from my question (removed from the public page):") + "\n\n" + passages
    return escalate_question(actor, question.id, category=question.category.value,
                             description=description[:DESCRIPTION_MAX])


def add_message(actor, ticket_id, body, *, internal: bool | None = False, attachments=(), files=()) -> TicketMessage:
    """Write on a ticket: `body` and `internal` are AddMessage's, validated here, once; `attachments`
    are ids of files added to the ticket beforehand (forum.tickets.attachments), `files` are
    (filename, content_type, bytes) sent with the message itself (the ticket page's form). Requesters
    write public messages only (internal: 403, before the body is looked at); their reply moves a
    pending ticket back to open. A staff reply is the first response when it is the first. Closed
    or merged tickets take no messages (Conflict). Raises NotFound, PermissionDenied,
    ValidationFailed, Conflict."""
    ticket = get_ticket(actor, ticket_id)
    staff = actor.role.is_staff
    if internal and not staff:
        raise PermissionDenied(_("Only staff can write internal notes."), code="staff_only")
    command = AddMessage.parse({"body": body, "internal": internal})
    body, internal = command.body, command.internal
    ticket = _locked(ticket.id)
    if ticket.status is Status.CLOSED or ticket.merged_into_id is not None:
        raise Conflict(_("This ticket is closed. Open a new one if you still need help."), code="ticket_closed")
    now = utcnow()
    message = TicketMessage(ticket_id=ticket.id, author_id=actor.id, body=body, body_html=render_markdown(body),
                            internal=bool(internal), created_at=now)
    db.session.add(message)
    db.session.flush()
    sent = [ticket_attachments.add_attachment(ticket, actor, name, kind, data).id for name, kind, data in files]
    ticket_attachments.attach_to_message(message, [*attachments, *sent])
    _event(ticket, actor, "note" if internal else "message", internal=bool(internal))
    if not internal:
        if staff and actor.id != ticket.requester_id:
            if ticket.first_responded_at is None:
                ticket.first_responded_at = now
                if now > ticket.first_response_due and ticket.breached_at is None:
                    ticket.breached_at = now  # late, even if no sweep ran in between
                    _event(ticket, None, "breached")
            if ticket.status is Status.NEW:
                _change_status(ticket, actor, Status.OPEN)
        elif ticket.status in (Status.PENDING, Status.SOLVED):
            if ticket.status is Status.SOLVED:
                _ensure_reopenable(ticket, now)
            _change_status(ticket, actor, Status.OPEN)
    ticket.updated_at = now
    signals.ticket_message_added.send(ticket, actor=actor, message=message)
    _flush()
    return message


def _ensure_reopenable(ticket: Ticket, now: datetime) -> None:
    ended = ticket.solved_at or ticket.closed_at or now
    if now - ended > timedelta(days=REOPEN_DAYS):
        raise Conflict(_("Tickets can be reopened within %(days)d days. Please open a new one.", days=REOPEN_DAYS),
                       code="too_late")


def _change_status(ticket: Ticket, actor: User | None, new: Status, reason: str = "") -> None:
    old = ticket.status
    if old is new:
        return
    if new.is_active and not old.is_active and ticket.question_id is not None:
        other = open_ticket_for(ticket.question_id, ticket.requester_id)
        if other is not None and other.id != ticket.id:
            raise Conflict(_("There is already an open ticket for this question: %(number)s.", number=other.number),
                           code="ticket_exists", fields={"ticket": [other.number]})
    now = utcnow()
    if old is Status.PENDING and ticket.pending_since is not None:
        ticket.paused_seconds += int(calendar().business_time_between(ticket.pending_since, now).total_seconds())
        ticket.pending_since = None
        _set_due_times(ticket)
    if new is Status.PENDING:
        ticket.pending_since = now
    if new is Status.SOLVED:
        ticket.solved_at = now
    if new is Status.CLOSED:
        ticket.closed_at = now
    if new.is_active:
        ticket.closed_at = None
        if old in (Status.SOLVED, Status.CLOSED):
            ticket.solved_at = None
    ticket.status = new
    ticket.updated_at = now
    _event(ticket, actor, "status", old.value, new.value, reason)
    signals.ticket_status_changed.send(ticket, actor=actor, old=old, new=new)


def close_ticket(actor, ticket_id) -> Ticket:
    """The requester (or staff) closes the ticket."""
    ticket = _locked(get_ticket(actor, ticket_id).id)
    if ticket.status is not Status.CLOSED:
        _change_status(ticket, actor, Status.CLOSED)
    _flush()
    return ticket


def close_tickets_of(user_id: int) -> int:
    """Close every active ticket of an account being erased (forum.privacy), as the system: no one
    is left to answer. Returns how many. Flushes only."""
    tickets = list(db.session.scalars(sa.select(Ticket).where(
        Ticket.requester_id == user_id, Ticket.status.in_([Status.NEW, Status.OPEN, Status.PENDING]))
        .with_for_update(of=Ticket)))
    for ticket in tickets:
        _change_status(ticket, None, Status.CLOSED)
    db.session.flush()
    return len(tickets)


def erase_private_details(erased_before: datetime, now: datetime | None = None) -> int:
    """Erase the private fields of erased members' tickets once they are past the retention period:
    accounts erased before `erased_before` (now - FORUM_TICKET_RETENTION_DAYS), tickets unchanged
    since then. The description, order number, contact, rating comment and every message's text
    (the conversation held the member's details too) are emptied, and its attachments (a bank
    statement, a screenshot; anyone's, internal notes' too) go with their names and files; the
    ticket itself stays, for the support statistics. Returns how many tickets. Flushes only."""
    now = now or utcnow()
    tickets = list(db.session.scalars(
        sa.select(Ticket).join(User, User.id == Ticket.requester_id)
        .where(User.erased_at.is_not(None), User.erased_at <= erased_before, Ticket.updated_at <= erased_before,
               Ticket.private_erased_at.is_(None))))
    for ticket in tickets:
        ticket.description = ""
        ticket.order_number = ""
        ticket.contact = ""
        ticket.contact_channel = Channel.SITE
        ticket.rating_comment = ""
        ticket.private_erased_at = now
    if tickets:
        db.session.execute(sa.update(TicketMessage).where(TicketMessage.ticket_id.in_([t.id for t in tickets]))
                           .values(body="", body_html=""))
        ticket_attachments.erase_attachments([t.id for t in tickets])
    db.session.flush()
    return len(tickets)


def reopen_ticket(actor, ticket_id) -> Ticket:
    """Reopen a solved or closed ticket within 7 days (not a merged one). Raises Conflict."""
    ticket = _locked(get_ticket(actor, ticket_id).id)
    if ticket.merged_into_id is not None:
        raise Conflict(_("This ticket was merged into another one."), code="merged")
    if not ticket.status.is_active:
        _ensure_reopenable(ticket, utcnow())
        _change_status(ticket, actor, Status.OPEN)
    _flush()
    return ticket


def rate_ticket(actor, ticket_id, /, **fields) -> Ticket:
    """The requester rates the support once the ticket is solved or closed (1–5, once): `fields`
    are RateTicket's (rating, comment), validated here, once. Raises NotFound, PermissionDenied,
    ValidationFailed, Conflict."""
    ticket = get_ticket(actor, ticket_id)
    if ticket.requester_id != actor.id:
        raise PermissionDenied(_("Only the requester rates the support."), code="not_requester")
    command = RateTicket.parse(fields)
    rating, comment = command.rating, command.comment
    ticket = _locked(ticket.id)
    if ticket.status.is_active or ticket.solved_at is None or ticket.merged_into_id is not None:
        raise Conflict(_("You can rate the support once the ticket is solved."), code="not_solved")
    if ticket.rating is not None:
        raise Conflict(_("You have rated this ticket already."), code="rated")
    ticket.rating, ticket.rating_comment = rating, comment
    _event(ticket, actor, "rated", new=str(rating))
    signals.ticket_rated.send(ticket, actor=actor)
    db.session.flush()
    return ticket


# --- the staff's side -------------------------------------------------------------------------------

def update_ticket(actor, ticket_id, /, **fields) -> Ticket:
    """Staff change status, priority, tier (a reason is required) or assignee (a staff member's
    username; None or "" for nobody): `fields` are UpdateTicket's, validated here, once; a field
    left out is left as it is.

    Raises PermissionDenied (requesters: staff_only), NotFound, ValidationFailed.
    """
    _staff(actor)
    ticket = _locked(get_ticket(actor, ticket_id).id)
    command = UpdateTicket.parse(fields)
    new_status, new_priority, tier, reason = command.status, command.priority, command.tier, command.reason
    # What only the ticket and the staff list can tell, reported together.
    errors: dict[str, list[str]] = {}
    changes: dict[str, list] = {}
    if tier is not None and tier != ticket.tier and not reason:
        errors["reason"] = [_("Say why the ticket moves to another tier.")]
    new_assignee = ...
    if "assignee" in command.model_fields_set:
        assignee = command.assignee
        new_assignee = None if assignee is None else db.session.scalar(
            sa.select(User).where(User.username_key == username_key(assignee)))
        if assignee is not None and (new_assignee is None or not new_assignee.role.is_staff):
            errors["assignee"] = [_("Assign the ticket to a staff member.")]
    if errors:
        raise ValidationFailed(errors)
    if new_priority is not None and new_priority is not ticket.priority:
        _event(ticket, actor, "priority", ticket.priority.value, new_priority.value, reason)
        changes["priority"] = [ticket.priority.value, new_priority.value]
        ticket.priority = new_priority
        _set_due_times(ticket)
    if tier is not None and tier != ticket.tier:
        _event(ticket, actor, "tier", ticket.tier, tier, reason)
        changes["tier"] = [ticket.tier, tier]
        ticket.tier = tier
    if new_assignee is not ... and (new_assignee.id if new_assignee else None) != ticket.assignee_id:
        old_name = ticket.assignee.username if ticket.assignee else ""
        ticket.assignee_id = new_assignee.id if new_assignee else None
        _event(ticket, actor, "assignee", old_name, new_assignee.username if new_assignee else "", internal=True)
        changes["assignee"] = [old_name or None, new_assignee.username if new_assignee else None]
    if new_status is not None:
        _change_status(ticket, actor, new_status, reason)
    ticket.updated_at = utcnow()
    if changes:
        signals.ticket_changed.send(ticket, actor=actor, changes=changes)
    _flush()
    db.session.refresh(ticket)
    return ticket


def merge_ticket(actor, source_id, target_id) -> Ticket:
    """Merge a duplicate ticket into another of the same requester: the source is closed and points
    at the target; both conversations stay readable on the target (and tickets merged into the
    source move along). Raises ValidationFailed."""
    _staff(actor)
    source = get_ticket(actor, source_id)
    target = get_ticket(actor, target_id) if is_row_id(target_id) else None
    if target is None or target.id == source.id:
        raise ValidationFailed({"target": [_("Choose another ticket to merge into.")]})
    # Both rows locked in id order: two opposite merges at once cannot make a cycle.
    first, second = sorted([source.id, target.id])
    _locked(first), _locked(second)
    db.session.refresh(source)
    db.session.refresh(target)
    if source.merged_into_id is not None:
        raise ValidationFailed({"target": [_("This ticket was merged already.")]})
    if target.requester_id != source.requester_id:
        raise ValidationFailed({"target": [_("Only tickets of the same requester can be merged.")]})
    if target.merged_into_id is not None:
        raise ValidationFailed({"target": [_("That ticket was itself merged into another.")]})
    db.session.execute(sa.update(Ticket).where(Ticket.merged_into_id == source.id).values(merged_into_id=target.id))
    source.merged_into_id = target.id
    _event(source, actor, "merged", new=target.number)
    _event(target, actor, "merged_in", new=source.number)
    if source.status is not Status.CLOSED:
        _change_status(source, actor, Status.CLOSED)  # the "merged" event above says why, in the reader's language
    _flush()
    return target


def thread_escalations(actor, question_id) -> tuple:
    """Staff: the question and every ticket escalated from it (the asker's and the "me too" ones,
    not merged away), oldest first: (question, [Ticket]). Raises PermissionDenied, NotFound."""
    _staff(actor)
    question = get_question(question_id, viewer=actor, include_deleted=True)
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.question_id == question.id,
                                                         Ticket.merged_into_id.is_(None))
                                 .order_by(Ticket.created_at, Ticket.id))
    return question, list(tickets)


def reply_to_escalations(actor, question_id, /, **fields) -> list[TicketMessage]:
    """Staff answer several members who escalated the same question at once: `fields` are
    ReplyToEscalations' (ticket_ids, body), validated here, once. Each ticket gets a message of its
    own (add_message: first response, status, the requester told), so every conversation stays
    private to its requester. Every ticket must be an escalation of this question, open to messages:
    else ValidationFailed naming them and nothing is sent. Raises PermissionDenied (staff only),
    NotFound (no such question), ValidationFailed."""
    _staff(actor)
    question = get_question(question_id, viewer=actor, include_deleted=True)
    command = ReplyToEscalations.parse(fields)
    tickets = {t.id: t for t in db.session.scalars(sa.select(Ticket).where(Ticket.id.in_(command.ticket_ids)))}
    wrong = [str(i) for i in command.ticket_ids if i not in tickets or tickets[i].question_id != question.id]
    if wrong:
        raise ValidationFailed({"ticket_ids": [_("Not escalated from this question: %(ids)s.", ids=", ".join(wrong))]})
    closed = [tickets[i].number for i in command.ticket_ids
              if tickets[i].status is Status.CLOSED or tickets[i].merged_into_id is not None]
    if closed:
        raise ValidationFailed({"ticket_ids": [_("Closed or merged, they take no messages: %(numbers)s.",
                                                 numbers=", ".join(closed))]})
    # In id order, the order add_message locks them in: two staff answering the same set cannot deadlock.
    return [add_message(actor, ticket_id, command.body, internal=False) for ticket_id in sorted(command.ticket_ids)]


def publish_resolution(actor, ticket_id, body, images=()):
    """Post a reviewed summary of the resolution on the linked question as a staff answer, verified
    by the publisher; the thread's followers hear of it. `body` and `images` are PublishResolution's,
    validated here, once; private details of the ticket (order number, contact) must not appear in
    the body (422). `images`, ids of the ticket's image attachments that staff chose as showing no
    private details (default none), are copied into public images of the publisher's and shown
    below the text (tickets.attachments.publish_images); no other attachment ever is.
    Returns the answer."""
    _staff(actor)
    ticket = get_ticket(actor, ticket_id)
    if ticket.question_id is None:
        raise ValidationFailed({"body": [_("This ticket is not linked to a question.")]})
    command = PublishResolution.parse({"body": body, "images": images})
    body = command.body
    if _mentions_private_details(ticket, body):
        message = _("Remove the private details of the ticket (order number, contact) before publishing.")
        raise ValidationFailed({"body": [message]})
    published = ticket_attachments.publish_images(actor, ticket, command.images)
    if published:
        body += "\n\n" + "\n\n".join(f"![{_('screenshot')}]({upload.path})" for upload in published)
    # Three services in one unit of work: the answer, its verification and the ticket's link are
    # committed together or not at all.
    answer = questions.post_answer(actor, ticket.question_id, body=body)
    # A generic note: the verification note is public, the ticket number is not.
    verification.verify_answer(actor, answer.id, note_kind=NoteKind.RESOLUTION)  # translated when shown
    ticket = _locked(ticket.id)
    ticket.published_answer_id = answer.id
    _event(ticket, actor, "published", new=str(answer.id))
    db.session.flush()
    return answer


def _squash(text: str) -> str:
    """Letters and digits only, lower case: "ORD 2026-11 25" and "ord20261125" compare equal."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _mentions_private_details(ticket: Ticket, body: str) -> bool:
    """Does the summary contain the ticket's order number, contact, or the requester's e-mail
    address, however it is spaced, punctuated or HTML-escaped?"""
    rendered = html.unescape(render_markdown(body))
    haystacks = {_squash(body), _squash(html.unescape(body)), _squash(rendered)}
    private = [ticket.order_number, ticket.contact, ticket.requester.email]
    needles = [_squash(value) for value in private if value]
    # Phone numbers are often written without the country code: also look for the last 8 digits.
    needles += [needle[-8:] for needle in list(needles) if needle.isdigit() and len(needle) > 8]
    return any(len(needle) >= 4 and needle in hay for needle in needles for hay in haystacks)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Mark breached tickets (optionally moving them up a tier) and warn staff of tickets due
    within FORUM_SLA_WARN_MINUTES (default 30). Run every few minutes (the CLI's unit of work commits)."""
    now = now or utcnow()
    warn_before = timedelta(minutes=int(current_app.config.get("FORUM_SLA_WARN_MINUTES", 30)))
    auto_escalate = bool(current_app.config.get("FORUM_SLA_AUTO_ESCALATE", False))
    active = [Status.NEW, Status.OPEN]
    counts = {"breached": 0, "warned": 0, "escalated": 0}
    due = sa.case((Ticket.first_responded_at.is_(None), Ticket.first_response_due), else_=Ticket.resolution_due)
    for ticket in db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(active), Ticket.breached_at.is_(None),
                                                             due <= now)):
        if not _claim(ticket, Ticket.breached_at, now):
            continue  # another sweep got there first
        _event(ticket, None, "breached")
        counts["breached"] += 1
        if auto_escalate and ticket.tier < 3:
            # No reason stored: the history tells a system tier change in the reader's language.
            _event(ticket, None, "tier", ticket.tier, ticket.tier + 1)
            ticket.tier += 1
            counts["escalated"] += 1
    for ticket in db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(active), Ticket.warned_at.is_(None),
                                                             Ticket.breached_at.is_(None), due <= now + warn_before)):
        if not _claim(ticket, Ticket.warned_at, now):
            continue
        signals.ticket_breach_near.send(ticket, tier=ticket.tier)
        counts["warned"] += 1
    db.session.flush()
    return counts


def _claim(ticket: Ticket, column, now: datetime) -> bool:
    """Set a once-only timestamp if it is still empty; False when a concurrent sweep set it."""
    claimed = db.session.scalar(sa.update(Ticket).where(Ticket.id == ticket.id, column.is_(None))
                                .values({column: now}).returning(Ticket.id)) is not None
    if claimed:
        db.session.refresh(ticket)
    return claimed


def due_at(ticket: Ticket) -> datetime:
    """The next SLA deadline: first response until answered, then resolution."""
    return ticket.first_response_due if ticket.first_responded_at is None else ticket.resolution_due


def is_breached(ticket: Ticket, now: datetime | None = None) -> bool:
    if not ticket.status.is_active or ticket.status is Status.PENDING:
        return ticket.breached_at is not None
    return ticket.breached_at is not None or due_at(ticket) <= (now or utcnow())
