"""The verification commands, validated once by verification.services.verify_answer and
remove_verification (the staff's forms on the thread page and the queue, and the API, which documents
them as the bodies of POST and DELETE /api/v1/answers/<id>/verification)."""
from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from forum.core.validation import Command, text_rule

NOTE_MAX = 500

# Optional text: absent or None is "" (validate_default), said next to the field ("At most 500 characters.").
Note = Annotated[str | None, text_rule(maximum=NOTE_MAX)]


class VerifyAnswer(Command):
    """Verify an answer's current revision (staff)."""

    # Published in the OpenAPI document as VerifyIn: API clients generate code from that name.
    model_config = ConfigDict(title="VerifyIn")

    note: Note = Field(default=None, validate_default=True, description="What staff checked, at most 500 characters")


class RemoveVerification(Command):
    """End an answer's verification (staff)."""

    # Published in the OpenAPI document as UnverifyIn: API clients generate code from that name.
    model_config = ConfigDict(title="UnverifyIn")

    reason: Note = Field(default=None, validate_default=True,
                         description="Why the verification ends, at most 500 characters")
