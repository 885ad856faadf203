"""The address a person replies to by e-mail: `ticket+<token>@<FORUM_MAIL_INBOUND_DOMAIN>`.

The token names the ticket and the recipient it was sent to, and is signed with the secret key, so
that a reply is taken only for that ticket, from that person (the receiver also checks that the
mail comes from their registered address): `<ticket id>.<user id>.<signature>`, the ids in base 36
and the signature 120 bits of HMAC-SHA256 in base 32, all lower case (some mail servers fold the
case of local parts; letters, digits and `.` only). A staff member's note address is their reply
address with `+note`: `ticket+<token>+note@...`, so that staff can write one by hand from any e-mail
about the ticket (a requester who does the same is refused: only staff write notes). The whole
local part stays far within the 64 characters RFC 5321 allows (about 45 for ids below a billion).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

PREFIX = "ticket"
NOTE = "note"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ReplyAddress:
    ticket_id: int
    user_id: int
    note: bool


def inbound_domain() -> str | None:
    """FORUM_MAIL_INBOUND_DOMAIN, lower case, or None when incoming mail is not set up."""
    domain = (current_app.config.get("FORUM_MAIL_INBOUND_DOMAIN") or "").strip().lower()
    return domain or None


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def _signature(ticket_part: str, user_part: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"ticket-reply:{ticket_part}:{user_part}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:15]
    return base64.b32encode(digest).decode("ascii").lower()


def token(ticket_id: int, user_id: int) -> str:
    ticket_part, user_part = _base36(ticket_id), _base36(user_id)
    return f"{ticket_part}.{user_part}.{_signature(ticket_part, user_part)}"


def reply_address(ticket_id: int, user_id: int, *, note: bool = False) -> str | None:
    """The address `user_id`'s replies about `ticket_id` go to (the note address when `note`); None
    when FORUM_MAIL_INBOUND_DOMAIN is not set."""
    domain = inbound_domain()
    if domain is None:
        return None
    local = f"{PREFIX}+{token(ticket_id, user_id)}" + (f"+{NOTE}" if note else "")
    return f"{local}@{domain}"


def read_local_part(local: str) -> ReplyAddress | None:
    """The ticket, recipient and kind a local part (`ticket+<token>[+note]`) names, or None when it
    is not one of ours or its signature is wrong (forged, altered, or made with another key)."""
    parts = local.strip().lower().split("+")
    if len(parts) not in (2, 3) or parts[0] != PREFIX or (len(parts) == 3 and parts[2] != NOTE):
        return None
    note = len(parts) == 3
    pieces = parts[1].split(".")
    if len(pieces) != 3 or not all(pieces) or len(pieces[0]) > 12 or len(pieces[1]) > 12:
        return None
    ticket_part, user_part, signature = pieces
    if any(ch not in _DIGITS for ch in ticket_part + user_part):
        return None
    if not hmac.compare_digest(signature.encode(), _signature(ticket_part, user_part).encode()):
        return None
    return ReplyAddress(int(ticket_part, 36), int(user_part, 36), note)
