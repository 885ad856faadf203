"""check_text: one text check, three wordings (kept so the translations still apply)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.validation import check_text


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


def run(value, **kwargs):
    errors: dict = {}
    return check_text(value, "f", errors, **kwargs), errors.get("f")


def test_plain_voice(ctx):
    assert run(None, maximum=5) == ("", None)
    assert run("  ab  ", maximum=5) == ("ab", None)
    assert run(5, maximum=5)[1] == ["Must be text."]
    assert run("a\x07b", maximum=5)[1] == ["Remove the control characters."]
    assert run(" ", maximum=5, required=True)[1] == ["This field is required."]
    assert run("", maximum=5, minimum=3)[1] is None  # optional and empty: the minimum is not looked at
    assert run("ab", maximum=5, minimum=3)[1] == ["At least 3 characters."]
    assert run("abcdef", maximum=5)[1] == ["At most 5 characters."]


def test_named_voice_counts_as_a_reader(ctx):
    kwargs = {"maximum": 5, "minimum": 3, "required": True, "what": "The title", "voice": "named", "post": True}
    assert run("a\u200bb", **kwargs)[1] == ["The title needs at least 3 characters (now 2)."]
    assert run("", **kwargs)[1] == ["The title cannot be empty."]
    assert run(["x"], **kwargs)[1] == ["The title must be text."]
    assert run("abc\x00", **kwargs)[1] == ["The title contains control characters."]
    assert run("a   b  c", collapse=True, **kwargs) == ("a b c", None)


def test_brief_voice(ctx):
    assert run(1, maximum=5, voice="brief")[1] == ["Send text."]
    assert run("", maximum=5, minimum=2, required=True, voice="brief")[1] == [
        "The reason needs at least 2 characters."]
    assert run("abcdef", maximum=5, what="The note", voice="brief")[1] == ["The note can have at most 5 characters."]
