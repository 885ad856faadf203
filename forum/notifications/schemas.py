"""The read command, validated once by notifications.services.mark_read (the inbox's buttons and the
API, which documents it as the body of POST /api/v1/notifications/read)."""
from __future__ import annotations

from typing import Annotated

from flask_babel import gettext as _
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StrictInt, ValidationInfo

from forum.core.db import is_row_id
from forum.core.validation import Command, refuse

IDS_MAX = 1000


def _ids(value: list[int] | None, info: ValidationInfo) -> list[int] | None:
    # After `all`: marking everything reads no ids, and an `all` that failed its own check gets no second complaint.
    if "all" not in info.data or info.data["all"]:
        return value
    if value is None:
        raise refuse(_("Give ids or all: true."))
    if not all(is_row_id(i) for i in value):
        raise refuse(_("A list of notification ids."))
    if len(value) > IDS_MAX:
        raise refuse(_("At most 1,000 ids at a time."))
    return value


class MarkRead(Command):
    """Mark one's own notifications read: these ids, or all of them."""

    # Published in the OpenAPI document as ReadIn: API clients generate code from that name.
    model_config = ConfigDict(title="ReadIn")

    all: StrictBool | None = Field(default=None, description="true: mark every notification read")
    # Strict items: "1", 1.5 or true is no id, for a Python caller as for a JSON client.
    ids: Annotated[list[StrictInt] | None, AfterValidator(_ids)] = Field(
        default=None, validate_default=True, description="Notification ids to mark read")
