"""The moderators' commands, each validated once by the moderation service that carries it out, for
the pages and for the API, which documents each as a request body under the name it had
(FlagIn, ReviewDecisionIn, CloseIn, NoteIn, SuspensionIn, PostingRestrictionIn, RedactIn). The watched words' command
is policy's (forum/policy/schemas.py), where their service lives.

What needs the database stays in the services: the question a duplicate points at, and whether the
member, the post or the revision may be acted on."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema

from forum.core.db import is_row_id, utcnow
from forum.core.validation import Command, check_text, refuse, text_rule
from forum.moderation.models import FlagKind
from forum.policy import guards
from forum.policy import services as policy
from forum.questions.models import CloseReason

NOTE_MAX = 500
NEEDS_MODERATOR_NOTE_MIN = 10
REASON_MIN = 5  # a suspension's reason, which the member is shown
MAX_SUSPENSION_DAYS = 3650
REDACTION_REASON_MAX = 300

_LOG_NOTE = "Note for the moderation log, at most 500 characters"
# An optional note for the moderation log, in the moderation tools' wording ("The note can have ...").
LogNote = Annotated[str | None, text_rule(maximum=NOTE_MAX, what=_l("The note"), voice="brief")]


# --- flags ---------------------------------------------------------------------------------------

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


# Validated by moderation.services.flag_post for the thread page's flag form and for the API, which
# documents it as the body of POST /api/v1/<kind>s/<id>/flags.
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


# --- the review queue ----------------------------------------------------------------------------

def _decision(value: Any) -> str:
    if not isinstance(value, str) or value not in ("approve", "delete"):
        raise refuse(_("Choose approve or delete."))
    return value


# Validated by resolve_review for the review queue's buttons and for POST /api/v1/review/<id>.
class ResolveReview(Command):
    """Decide a pending review item: approve the post (flags declined, a held post published) or delete it."""

    # Published in the OpenAPI document as ReviewDecisionIn: API clients generate code from that name.
    model_config = ConfigDict(title="ReviewDecisionIn")

    action: Annotated[Literal["approve", "delete"], BeforeValidator(_decision)]
    reason: Annotated[str | None, text_rule(maximum=NOTE_MAX, voice="brief")] = Field(
        default=None, validate_default=True, description=_LOG_NOTE)


# --- closing, locking, undeleting, lifting a suspension ------------------------------------------

# The id is the number after "/questions/" (a link) or the whole value (a number), never other
# digits of a link (the port of http://127.0.0.1:5000/questions/7); at most 18 digits, so an id
# past the integer column is refused here, not by the database.
_QUESTION_LINK = re.compile(r"/questions/(\d{1,18})(?:[/?#]|$)")
_QUESTION_NUMBER = re.compile(r"#?(\d{1,18})")


def question_reference(value: Any) -> int | None:
    """The question id in a number, "#12" or a link to the question, or None."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    match = _QUESTION_LINK.search(text) or _QUESTION_NUMBER.fullmatch(text)
    target_id = int(match.group(1)) if match else None
    return target_id if is_row_id(target_id) else None


def _close_reason(value: Any) -> CloseReason:
    try:
        return CloseReason(value)
    except (ValueError, TypeError):
        raise refuse(_("Choose why the question is closed.")) from None


def duplicate_refused() -> str:
    return _("Give the number or the link of the question this one duplicates.")


def _duplicate_of(value: Any, info: ValidationInfo) -> int | None:
    # Only a duplicate names another question; a reason that failed its own check is not in info.data.
    if info.data.get("reason") is not CloseReason.DUPLICATE:
        return None
    target_id = question_reference(value)
    if target_id is None:
        raise refuse(duplicate_refused())
    return target_id


# Validated by close_question for the thread's moderator tools and for POST /api/v1/questions/<id>/close.
# duplicate_of becomes the question's id; whether that question exists is the service's to check.
class CloseQuestion(Command):
    """Close a question: a duplicate of another (given by number or link), off-topic, or needing details."""

    # Published in the OpenAPI document as CloseIn: API clients generate code from that name.
    model_config = ConfigDict(title="CloseIn")

    reason: Annotated[CloseReason, BeforeValidator(_close_reason), WithJsonSchema(
        {"title": "Reason", "type": "string", "enum": [r.value for r in CloseReason]})]
    # After reason: the duplicate's check reads it. A number or a link, as published.
    duplicate_of: Annotated[int | None, BeforeValidator(_duplicate_of), WithJsonSchema(
        {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]})] = Field(
        default=None, validate_default=True, description="Number or link of the original question")
    note: LogNote = Field(default=None, validate_default=True)


