"""Checking a piece of member text: the one function every feature's services use.

Before this module there were four copies (questions, moderation, tickets, verification), each
with its own order of checks; now the rules are one: absent is empty, not text is refused,
control characters are refused, the text is stripped (and, for posts, freed of invisible
characters and counted as a reader counts it), then required, at least, at most.

The words differ by feature and are kept as they were, so the translations still apply: a *voice*
chooses them. "named" names what is wrong ("The title needs at least 10 characters (now 3).") as
posts do; "brief" is the moderation tools' older wording; "plain" says it next to the field
("At most 500 characters.") as the ticket and verification forms do.
"""
from __future__ import annotations

import re
from typing import Any, Literal

from flask_babel import gettext as _

from forum.core import text

# Control characters other than tab and line breaks: PostgreSQL refuses NUL, none belongs in member text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Voice = Literal["named", "brief", "plain"]


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_RE.search(value))


def reader_length(value: str) -> int:
    """Length as a reader counts it: surrounding white space and invisible characters (zero-width
    spaces, Hangul fillers, variation selectors and the like) do not count."""
    return sum(1 for ch in value.strip() if not text.is_invisible(ch))


def _message(voice: Voice, problem: str, what: str | None, *, minimum: int, maximum: int, n: int) -> str:
    # Every msgid is written out in full so that extraction finds it.
    what = what or _("The reason")
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
               collapse: bool = False) -> str:
    """`value` as it is stored, or "" / the value as given with `errors[field]` set.

    None counts as empty. Empty passes unless `required` (then neither is `minimum` looked at for an
    optional field left empty). `post`: invisible characters are removed and lengths are counted
    as a reader counts them (questions, answers, comments). `collapse`: runs of white space become
    one space (titles). `what` names the text in the "named" and "brief" voices ("The title")."""
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
    if length == 0:
        if required:
            fail("empty")
    elif length < minimum:
        fail("short", length)
    elif length > maximum:
        fail("long", length)
    return value

