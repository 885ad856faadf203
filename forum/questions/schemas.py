"""The commands that write posts, validated once by the services that carry them out (ask_question,
post_answer, post_comment, edit_question, edit_answer) for the pages and for the API, which documents
them as request bodies."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, BeforeValidator, Field, WithJsonSchema

from forum.core.validation import Command, check_text, rule, text_rule
from forum.questions import rules
from forum.questions.models import Category

# --- the field checks ------------------------------------------------------------------------------

# Minimums are weighted (a Chinese character counts 2), maximums characters: forum/questions/rules.py.

def check_title(value, errors) -> str:
    return check_text(value, "title", errors, minimum=rules.TITLE_MIN, maximum=rules.TITLE_MAX, required=True,
                      what=_l("The title"), voice="named", post=True, collapse=True, weighted=True)


def check_body(value, errors, field: str = "body") -> str:
    return check_text(value, field, errors, minimum=rules.BODY_MIN, maximum=rules.BODY_MAX, required=True,
                      what=_l("The body"), voice="named", post=True, weighted=True)


def check_answer(value, errors, field: str = "body") -> str:
    """An answer's body: as a question's body, and not filler ("+1", "顶", "同问"...: rules.is_filler),
    which is told so even when it is also too short, for the way out is another button."""
    body = check_text(value, field, errors, minimum=rules.BODY_MIN, maximum=rules.BODY_MAX, required=True,
                      what=_l("The answer"), voice="named", post=True, weighted=True)
    if body and isinstance(value, str) and not rules.has_control_characters(value) and rules.is_filler(body):
        errors[field] = [_("An answer should help to solve the problem. If you have the same problem, vote the "
                           "question up or follow it; to thank someone, vote their answer up.")]
    return body


def check_category(value, errors) -> Category | None:
    if isinstance(value, Category):
        return value
    try:
        return Category(value)
    except ValueError:
        choices = ", ".join(c.value for c in Category)
        errors["category"] = [_("Choose a category (one of: %(choices)s).", choices=choices)]
        return None


def check_tags(value, errors) -> list[str]:
    if value is None or not isinstance(value, (list, tuple, str)):
        errors["tags"] = [_("Tags must be a list of words.")]
        return []
    if not isinstance(value, str) and not all(isinstance(t, str) for t in value):
        errors["tags"] = [_("Each tag must be text.")]
        return []
    tags = rules.split_tags(value)
    if any(rules.has_control_characters(t) for t in tags):
        errors["tags"] = [_("Tags cannot contain control characters.")]
        return tags
    if len(tags) < rules.TAGS_MIN:
        errors["tags"] = [_("Add at least one tag.")]
    elif len(tags) > rules.TAGS_MAX:
        errors["tags"] = [_("At most %(max)d tags.", max=rules.TAGS_MAX)]
    else:
        bad = [t for t in tags if len(t) > rules.TAG_MAX_LENGTH or not rules.TAG_RE.match(t)
               or not rules.HAS_WORD_RE.search(t)]
        if bad:
            errors["tags"] = [_("Invalid tag: %(tag)s. Tags have up to %(max)d letters, digits or + # . -",
                                tag=bad[0], max=rules.TAG_MAX_LENGTH)]
        elif any(rules.LONG_NUMBER_RE.search(t) for t in tags):
            # Tags are public and short: a long run of digits is a phone, card, ID or order number.
            errors["tags"] = [_("Tags cannot hold long numbers (phone, card, ID or order numbers): anyone can "
                                "read them.")]
    return tags


def check_summary(value, errors) -> str:
    """An edit's summary: optional (None is none), public like the post (revision history)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors["summary"] = [_("The edit summary must be text.")]
        return ""
    if len(value) > rules.SUMMARY_MAX:
        errors["summary"] = [_("At most %(max)d characters.", max=rules.SUMMARY_MAX)]
    elif rules.has_control_characters(value):
        errors["summary"] = [_("The edit summary contains control characters.")]
    return rules.clean_text(value).strip()


