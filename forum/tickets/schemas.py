"""The commands of official support, validated once by the service that carries them out, for the
pages and for the API, which documents each as a request body under the name it had (EscalationIn,
MessageIn, TicketPatch, PublishIn, RatingIn).

What needs the ticket or the database stays in the services: whether a tier change says why, whether
the assignee is a staff member, whether a published resolution repeats the ticket's private details."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema

from forum.core.db import is_row_id
from forum.core.validation import Command, check_text, refuse, text_rule
from forum.questions.models import Category
from forum.tickets.models import Channel, Priority, Status

DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 5000
ORDER_NUMBER_MAX = 64
CONTACT_MAX = 200
MESSAGE_MAX = 10_000
UPDATE_REASON_MAX = 500
RESOLUTION_MAX = 30_000
RATING_COMMENT_MAX = 1000


def _category(value: Any) -> str:
    if not isinstance(value, str) or value not in {c.value for c in Category}:
        raise refuse(_("Choose a category."))
    return str(value)


def _channel(value: Any) -> str:
    try:
        return Channel(value or Channel.SITE.value).value
    except (ValueError, TypeError):
        raise refuse(_("Choose site message, e-mail or phone.")) from None


def _contact(value: Any, info: ValidationInfo) -> str:
    errors: dict[str, list[str]] = {}
    value = check_text(value, "contact", errors, maximum=CONTACT_MAX)
    if errors:
        raise refuse(errors["contact"][0])
    # A channel that failed its own check is not in info.data: no second complaint about the contact.
    if info.data.get("contact_channel", Channel.SITE.value) != Channel.SITE.value and not value:
        raise refuse(_("Tell us the e-mail address or phone number to contact."))
    return value


# Validated by tickets.services.escalate_question for the escalation form and for the API, which
# documents it as the body of POST /api/v1/questions/<id>/escalations.
class EscalateQuestion(Command):
    """Take one's own question to official support. The private fields are seen by support staff only."""

    # Published in the OpenAPI document as EscalationIn: API clients generate code from that name.
    model_config = ConfigDict(title="EscalationIn")

    category: Annotated[str, BeforeValidator(_category)] = Field(
        json_schema_extra={"enum": [c.value for c in Category]})
    description: Annotated[str, text_rule(minimum=DESCRIPTION_MIN, maximum=DESCRIPTION_MAX, required=True)] = Field(
        description="10–5,000 characters")
    order_number: Annotated[str | None, text_rule(maximum=ORDER_NUMBER_MAX)] = Field(
        default=None, validate_default=True, description="Private: only staff see it")
    # Before contact: the contact's check reads the channel.
    contact_channel: Annotated[str | None, BeforeValidator(_channel)] = Field(
        default=None, validate_default=True, json_schema_extra={"enum": [c.value for c in Channel]})
    contact: Annotated[str | None, BeforeValidator(_contact)] = Field(
        default=None, validate_default=True, description="Private e-mail address or phone number")


# --- the conversation ----------------------------------------------------------------------------

def _internal(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise refuse(_("Must be true or false."))
    return value


# Validated by tickets.services.add_message for the ticket page's reply form and for
# POST /api/v1/tickets/<id>/messages.
class AddMessage(Command):
    """Write on a ticket: a message, or (staff only) an internal note."""

    # Published in the OpenAPI document as MessageIn: API clients generate code from that name.
    model_config = ConfigDict(title="MessageIn")

    body: Annotated[str, text_rule(maximum=MESSAGE_MAX, required=True)]
    internal: Annotated[bool | None, BeforeValidator(_internal)] = Field(
        default=None, validate_default=True,
        description="Staff only: an internal note, never shown to the requester")
    attachments: list[int] | None = Field(
        default=None, max_length=30,
        description="Ids of files added with POST /tickets/<id>/attachments, sent with this message")


# --- the staff's side ----------------------------------------------------------------------------

REPLY_ALL_MAX = 100


def _ticket_ids(value: Any) -> list[int]:
    # The side-by-side form sends the ticked boxes as text ("12"); JSON clients send numbers (api.common checks).
    if not isinstance(value, (list, tuple)):
        raise refuse(_("Choose at least one ticket."))
    ids = []
    for item in value:
        if isinstance(item, str) and item.isascii() and item.isdigit() and len(item) <= 9:
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**31:
            raise refuse(_("Choose at least one ticket."))
        ids.append(item)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise refuse(_("Choose at least one ticket."))
    if len(ids) > REPLY_ALL_MAX:
        raise refuse(_("At most %(n)d tickets at once.", n=REPLY_ALL_MAX))
    return ids


# Validated by tickets.services.reply_to_escalations for the side-by-side page and for
# POST /api/v1/questions/<id>/escalations/reply.
class ReplyToEscalations(Command):
    """Staff answer many members who escalated the same thread with one text: a separate public
    message on each ticket, which only that ticket's requester sees."""

    model_config = ConfigDict(title="EscalationsReplyIn")

    ticket_ids: Annotated[list[int], BeforeValidator(_ticket_ids)] = Field(
        description=f"Tickets escalated from this question (1–{REPLY_ALL_MAX})")
    body: Annotated[str, text_rule(maximum=MESSAGE_MAX, required=True)]

def _choice(enum: type[Status] | type[Priority], message: str):
    def check(value: Any):
        if value is None:
            return None
        try:
            return enum(value)
        except (ValueError, TypeError):
            raise refuse(str(message)) from None

    return check


def _tier(value: Any) -> int | None:
    # The staff form sends the tier as text ("2"); JSON clients send a number (api.common checks).
    if isinstance(value, str) and value in ("1", "2", "3"):
        value = int(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3)):
        raise refuse(_("Tier 1, 2 or 3."))
    return value


