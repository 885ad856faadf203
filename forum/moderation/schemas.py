"""The flag command, validated once by moderation.services.flag_post (the thread page's flag form
and the API, which documents it as the body of POST /api/v1/<kind>s/<id>/flags)."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema

from forum.core.validation import Command, check_text, refuse
from forum.moderation.models import FlagKind

NOTE_MAX = 500
NEEDS_MODERATOR_NOTE_MIN = 10


def _kind(value: Any) -> FlagKind:
    try:
        return FlagKind(value)
    except (ValueError, TypeError):
        raise refuse(_("Choose why you flag this post.")) from None


def _note(value: Any, info: ValidationInfo) -> str:
    errors: dict[str, list[str]] = {}
    value = check_text(value, "note", errors, maximum=NOTE_MAX, what=_l("The note"), voice="brief")
    if errors:
        raise refuse(errors["note"][0])
    # A kind that failed its own check is not in info.data: no second complaint about the note.
    if info.data.get("kind") is FlagKind.NEEDS_MODERATOR and len(value) < NEEDS_MODERATOR_NOTE_MIN:
        raise refuse(_("Tell the moderators what needs their attention (at least 10 characters)."))
    return value


class FlagPost(Command):
    """Flag someone else's post for moderators."""

    # Published in the OpenAPI document as FlagIn: API clients generate code from that name.
    model_config = ConfigDict(title="FlagIn")

    kind: Annotated[FlagKind, BeforeValidator(_kind),
                    WithJsonSchema({"type": "string", "enum": [k.value for k in FlagKind]})]
    # After kind: the note's check reads it.
    note: Annotated[str | None, BeforeValidator(_note)] = Field(
        default=None, validate_default=True,
        description="At most 500 characters; required (10+) for needs_moderator")
