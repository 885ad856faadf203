"""The commands of the webhooks' administration, validated once by the service that carries them
out, for the admin page and the API (documented as WebhookIn and WebhookPatch).

Whether the URL's host resolves to a public address is checked here too (forum.webhooks.transport),
so that a refused address is a field error like any other."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BeforeValidator, ConfigDict, Field

from forum.core.validation import Command, refuse, text_rule
from forum.webhooks import transport
from forum.webhooks.events import EVENTS

URL_MAX = 2000
DESCRIPTION_MAX = 500


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise refuse(_("Enter the address to send events to."))
    value = value.strip()
    if len(value) > URL_MAX:
        raise refuse(_("At most %(max)d characters.", max=URL_MAX))
    try:
        transport.resolve(value)
    except transport.UnsafeURL as refusal:
        raise refuse(str(refusal)) from None
    return value


def _events(value: Any) -> list[str]:
    if isinstance(value, str):  # a form's comma-separated list
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not value:
        raise refuse(_("Choose at least one event."))
    unknown = [v for v in value if not isinstance(v, str) or v not in EVENTS]
    if unknown:
        raise refuse(_("Unknown event: %(names)s.", names=", ".join(str(v) for v in unknown)[:200]))
    return [e for e in EVENTS if e in value]  # the documented order, once each


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise refuse(_("Must be true or false."))


_EVENT_SCHEMA = {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}, "minItems": 1}


class CreateWebhook(Command):
    """Register a webhook (administrators)."""

    model_config = ConfigDict(title="WebhookIn")

    url: Annotated[str, BeforeValidator(_url)] = Field(
        description="http:// or https:// address that resolves to public addresses (unless "
                    "FORUM_WEBHOOK_ALLOW_PRIVATE); redirects are not followed")
    events: Annotated[list[str], BeforeValidator(_events)] = Field(json_schema_extra=_EVENT_SCHEMA)
    description: Annotated[str | None, text_rule(maximum=DESCRIPTION_MAX)] = Field(
        default=None, validate_default=True, description="What the receiving system is (at most 500 characters)")
    private: Annotated[bool | None, BeforeValidator(_flag)] = Field(
        default=None, description="Deliveries carry tickets' private fields (order number, contact, description)")


class UpdateWebhook(Command):
    """Change a webhook; a field left out stays as it is."""

    model_config = ConfigDict(title="WebhookPatch")

    url: Annotated[str | None, BeforeValidator(lambda v: v if v is None else _url(v))] = None
    events: Annotated[list[str] | None, BeforeValidator(lambda v: v if v is None else _events(v))] = Field(
        default=None, json_schema_extra=_EVENT_SCHEMA)
    description: Annotated[str | None, text_rule(maximum=DESCRIPTION_MAX)] = None
    private: Annotated[bool | None, BeforeValidator(_flag)] = None
    active: Annotated[bool | None, BeforeValidator(_flag)] = Field(
        default=None, description="false pauses deliveries; true turns a disabled webhook on again")
    rotate_secret: Annotated[bool | None, BeforeValidator(_flag)] = Field(
        default=None, description="true: a new secret, in this answer only")
