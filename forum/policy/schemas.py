"""The watched words' command, validated once by policy.services.add_watched_word (moderation's
watched-words page and the API, which documents it as the body of POST /api/v1/watched-words)."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, model_validator

from forum.core.validation import Command, refuse
from forum.policy import guards
from forum.policy.guards import WatchedAction


def _pattern(value: Any) -> str:
    if not isinstance(value, str):
        raise refuse(_("Send text."))
    return value.strip()


def _action(value: Any) -> WatchedAction:
    try:
        return WatchedAction(value)
    except (ValueError, TypeError):
        raise refuse(_("Choose block, hold or censor.")) from None


def _is_regex(value: Any) -> bool:
    if not isinstance(value, bool):
        raise refuse(_("Send true or false."))
    return value


class WatchWord(Command):
    """Watch a word or a regular expression: block, hold or censor the text that contains it."""

    # Published in the OpenAPI document as WatchedWordIn: API clients generate code from that name.
    model_config = ConfigDict(title="WatchedWordIn")

    pattern: Annotated[str, BeforeValidator(_pattern)] = Field(
        description="A word or phrase, or a regular expression; at most 200 characters")
    action: Annotated[WatchedAction, BeforeValidator(_action),
                      WithJsonSchema({"title": "Action", "type": "string", "enum": [a.value for a in WatchedAction]})]
    is_regex: Annotated[bool, BeforeValidator(_is_regex)] = False

    @model_validator(mode="after")
    def _usable(self) -> WatchWord:
        # Runs once every field is valid: whether the pattern can be used depends on is_regex.
        try:
            guards.validate_pattern(self.pattern, self.is_regex)
        except ValueError as error:
            problem = refuse(_("This pattern cannot be used: %(why)s", why=str(error)))
            # Raised as the pattern's own error (a model validator's would name the whole body).
            raise ValidationError.from_exception_data(
                type(self).__name__, [{"type": problem, "loc": ("pattern",), "input": self.pattern}]) from None
        return self
