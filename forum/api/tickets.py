"""Escalation to official support: tickets, messages, staff changes, publishing."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from pydantic import Field

from forum.api.common import iso, json_object, listing, page_args, require_user, route
from forum.api.details import answer_detail
from forum.api.openapi import BINARY, MULTIPART_FILE
from forum.api.schemas import AnswerOut, AuthorOut, Out
from forum.api.serialize import author
from forum.core.errors import ValidationFailed
from forum.extensions import limiter
from forum.tickets import attachments, queries, services
from forum.tickets.models import Status, Ticket
from forum.tickets.reply_address import reply_address
from forum.tickets.schemas import (
    AddMessage,
    EscalateQuestion,
    PublishResolution,
    RateTicket,
    ReplyToEscalations,
    UpdateTicket,
)
from forum.web import ratelimits
from forum.web.decorators import body_limit


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    message_id: int | None = None
    url: str | None = None


class MessageOut(Out):
    id: int
    author: AuthorOut
    body: str
    body_html: str
    internal: bool
    created_at: str
    attachments: list[AttachmentOut] = Field(default_factory=list)


class HistoryOut(Out):
    kind: str
    actor: str | None
    old: str
    new: str
    reason: str
    at: str


class TicketOut(Out):
    id: int
    number: str
    question_id: int | None
    source_question_id: int | None = Field(default=None, description="The thread the ticket was escalated from "
                                           "(the requester's own question, or another's for a \"me too\")")
    me_too: bool | None = Field(default=None, description="Escalated by a member other than the question's asker")
    requester: AuthorOut
    category: str
    description: str
    status: str
    priority: str
    tier: int
    assignee: str | None
    order_number: str
    contact_channel: str
    contact: str
    created_at: str
    first_response_due: str
    resolution_due: str
    first_responded_at: str | None
    solved_at: str | None
    breached: bool
    rating: int | None
    url: str
    history: list[HistoryOut]
    messages: list[MessageOut] | None = None
    # Only on a single ticket: the viewer's own reply address (their e-mail replies become messages),
    # null when incoming mail is not set up (FORUM_MAIL_INBOUND_DOMAIN).
    reply_to: str | None = None
    attachments: list[AttachmentOut] | None = None


def _attachment(item) -> dict:
    return {"id": item.id, "filename": item.filename, "content_type": item.content_type, "size": item.size,
            "message_id": item.message_id,
            "url": url_for("api.tickets_download_attachment", ticket_id=item.ticket_id, attachment_id=item.id,
                           _external=True)}


def _ticket(ticket: Ticket, *, staff: bool, detail: bool = False, viewer=None, me_too: bool | None = None) -> dict:
    data = {
        "id": ticket.id, "number": ticket.number, "question_id": ticket.question_id,
        "source_question_id": ticket.question_id,
        "me_too": services.is_me_too(ticket) if me_too is None else me_too,
        "requester": author(ticket.requester), "category": ticket.category, "description": ticket.description,
        "status": ticket.status.value, "priority": ticket.priority.value, "tier": ticket.tier,
        # Who handles the ticket and why things changed are staff matters.
        "assignee": ticket.assignee.username if ticket.assignee and staff else None,
        "order_number": ticket.order_number,
        "contact_channel": ticket.contact_channel.value, "contact": ticket.contact,
        "created_at": iso(ticket.created_at), "first_response_due": iso(ticket.first_response_due),
        "resolution_due": iso(ticket.resolution_due), "first_responded_at": iso(ticket.first_responded_at),
        "solved_at": iso(ticket.solved_at), "breached": services.is_breached(ticket), "rating": ticket.rating,
        "url": url_for("tickets.show", ticket_id=ticket.id, _external=True), "history": [],
    }
    if detail:
        messages, events = queries.conversation(ticket, staff=staff)
        files = attachments.visible_attachments(ticket, require_user())
        by_message: dict[int, list[dict]] = {}
        for item in files:
            by_message.setdefault(item.message_id, []).append(_attachment(item))
        data["messages"] = [{"id": m.id, "author": author(m.author), "body": m.body, "body_html": m.body_html,
                             "internal": m.internal, "created_at": iso(m.created_at),
                             "attachments": by_message.get(m.id, [])} for m in messages]
        data["attachments"] = [_attachment(item) for item in files]
        data["history"] = [{"kind": e.kind, "actor": e.actor.username if e.actor else None, "old": e.old, "new": e.new,
                            "reason": e.reason if staff else "", "at": iso(e.created_at)} for e in events]
        # Each viewer's own address (the token names the person): the requester's, or a staff
        # member's, whose replies from it are public replies.
        data["reply_to"] = reply_address(ticket.id, viewer.id) if viewer is not None else None
    return data


@route("/questions/<int:question_id>/escalations", "POST", summary="Escalate a question to official support in "
       "a ticket of one's own: the asker, or any signed-in member with the same problem (\"me too\"; "
       "source_question_id names the thread); a second open ticket for it is 409 naming the first", auth="required", body=EscalateQuestion,
       response=TicketOut, status=201, errors=(400, 401, 403, 404, 409, 422))
@limiter.shared_limit(ratelimits.escalations, scope="escalations", key_func=ratelimits.actor_key, override_defaults=False)
def escalate(question_id: int):
    actor = require_user()
    # The service validates the body with EscalateQuestion, once, after it knows the caller.
    ticket = services.escalate_question(actor, question_id, **json_object(EscalateQuestion))
    return _ticket(ticket, staff=actor.role.is_staff, detail=True, viewer=actor), 201


@route("/tickets", "GET", summary="One's own tickets; staff: the queue", auth="required", response=list[TicketOut],
       query={"status": "status", "tier": "1-3", "assignee": "username, me or none", "category": "category",
              "page": "page", "per_page": "at most 100"}, errors=(401, 422))
def list_tickets():
    actor = require_user()
    page, per_page = page_args()
    if actor.role.is_staff:
        args = request.args
        if args.get("status") and args["status"] not in {s.value for s in Status}:
            raise ValidationFailed({"status": ["Unknown status."]})
        if args.get("tier") and args["tier"] not in ("1", "2", "3"):
            raise ValidationFailed({"tier": ["Tier 1, 2 or 3."]})
        result = queries.queue(status=args.get("status") or None, tier=int(args["tier"]) if args.get("tier") else None,
                               category=args.get("category") or None, assignee=(args.get("assignee") or "")[:32] or None,
                               viewer=actor, page=page, per_page=per_page)
    else:
        result = queries.tickets_of(actor, page=page, per_page=per_page)
    me_too = services.me_too(result.items)
    items = [_ticket(t, staff=actor.role.is_staff, me_too=me_too[t.id]) for t in result.items]
    return listing(items, result.page, result.per_page, result.total)


@route("/tickets/<int:ticket_id>", "GET", summary="A ticket with its messages (requester and staff; others 404)",
       auth="required", response=TicketOut, errors=(401, 404))
def show_ticket(ticket_id: int):
    actor = require_user()
    return _ticket(services.get_ticket(actor, ticket_id), staff=actor.role.is_staff, detail=True, viewer=actor)


@route("/tickets/<int:ticket_id>/messages", "POST", summary="Write on a ticket (internal: staff only)",
       auth="required", body=AddMessage, response=MessageOut, status=201,
       errors=(400, 401, 403, 404, 409, 422))
def add_message(ticket_id: int):
    actor = require_user()
    data = json_object(AddMessage)  # validated by the service, once, with AddMessage
    message = services.add_message(actor, ticket_id, data.get("body"), internal=data.get("internal"),
                                   attachments=data.get("attachments") or ())
    sent = [_attachment(item) for item in attachments.visible_attachments(services.get_ticket(actor, ticket_id), actor)
            if item.message_id == message.id] if data.get("attachments") else []
    return {"id": message.id, "author": author(message.author), "body": message.body,
            "body_html": message.body_html, "internal": message.internal,
            "created_at": iso(message.created_at), "attachments": sent}, 201


@route("/tickets/<int:ticket_id>/attachments", "POST", summary="Add a file to a ticket (requester, staff): an "
       "image (re-encoded), a PDF, or a text or log file; then send it with a message's \"attachments\"",
       auth="required", body=MULTIPART_FILE, response=AttachmentOut, status=201,
       errors=(400, 401, 404, 409, 413, 422))
@limiter.shared_limit(ratelimits.uploads, scope="uploads", key_func=ratelimits.actor_key, override_defaults=False)
@body_limit(attachments.max_bytes_of, too_large=attachments.too_large_message)
def add_attachment(ticket_id: int):
    actor = require_user()
    sent = request.files.get("file")
    if sent is None:
        raise ValidationFailed({"file": [_("Choose a file to upload (the form field is called file).")]})
    item = attachments.upload_attachment(actor, ticket_id, sent.filename or "", sent.mimetype, sent.read())
    return _attachment(item), 201


@route("/tickets/<int:ticket_id>/attachments/<int:attachment_id>", "GET", summary="A ticket's attachment, to its "
       "requester and staff (404 to anyone else); files other than images are downloads", auth="required",
       response=BINARY, errors=(401, 404))
def download_attachment(ticket_id: int, attachment_id: int):
    actor = require_user()
    item, data = attachments.get_attachment(actor, ticket_id, attachment_id)
    return attachments.file_response(item, data)


@route("/tickets/<int:ticket_id>", "PATCH", summary="Staff: status, priority, tier (with reason), assignee",
       auth="required", body=UpdateTicket, response=TicketOut, errors=(400, 401, 403, 404, 422))
def update_ticket(ticket_id: int):
    actor = require_user()
    # Validated by the service, once, with UpdateTicket: a field left out of the body is left as it is.
    ticket = services.update_ticket(actor, ticket_id, **json_object(UpdateTicket))
    return _ticket(ticket, staff=True, detail=True, viewer=actor)


@route("/tickets/<int:ticket_id>/publish", "POST", summary="Staff: publish the resolution on the linked question "
       "as a verified staff answer, with the ticket's images staff chose (\"images\": [attachment ids], copied "
       "into public images; none by default)", auth="required", body=PublishResolution, response=AnswerOut, status=201,
       errors=(400, 401, 403, 404, 422))
def publish(ticket_id: int):
    actor = require_user()
    data = json_object(PublishResolution)  # validated by the service, once
    answer = services.publish_resolution(actor, ticket_id, data.get("body"), images=data.get("images"))
    return answer_detail(answer.id), 201


@route("/tickets/<int:ticket_id>/rating", "POST", summary="The requester rates a solved ticket (1–5, once)",
       auth="required", body=RateTicket, response=TicketOut, errors=(400, 401, 403, 404, 409, 422))
def rate(ticket_id: int):
    actor = require_user()
    ticket = services.rate_ticket(actor, ticket_id, **json_object(RateTicket))  # validated there, once
    return _ticket(ticket, staff=actor.role.is_staff, detail=True, viewer=actor)


@route("/tickets/<int:ticket_id>/close", "POST", summary="Close a ticket (requester or staff)", auth="required",
       response=TicketOut, errors=(401, 404))
def close(ticket_id: int):
    actor = require_user()
    return _ticket(services.close_ticket(actor, ticket_id), staff=actor.role.is_staff, detail=True, viewer=actor)


@route("/tickets/<int:ticket_id>/reopen", "POST", summary="Reopen within 7 days (requester or staff)",
       auth="required", response=TicketOut, errors=(401, 404, 409))
def reopen(ticket_id: int):
    actor = require_user()
    return _ticket(services.reopen_ticket(actor, ticket_id), staff=actor.role.is_staff, detail=True, viewer=actor)


class EscalationsOut(Out):
    question_id: int
    title: str
    members: int = Field(description="How many members escalated the thread")
    tickets: list[TicketOut]


@route("/questions/<int:question_id>/escalations", "GET", summary="Staff: every ticket escalated from the "
       "question (the asker's and the \"me too\" ones), oldest first", auth="required", response=EscalationsOut,
       errors=(401, 403, 404))
def list_escalations(question_id: int):
    question, tickets = services.thread_escalations(require_user(), question_id)
    me_too = services.me_too(tickets)
    return {"question_id": question.id, "title": question.title,
            "members": len({t.requester_id for t in tickets}),
            "tickets": [_ticket(t, staff=True, me_too=me_too[t.id]) for t in tickets]}


class RepliedOut(Out):
    ticket_id: int
    message: MessageOut


class RepliesOut(Out):
    replies: list[RepliedOut]


@route("/questions/<int:question_id>/escalations/reply", "POST", summary="Staff: answer several tickets "
       "escalated from the question at once; each gets a message of its own, private to its requester",
       auth="required", body=ReplyToEscalations, response=RepliesOut, status=201,
       errors=(400, 401, 403, 404, 422))
def reply_to_escalations(question_id: int):
    actor = require_user()
    messages = services.reply_to_escalations(actor, question_id, **json_object(ReplyToEscalations))
    return {"replies": [{"ticket_id": m.ticket_id, "message": {
        "id": m.id, "author": author(m.author), "body": m.body, "body_html": m.body_html, "internal": m.internal,
        "created_at": iso(m.created_at)}} for m in messages]}, 201
