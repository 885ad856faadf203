"""Checking what members send: the one text check (`check_text`) every feature's services use, and
`Command`, the base of each feature's command schemas (schemas.py): pydantic models that services
validate their input with, once, turning pydantic's errors into ValidationFailed with the member's words.

Before this module there were four copies (questions, moderation, tickets, verification), each
with its own order of checks; now the rules are one: absent is empty, not text is refused,
control characters are refused, the text is stripped (and, for posts, freed of invisible
characters and counted as a reader counts it), then required, at least, at most.

Posts' minimums are weighted (`weighted=True`, issue 16): a Chinese, Japanese or Korean character
or a full-width form counts 2 (forum.core.text.weighted_length), as X/Twitter counts, so that
"积分什么时候过期？" is as long a title as "When do my points expire?". Their messages say so.
Maximums are always counted in characters (what the database and the page hold).

The words differ by feature and are kept as they were, so the translations still apply: a *voice*
chooses them. "named" names what is wrong ("The title needs at least 10 characters (now 3).") as
posts do; "brief" is the moderation tools' older wording; "plain" says it next to the field
("At most 500 characters.") as the ticket and verification forms do.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, Self

from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from forum.core import text
from forum.core.errors import ValidationFailed

# Control characters other than tab and line breaks: PostgreSQL refuses NUL, none belongs in member text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Voice = Literal["named", "brief", "plain"]


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_RE.search(value))


def reader_length(value: str) -> int:
    """Length as a reader counts it: surrounding white space and invisible characters (zero-width
    spaces, Hangul fillers, variation selectors and the like) do not count."""
    return sum(1 for ch in value.strip() if not text.is_invisible(ch))


def weighted_length(value: str) -> int:
    """Length as a reader weighs it: as reader_length, but each Chinese, Japanese or Korean
    character (and full-width form) counts 2 (forum.core.text.weighted_length)."""
    return text.weighted_length(value.strip())


def _message(voice: Voice, problem: str, what: str | None, *, minimum: int, maximum: int, n: int) -> str:
    # Every msgid is written out in full so that extraction finds it.
    what = what or _("The reason")
    if problem == "short_weighted":
        if voice == "plain":
            return _("At least %(min)d (Chinese characters count 2 each).", min=minimum)
        return _("%(what)s is too short: at least %(min)d (Chinese characters count 2 each), now %(n)d.",
                 what=what, min=minimum, n=n)
    if voice == "named":
        return {
            "not_text": lambda: _("%(what)s must be text.", what=what),
            "control": lambda: _("%(what)s contains control characters.", what=what),
            "empty": lambda: _("%(what)s cannot be empty.", what=what),
            "short": lambda: _("%(what)s needs at least %(min)d characters (now %(n)d).", what=what, min=minimum, n=n),
            "long": lambda: _("%(what)s can have at most %(max)d characters (now %(n)d).", what=what, max=maximum, n=n),
        }[problem]()
    if voice == "brief":
        return {
            "not_text": lambda: _("Send text."),
            "control": lambda: _("%(what)s contains control characters.", what=what),
            "empty": lambda: _("%(what)s needs at least %(n)d characters.", what=what, n=minimum),
            "short": lambda: _("%(what)s needs at least %(n)d characters.", what=what, n=minimum),
            "long": lambda: _("%(what)s can have at most %(n)d characters.", what=what, n=maximum),
        }[problem]()
    return {
        "not_text": lambda: _("Must be text."),
        "control": lambda: _("Remove the control characters."),
        "empty": lambda: _("This field is required."),
        "short": lambda: _("At least %(min)d characters.", min=minimum),
        "long": lambda: _("At most %(max)d characters.", max=maximum),
    }[problem]()


def check_text(value: Any, field: str, errors: dict[str, list[str]], *, maximum: int, minimum: int = 0,
               required: bool = False, what: str | None = None, voice: Voice = "plain", post: bool = False,
               collapse: bool = False, weighted: bool = False) -> str:
    """`value` as it is stored, or "" / the value as given with `errors[field]` set.

    None counts as empty. Empty passes unless `required` (then neither is `minimum` looked at for an
    optional field left empty). `post`: invisible characters are removed and lengths are counted
    as a reader counts them (questions, answers, comments). `collapse`: runs of white space become
    one space (titles). `weighted`: `minimum` is a weighted length (weighted_length; a Chinese
    character counts 2), `maximum` still characters. `what` names the text in the "named" and "brief"
    voices ("The title")."""
    def fail(problem: str, n: int = 0) -> None:
        errors[field] = [_message(voice, problem, what, minimum=minimum, maximum=maximum, n=n)]

    if value is None:
        value = ""
    if not isinstance(value, str):
        fail("not_text")
        return ""
    if has_control_characters(value):
        fail("control")
        return value
    if post:
        value = text.strip_invisible(value)
    if collapse:
        value = " ".join(value.split())
    value = value.strip()
    length = reader_length(value) if post else len(value)
    weight = text.weighted_length(value) if weighted else length
    if length == 0:
        if required:
            fail("empty")
    elif weight < minimum:
        fail("short_weighted" if weighted else "short", weight)
    elif length > maximum:
        fail("long", length)
    return value


# --- command schemas ---------------------------------------------------------------------------

def refuse(message: str) -> PydanticCustomError:
    """A field error that already says, in the member's words, what is wrong (raised in validators)."""
    return PydanticCustomError("forum", "{message}", {"message": message})


