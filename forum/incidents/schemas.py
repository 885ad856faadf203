"""The commands of incidents, validated once by the service that carries them out, for the staff
form and for the API (which documents them as IncidentIn, IncidentPatch, LinkIn, PublishIncidentIn)."""
from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BeforeValidator, ConfigDict, Field

from forum.core.db import is_row_id
from forum.core.validation import Command, check_text, refuse, text_rule
from forum.incidents.models import IncidentStatus
from forum.questions.models import Category

TITLE_MAX = 150
BODY_MAX = 10_000
MESSAGE_MAX = 10_000
KEYWORDS_MAX = 10
KEYWORD_MAX = 50


def _category(value: Any) -> str:
    if not isinstance(value, str) or value not in {c.value for c in Category}:
        raise refuse(_("Choose a category."))
    return value


def _status(value: Any) -> str:
    if value is None:
        return None
    if not isinstance(value, str) or value not in {s.value for s in IncidentStatus}:
        raise refuse(_("Choose a status: investigating, identified, monitoring or resolved."))
    return value


def _opening_status(value: Any) -> str:
    value = _status(value if value is not None else IncidentStatus.INVESTIGATING.value)
    if value == IncidentStatus.RESOLVED.value:
        raise refuse(_("A new incident cannot start resolved."))
    return value


def split_keywords(value: Any) -> Any:
    """A form gives one keyword per line or separated by commas; the API a list."""
    if isinstance(value, str):
        return [k for k in (part.strip() for line in value.splitlines() for part in line.replace("，", ",").split(","))
                if k]
    return value


def _keywords(value: Any) -> list[str]:
    value = split_keywords(value)
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise refuse(_("Keywords must be a list of words or phrases."))
    keywords: list[str] = []
    for raw in value:
        errors: dict[str, list[str]] = {}
        keyword = check_text(raw, "keywords", errors, maximum=KEYWORD_MAX, collapse=True)
        if errors:
            raise refuse(errors["keywords"][0])
        keyword = keyword.replace('"', "").strip()
        if keyword and keyword.casefold() not in {k.casefold() for k in keywords}:
            keywords.append(keyword)
    if not keywords:
        raise refuse(_("Give at least one keyword: threads that contain one are linked."))
    if len(keywords) > KEYWORDS_MAX:
        raise refuse(_("At most %(num)d keywords.", num=KEYWORDS_MAX))
    return keywords


def _optional_keywords(value: Any) -> list[str] | None:
    return None if value is None else _keywords(value)


def _question_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not is_row_id(value):
        raise refuse(_("Give the number of a question."))
    return value


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise refuse(_("Must be true or false."))
    return value


_KEYWORDS_SCHEMA = {"type": "array", "items": {"type": "string", "maxLength": KEYWORD_MAX},
                    "minItems": 1, "maxItems": KEYWORDS_MAX}


class CreateIncident(Command):
    """Open an incident (staff). Questions in the category that contain any one keyword, asked from
    24 hours before it began until it is resolved, are linked to it."""

    model_config = ConfigDict(title="IncidentIn")

    title: Annotated[str, text_rule(minimum=4, maximum=TITLE_MAX, required=True, collapse=True)] = Field(
        description="4–150 characters")
    body: Annotated[str, text_rule(maximum=BODY_MAX)] = Field(
        default="", validate_default=True, description="Markdown: what happened, what members should do")
    category: Annotated[str, BeforeValidator(_category)] = Field(
        json_schema_extra={"enum": [c.value for c in Category]})
    keywords: Annotated[list[str], BeforeValidator(_keywords)] = Field(
        json_schema_extra=_KEYWORDS_SCHEMA, description="1–10 words or phrases (any one links a thread)")
    status: Annotated[str, BeforeValidator(_opening_status)] = Field(
        default=IncidentStatus.INVESTIGATING.value, validate_default=True,
        json_schema_extra={"enum": [s.value for s in IncidentStatus if s.is_active]})


class UpdateIncident(Command):
    """A step of the incident (staff): a new status and what staff say of it, kept on its timeline;
    the title, the keywords (linking again) may change too. `publish` with `resolved`: the message
    is posted on every linked thread as a verified staff answer."""

    model_config = ConfigDict(title="IncidentPatch")

    status: Annotated[str | None, BeforeValidator(_status)] = Field(
        default=None, json_schema_extra={"enum": [s.value for s in IncidentStatus]})
    message: Annotated[str, text_rule(maximum=MESSAGE_MAX)] = Field(
        default="", validate_default=True, description="Required with a status: the update members read")
    title: Annotated[str | None, text_rule(minimum=4, maximum=TITLE_MAX, collapse=True)] = None
    keywords: Annotated[list[str] | None, BeforeValidator(_optional_keywords)] = Field(
        default=None, json_schema_extra=_KEYWORDS_SCHEMA)
    publish: Annotated[bool, BeforeValidator(_flag)] = Field(
        default=False, validate_default=True,
        description="With status resolved: publish the message on the linked threads as verified staff answers")


class LinkQuestion(Command):
    model_config = ConfigDict(title="LinkIn")

    question_id: Annotated[int, BeforeValidator(_question_id)]


class PublishIncident(Command):
    """Publish the resolution on every linked thread (staff); the body defaults to the last update."""

    model_config = ConfigDict(title="PublishIncidentIn")

    body: Annotated[str, text_rule(maximum=MESSAGE_MAX)] = Field(default="", validate_default=True)