def _assignee(value: Any) -> str | None:
    if value in (None, ""):
        return None  # unassign
    if not isinstance(value, str):
        raise refuse(_("A staff member's username."))
    return value


def _nullable_choice(title: str, values: list) -> WithJsonSchema:
    # As published before the command existed: a string or a number (or null), its choices beside.
    kind = "integer" if isinstance(values[0], int) else "string"
    return WithJsonSchema({"title": title, "anyOf": [{"type": kind}, {"type": "null"}], "enum": values})


# Validated by tickets.services.update_ticket for the staff desk's form and for PATCH /api/v1/tickets/<id>.
class UpdateTicket(Command):
    """Staff change a ticket's status, priority, tier (saying why) or assignee; a field left out stays
    as it is."""

    # Published in the OpenAPI document as TicketPatch: API clients generate code from that name.
    model_config = ConfigDict(title="TicketPatch")

    status: Annotated[Status | None, BeforeValidator(_choice(Status, _l("Unknown status."))),
                      _nullable_choice("Status", [s.value for s in Status])] = None
    priority: Annotated[Priority | None, BeforeValidator(_choice(Priority, _l("Unknown priority."))),
                        _nullable_choice("Priority", [p.value for p in Priority])] = None
    tier: Annotated[int | None, BeforeValidator(_tier), _nullable_choice("Tier", [1, 2, 3])] = None
    # Left out: the assignee stays; null or "": nobody. Whether it names a staff member is the service's.
    assignee: Annotated[str | None, BeforeValidator(_assignee)] = Field(
        default=None, description="A staff member's username; empty string to unassign")
    reason: Annotated[str | None, text_rule(maximum=UPDATE_REASON_MAX)] = Field(
        default=None, validate_default=True, description="Required when the tier changes")


PUBLISHED_IMAGES_MAX = 10


def _image_ids(value: Any) -> list[int]:
    # JSON sends numbers; the ticket page's check boxes send their values as text ("12").
    # Anything that cannot be a row id (2**70, "²", "-1", true) is refused here, not by the database.
    if value is None:
        return []
    ids = [int(v) if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 19 else v
           for v in value] if isinstance(value, (list, tuple)) else None
    if ids is None or len(ids) > PUBLISHED_IMAGES_MAX or not all(is_row_id(v) for v in ids):
        raise refuse(_("Choose at most %(count)s of this ticket's images.", count=PUBLISHED_IMAGES_MAX))
    return list(dict.fromkeys(ids))


# Validated by tickets.services.publish_resolution for the ticket page and for
# POST /api/v1/tickets/<id>/publish.
class PublishResolution(Command):
    """Staff publish the resolution on the linked question, as a verified answer."""

    # Published in the OpenAPI document as PublishIn: API clients generate code from that name.
    model_config = ConfigDict(title="PublishIn")

    body: Annotated[str, text_rule(maximum=RESOLUTION_MAX, required=True)] = Field(
        description="A reviewed, PII-free summary of the resolution (Markdown)")
    images: Annotated[list[int], BeforeValidator(_image_ids)] = Field(
        default_factory=list, description="Ids of the ticket's image attachments to show in the answer (default: "
        "none). Each is copied, re-encoded, into a public image: choose only images that show no private details")


def _rating(value: Any) -> int:
    # The rating form sends the stars as text ("4"); JSON clients send a number (api.common checks).
    if isinstance(value, str) and value in ("1", "2", "3", "4", "5"):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise refuse(_("Choose 1 to 5 stars."))
    return value


# Validated by tickets.services.rate_ticket for the ticket page and for POST /api/v1/tickets/<id>/rating.
class RateTicket(Command):
    """The requester rates the support of a solved ticket, once."""

    # Published in the OpenAPI document as RatingIn: API clients generate code from that name.
    model_config = ConfigDict(title="RatingIn")

    rating: Annotated[int, BeforeValidator(_rating)] = Field(json_schema_extra={"minimum": 1, "maximum": 5})
    comment: Annotated[str | None, text_rule(maximum=RATING_COMMENT_MAX)] = Field(default=None,
                                                                                 validate_default=True)