# Validated by reopen_question, set_locked, undelete_post and lift_suspension, for the pages and the API.
class ModeratorNote(Command):
    """A moderator's note for the moderation log."""

    # Published in the OpenAPI document as NoteIn: API clients generate code from that name.
    model_config = ConfigDict(title="NoteIn")

    note: LogNote = Field(default=None, validate_default=True, description=_LOG_NOTE)


# --- suspensions ---------------------------------------------------------------------------------

def _end_of(value: Any, kind: Literal["suspension", "restriction"]) -> datetime:
    """A date (the suspension or restriction ends at its end, in the forum's time zone) or an ISO
    8601 time, in the future, at most MAX_SUSPENSION_DAYS away; in UTC."""
    suspension = kind == "suspension"
    if not isinstance(value, str) or not value.strip():
        raise refuse(_("Give the date the suspension ends.") if suspension
                     else _("Give the date the restriction ends."))
    text = value.strip()
    try:
        if len(text) == 10:
            # A date means the end of that day where the forum is (Beijing time by default).
            zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
            until = datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=zone)
        else:
            until = datetime.fromisoformat(text)
            if until.tzinfo is None:
                until = until.replace(tzinfo=UTC)
    except ValueError:
        raise refuse(_("Give the end as a date, like 2026-12-31.")) from None
    now = utcnow()
    if until <= now:
        raise refuse(_("The end of a suspension must be in the future.") if suspension
                     else _("The end of a restriction must be in the future."))
    if until - now > timedelta(days=MAX_SUSPENSION_DAYS):
        raise refuse(_("A suspension lasts at most %(n)d days.", n=MAX_SUSPENSION_DAYS) if suspension
                     else _("A restriction lasts at most %(n)d days.", n=MAX_SUSPENSION_DAYS))
    return until.astimezone(UTC)


def _until(value: Any) -> datetime:
    return _end_of(value, "suspension")


def _restricted_until(value: Any) -> datetime:
    return _end_of(value, "restriction")


# Validated by suspend_member for the profile's moderator tools and for PUT /api/v1/users/<name>/suspension.
class SuspendMember(Command):
    """Suspend a member until a time, with a reason they are shown."""

    # Published in the OpenAPI document as SuspensionIn: API clients generate code from that name.
    model_config = ConfigDict(title="SuspensionIn")

    reason: Annotated[str, text_rule(minimum=REASON_MIN, maximum=NOTE_MAX, required=True, voice="brief")] = (
        Field(description="5–500 characters, shown to the member"))
    until: Annotated[datetime, BeforeValidator(_until), WithJsonSchema({"type": "string"})] = Field(
        description="End of the suspension: a date (YYYY-MM-DD, ends at 23:59:59 in the forum's time zone) "
                    "or an ISO 8601 time, in the future, at most 3,650 days away")


# Validated by restrict_posting for the profile's moderator tools and for
# PUT /api/v1/users/<name>/posting-restriction.
class RestrictPosting(Command):
    """Restrict a member's posting until a time, with a reason they are shown: one question per
    FORUM_QUESTION_INTERVAL_MINUTES."""

    # Published in the OpenAPI document as PostingRestrictionIn: API clients generate code from that name.
    model_config = ConfigDict(title="PostingRestrictionIn")

    reason: Annotated[str, text_rule(minimum=REASON_MIN, maximum=NOTE_MAX, required=True, voice="brief")] = (
        Field(description="5–500 characters, shown to the member"))
    until: Annotated[datetime, BeforeValidator(_restricted_until), WithJsonSchema({"type": "string"})] = Field(
        description="End of the restriction: a date (YYYY-MM-DD, ends at 23:59:59 in the forum's time zone) "
                    "or an ISO 8601 time, in the future, at most 3,650 days away")


# --- private details in the history --------------------------------------------------------------

def _public_reason(value: Any) -> str:
    """A reason that everyone reads (the history page shows it): text, not empty, and without the
    private details it is about."""
    errors: dict[str, list[str]] = {}
    value = check_text(value, "reason", errors, minimum=1, maximum=REDACTION_REASON_MAX, required=True,
                       voice="brief")
    if errors:
        raise refuse(errors["reason"][0])
    if guards.find_private_data(value) or policy.warning_findings({"reason": value}):
        raise refuse(_("The reason is shown on the public history: leave the private details out of it."))
    return value


# Validated by redact_revision for the history page and for POST /api/v1/<kind>s/<id>/revisions/<n>/redact.
class RedactRevision(Command):
    """Replace the text of an earlier revision that showed private details, saying why (publicly)."""

    # Published in the OpenAPI document as RedactIn: API clients generate code from that name.
    model_config = ConfigDict(title="RedactIn")

    reason: Annotated[str, BeforeValidator(_public_reason)] = Field(
        description="1–300 characters, shown publicly on the revision history: it must not repeat the "
                    "private details")