def unless_absent(check):
    """`check` for a field an edit may leave out: None (absent, or JSON null) keeps the post's value,
    so it is not checked; any other value is checked as when the post was written."""

    def run(value, errors):
        return None if value is None else check(value, errors)

    return run


def _private_data(value: Any) -> Any:
    return value or None  # the pages send "" for "keep it"


# The documented lengths (OpenAPI): minimums weighted, maximums characters.
_TITLE = "At least 10 (weighted: a Chinese, Japanese or Korean character counts 2), at most 150 characters"
_BODY = "Markdown; at least 20 (weighted: a Chinese, Japanese or Korean character counts 2), at most 30,000 characters"
_ANSWER_BODY = _BODY + "; not filler (\"+1\", \"顶\", \"同问\", \"me too\"...: vote or follow instead)"

_PRIVATE_DATA = ("Send \"remove\" after a 422 private_data error to post with the private data cut out (see the "
                 "error's findings)")
PrivateData = Annotated[Literal["remove"] | None, BeforeValidator(_private_data), Field(description=_PRIVATE_DATA)]


class AskQuestion(Command):
    """Ask a question."""

    # Published in the OpenAPI document as QuestionIn: API clients generate code from that name.
    model_config = ConfigDict(title="QuestionIn")

    title: Annotated[str, rule(check_title)] = Field(description=_TITLE)
    body: Annotated[str, rule(check_body)] = Field(description=_BODY)
    tags: Annotated[list[str], rule(check_tags)] = Field(description="1–5 tags")
    category: Annotated[Category, rule(check_category),
                        WithJsonSchema({"type": "string", "enum": [c.value for c in Category]})]
    private_data: PrivateData = None


class PostAnswer(Command):
    """Answer a question."""

    # Published in the OpenAPI document as AnswerIn: API clients generate code from that name.
    model_config = ConfigDict(title="AnswerIn")

    body: Annotated[str, rule(check_answer)] = Field(description=_ANSWER_BODY)
    private_data: PrivateData = None


class PostComment(Command):
    """Comment on a question or an answer."""

    # Published in the OpenAPI document as CommentIn: API clients generate code from that name.
    model_config = ConfigDict(title="CommentIn")

    body: Annotated[str, text_rule(minimum=rules.COMMENT_MIN, maximum=rules.COMMENT_MAX, required=True,
                                   what=_l("The comment"), voice="named", post=True, weighted=True)] = Field(
        description="At least 5 (weighted: a Chinese character counts 2), at most 600 characters")
    private_data: PrivateData = None


_CATEGORY_SCHEMA = {"type": "string", "enum": [c.value for c in Category]}
Summary = Annotated[str | None, rule(check_summary)]  # None becomes "": no summary


class EditQuestion(Command):
    """Edit a question: what is sent of title, body, tags and category replaces it, checked as when asking;
    what is left out (or null) stays."""

    # Published in the OpenAPI document as QuestionPatch: API clients generate code from that name.
    model_config = ConfigDict(title="QuestionPatch")

    title: Annotated[str | None, rule(unless_absent(check_title))] = Field(default=None, description=_TITLE)
    body: Annotated[str | None, rule(unless_absent(check_body))] = Field(default=None, description=_BODY)
    tags: Annotated[list[str] | None, rule(unless_absent(check_tags))] = Field(default=None, description="1–5 tags")
    category: Annotated[Category | None, rule(unless_absent(check_category)),
                        WithJsonSchema({"anyOf": [_CATEGORY_SCHEMA, {"type": "null"}]})] = Field(
        default=None, title="Category")
    summary: Summary = Field(default=None, validate_default=True, description="Edit summary, at most 300 characters")
    private_data: PrivateData = None


class EditAnswer(Command):
    """Edit an answer: its new body (checked as when answering)."""

    # Published in the OpenAPI document as AnswerPatch: API clients generate code from that name.
    model_config = ConfigDict(title="AnswerPatch")

    body: Annotated[str, rule(check_answer)] = Field(description=_ANSWER_BODY)
    summary: Summary = Field(default=None, validate_default=True, description="Edit summary, at most 300 characters")
    private_data: PrivateData = None
