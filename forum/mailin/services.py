"""E-mail into tickets: what the SMTP receiver (forum.mailin.server) does with each message.

Two kinds of address at FORUM_MAIL_INBOUND_DOMAIN take mail:
- `ticket+<token>[+note]@`: a reply about a ticket (forum.tickets.reply_address). The token must be
  ours, and the mail must come (its From address) from the registered address of the person the
  token was made for; the new part of the text (forum.mailin.quoting) becomes a message on the
  ticket through forum.tickets.services.add_message, exactly as a reply on the site: public from the
  requester, public from staff, an internal note from staff writing to the `+note` address.
- `support@`: from a member's registered address, a new ticket (category "other"), answered with
  its number; from anyone else, an answer saying how to register, and nothing opened (at most one
  such answer per address a day, so that forged senders cannot turn the forum into a mail cannon).

Every outcome is an SMTP reply: 250 when taken (or taken before: the same Message-ID for the same
address is one message, whatever the concurrency, by a unique key), 550 with the reason when
refused (logged at WARNING), 451 when something failed that may work later (the sending server
retries). The SMTP texts are protocol (ASCII, English): the mail server turns them into its bounce.

Automatic mail (Auto-Submitted, vacation replies, bulk) is accepted and dropped: answering it, or
making it a message, starts mail loops.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many

from forum.auth.models import User
from forum.core.db import insert_ignoring_conflicts, unit_of_work, utcnow
from forum.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.mailin import parsing
from forum.mailin.models import InboundEmail
from forum.mailin.quoting import latest_reply
from forum.notifications import services as notifications
from forum.tickets import attachments
from forum.tickets import reply_address as addresses
from forum.tickets import services as tickets
from forum.tickets.models import Ticket

log = logging.getLogger("forum.mailin")

SUPPORT_LOCAL = "support"
REGISTER_ANSWER_EVERY = timedelta(days=1)


class Refused(Exception):
    """The mail (or the recipient) is refused: `reply` is the SMTP answer."""

    def __init__(self, reply: str, reason: str):
        super().__init__(reason)
        self.reply = reply
        self.reason = reason


@dataclass(frozen=True)
class Recipient:
    address: str  # lower case
    support: bool
    reply: addresses.ReplyAddress | None


def max_bytes() -> int:
    return int(current_app.config.get("FORUM_MAIL_INBOUND_MAX_MB") or 25) * 1024 * 1024


def recipient(address: str) -> Recipient:
    """What an RCPT TO address is, or Refused: another domain (we relay nothing), a mailbox we do
    not have, a reply address whose token is not ours (unknown, altered, forged)."""
    address = (address or "").strip().strip("<>").lower()
    local, _at, domain = address.rpartition("@")
    ours = addresses.inbound_domain()
    if not local or ours is None or domain != ours:
        raise Refused("550 5.7.1 Relaying denied: this server takes mail for its own domain only",
                      f"recipient {address!r} is not at {ours!r}")
    if local == SUPPORT_LOCAL:
        return Recipient(address, True, None)
    if local.startswith(addresses.PREFIX + "+"):
        target = addresses.read_local_part(local)
        if target is None:
            raise Refused("550 5.1.1 Unknown or invalid reply address", f"forged or unknown token in {address!r}")
        return Recipient(address, False, target)
    raise Refused("550 5.1.1 No such mailbox here", f"no mailbox {address!r}")


def deliver(address: str, data: bytes) -> str:
    """Take one message for one recipient address; the SMTP answer. Runs its own unit of work (a
    refusal rolls back everything it did) and logs every refusal."""
    mail = None
    try:
        target = recipient(address)
        if len(data) > max_bytes():
            raise Refused("552 5.3.4 Message too big", f"{len(data)} bytes, more than {max_bytes()}")
        mail = parsing.read(data)
        with unit_of_work():
            if target.support:
                return _support_mail(target, mail)
            return _reply(target, mail)
    except Refused as refusal:
        log.warning("incoming mail refused (%s): %s; from %s to %s, Message-ID %s", refusal.reply[:3], refusal.reason,
                    mail.sender if mail else "?", address, mail.message_id if mail else "?")
        return refusal.reply
    except Conflict:
        # A concurrent delivery of the same Message-ID won the unique key at the commit.
        log.info("incoming mail %s to %s taken by a concurrent delivery", mail.message_id if mail else "?", address)
        return "250 2.0.0 Already received"
    except Exception:
        log.exception("incoming mail to %s failed; the sender's server will retry", address)
        return "451 4.3.0 Temporary failure, please try again later"


def _claim(mail: parsing.IncomingMail, target: Recipient, outcome: str) -> int | None:
    """The row saying this Message-ID for this address is taken; None when it was taken before."""
    return insert_ignoring_conflicts(InboundEmail, {
        "message_id": mail.message_id, "recipient": target.address, "sender": mail.sender[:254],
        "outcome": outcome, "created_at": utcnow()}, ["message_id", "recipient"], returning=InboundEmail.id)


def _reply(target: Recipient, mail: parsing.IncomingMail) -> str:
    reply = target.reply
    user = db.session.get(User, reply.user_id)
    if user is None or not user.is_active or not mail.sender or mail.sender != (user.email or "").casefold():
        raise Refused("550 5.7.1 This reply address belongs to another sender",
                      f"sender {mail.sender!r} is not the recipient the address was made for (user {reply.user_id})")
    if mail.auto_submitted:
        _claim(mail, target, "ignored")
        return "250 2.0.0 Automatic reply ignored"
    row_id = _claim(mail, target, "note" if reply.note else "reply")
    if row_id is None:
        return "250 2.0.0 Already received"
    body = latest_reply(mail.text)
    try:
        message = tickets.add_message(user, reply.ticket_id, body, internal=reply.note)
    except ValidationFailed as error:
        raise Refused("550 5.6.0 The reply is empty or too long: write above the quoted text",
                      f"not a valid message: {error.fields}") from None
    except Conflict as error:
        raise Refused("550 5.7.1 This ticket is closed: please open a new one",
                      f"ticket {reply.ticket_id}: {error}") from None
    except (NotFound, PermissionDenied) as error:
        raise Refused("550 5.7.1 You cannot write on this ticket",
                      f"ticket {reply.ticket_id}, user {user.id}: {error}") from None
    ticket = db.session.get(Ticket, message.ticket_id)
    _keep_attachments(ticket, user, mail.attachments, message)
    db.session.execute(sa.update(InboundEmail).where(InboundEmail.id == row_id)
                       .values(ticket_id=ticket.id, ticket_message_id=message.id))
    log.info("incoming mail %s from %s: %s on ticket %s", mail.message_id, mail.sender,
             "internal note" if reply.note else "message", ticket.number)
    return "250 2.0.0 Message added to the ticket"


def _support_mail(target: Recipient, mail: parsing.IncomingMail) -> str:
    if mail.auto_submitted or not mail.sender:
        _claim(mail, target, "ignored")
        return "250 2.0.0 Automatic mail ignored"
    user = db.session.scalar(sa.select(User).where(User.email_key == mail.sender.casefold()))
    if user is None or not user.is_active:
        return _answer_stranger(target, mail)
    row_id = _claim(mail, target, "ticket")
    if row_id is None:
        return "250 2.0.0 Already received"
    _check_ticket_budget(mail.sender)
    try:
        ticket = tickets.open_ticket_by_email(user, subject=mail.subject, body=latest_reply(mail.text))
    except DomainError as error:
        raise Refused("550 5.6.0 The mail is empty: describe the problem", f"no ticket: {error}") from None
    _keep_attachments(ticket, user, mail.attachments)
    db.session.execute(sa.update(InboundEmail).where(InboundEmail.id == row_id).values(ticket_id=ticket.id))
    notifications.send_account_email(
        user, _l("We received your request: %(number)s", number=ticket.number), "ticket_by_mail",
        reply_to=addresses.reply_address(ticket.id, user.id) or "", ticket=ticket,
        link=f"{notifications.base_url()}/tickets/{ticket.id}")
    log.info("incoming mail %s from %s opened ticket %s", mail.message_id, mail.sender, ticket.number)
    return f"250 2.0.0 Ticket {ticket.number} opened"


def _check_ticket_budget(sender: str) -> None:
    """Mail to the support address opens tickets within the escalation budget of the site
    (FORUM_ESCALATION_RATE_LIMIT, per sender address; off with FORUM_RATE_LIMITS=off). Beyond it:
    450, so that the sending server tries again later and the ticket opens then."""
    if not current_app.config.get("FORUM_RATE_LIMITS", True):
        return
    now = utcnow()
    # Read as Flask-Limiter reads it (its `limits` package), so the two budgets cannot disagree.
    for item in parse_many(current_app.config.get("FORUM_ESCALATION_RATE_LIMIT", "5 per hour; 20 per day")):
        count, seconds = item.amount, item.get_expiry()
        opened = db.session.scalar(sa.select(sa.func.count()).select_from(InboundEmail).where(
            InboundEmail.sender == sender[:254], InboundEmail.outcome == "ticket",
            InboundEmail.created_at > now - timedelta(seconds=seconds)))
        if opened > count:  # this mail's own row counts too
            raise Refused("450 4.7.1 Too many new requests by e-mail just now: this one will be taken later",
                          f"{sender} opened {opened - 1} tickets by mail within {seconds} s (budget {count})")


def _answer_stranger(target: Recipient, mail: parsing.IncomingMail) -> str:
    since = utcnow() - REGISTER_ANSWER_EVERY
    answered = db.session.scalar(sa.select(sa.func.count()).select_from(InboundEmail).where(
        InboundEmail.sender == mail.sender[:254], InboundEmail.outcome == "register",
        InboundEmail.created_at >= since))
    row_id = _claim(mail, target, "ignored" if answered else "register")
    if row_id is None:
        return "250 2.0.0 Already received"
    if not answered:
        base = notifications.base_url()
        notifications.send_account_email(
            None, _l("How to reach support: register first"), "mail_register", to_address=mail.sender,
            register_link=f"{base}/register", support_link=f"{base}/support")
    log.info("incoming mail %s to the support address from %s, who is not a member: %s", mail.message_id,
             mail.sender, "answered already today" if answered else "told how to register")
    return "250 2.0.0 Received"


def _keep_attachments(ticket: Ticket, sender: User, parts: list[parsing.Attachment], message=None) -> int:
    """Keep the mail's attachments as the ticket's (forum.tickets.attachments, with its own rules of
    types and sizes), on the message the mail became when there is one; one it refuses is left out
    and logged, the message is kept. Returns how many were kept."""
    kept = []
    for part in parts:
        try:
            with db.session.begin_nested():
                kept.append(attachments.add_attachment(ticket, sender, part.filename, part.content_type, part.data))
        except DomainError as error:
            log.warning("attachment %r (%s, %d bytes) of a mail on ticket %s left out: %s", part.filename,
                        part.content_type, len(part.data), ticket.number, error)
    if kept and message is not None:
        attachments.attach_to_message(message, [item.id for item in kept])
    return len(kept)
