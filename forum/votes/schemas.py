"""The vote command, validated once by votes.services.cast_vote."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import ConfigDict, BeforeValidator, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from forum.core.validation import Command, refuse


def _value(value: Any) -> int:
    # bool is an int in Python, but `true` is no vote.
    if isinstance(value, bool) or not isinstance(value, int) or value not in (-1, 0, 1):
        raise refuse(_("A vote is 1, -1 or 0."))
    return value


class CastVote(Command):
    """Set one's vote on a post: 1 up, -1 down, 0 to withdraw."""

    # Published in the OpenAPI document as VoteIn: API clients generate code from that name.
    model_config = ConfigDict(title="VoteIn")

    # The target comes from the URL, so the API's body (this model in OpenAPI) shows only the value.

    value: Annotated[int, BeforeValidator(_value)] = Field(description="1 up, -1 down, 0 withdraw",
                                                           json_schema_extra={"enum": [1, -1, 0]})
    question_id: SkipJsonSchema[int | None] = None
    answer_id: SkipJsonSchema[int | None] = None

    @model_validator(mode="after")
    def _one_target(self) -> CastVote:
        if (self.question_id is None) == (self.answer_id is None):
            raise ValueError("a vote is on a question or on an answer")  # a programming error, not the member's
        return self