def message_for(error: Mapping) -> str:
    """The member's words for one pydantic error: a validator's own (`refuse`), or a generic one by kind."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "forum":
        return str(ctx["message"])
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("string"):
        return _("Must be text.")
    if kind.startswith("list") or kind == "tuple_type":
        return _("Must be a list.")
    if kind.startswith("int"):
        return _("Must be a whole number.")
    if kind.startswith("bool"):
        return _("Must be true or false.")
    if kind in ("enum", "literal_error"):
        return _("Must be one of: %(choices)s.", choices=ctx.get("expected", ""))
    if kind == "extra_forbidden":
        return _("Unknown field.")
    return _("Invalid value.")


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """pydantic's errors by top-level field ("body" for the whole), as ValidationFailed takes them."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "body"
        fields.setdefault(name.split(".")[0], []).append(message_for(error))
    return fields


class Command(BaseModel):
    """What a member asks a service to do, validated once: the service calls `parse(fields)`; a form
    hands it `form.data`, the API its JSON body (and documents the same model in OpenAPI). Unknown
    keys are ignored, as a form's CSRF token or an API client's extra field should be."""
    model_config = ConfigDict(extra="ignore")

    @classmethod
    def parse(cls, fields: Mapping[str, Any]) -> Self:
        """The command, or ValidationFailed with every field's errors."""
        try:
            return cls.model_validate(dict(fields))
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc)) from None


def text_rule(*, maximum: int, minimum: int = 0, required: bool = False, what: str | None = None,
              voice: Voice = "plain", post: bool = False, collapse: bool = False,
              weighted: bool = False) -> BeforeValidator:
    """`check_text` as a field validator: `Annotated[str, text_rule(maximum=64)]`. None becomes ""."""

    def check(value: Any, info: ValidationInfo) -> str:
        errors: dict[str, list[str]] = {}
        value = check_text(value, info.field_name, errors, maximum=maximum, minimum=minimum, required=required,
                           what=what, voice=voice, post=post, collapse=collapse, weighted=weighted)
        if errors:
            raise refuse(errors[info.field_name][0])
        return value

    return BeforeValidator(check)


def rule(check: Callable[[Any, dict[str, list[str]]], Any]) -> BeforeValidator:
    """A service's `check(value, errors) -> value` as a field validator, its first message the error's."""

    def run(value: Any) -> Any:
        errors: dict[str, list[str]] = {}
        value = check(value, errors)
        if errors:
            raise refuse(next(iter(errors.values()))[0])
        return value

    return BeforeValidator(run)
