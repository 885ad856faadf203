"""What every page that saves a post tells its author (held for review, private details), and the
author's answer to the privacy guard; shared by the questions' forms and the thread page."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, request, url_for
from flask_babel import gettext as _

from forum.core.errors import PrivateDataFound, RateLimited, ValidationFailed
from forum.web.forms import attach_errors

T = TypeVar("T")


def save_post(form, save: Callable[[], T]) -> tuple[T | None, list]:
    """Run `save()` (a service that saves a post) for a form page: on a refusal, the form carries
    the errors (what was typed stays) and the result is None, with the privacy guard's findings
    when private data was the reason. Returns (the saved post or None, findings)."""
    try:
        return save(), []
    except PrivateDataFound as error:
        attach_errors(form, error)
        return None, error.findings
    except ValidationFailed as error:
        attach_errors(form, error)
    except RateLimited as error:  # keep what was typed; say when to try again
        form.form_errors.append(error.message)
    return None, []


def private_choice() -> str:
    """The author's answer to the privacy guard: "remove" cuts the private data out."""
    return "remove" if request.form.get("private_data") == "remove" else ""


def say_if_held(post, what: str) -> bool:
    """Tell the author their post waits for a moderator, and why; True if it does."""
    if not post.is_held:
        return False
    flash(_("Your %(what)s is held for review: %(why)s A moderator will look at it soon; until then only you "
            "and the moderators can see it.", what=what, why=post.held_reason.title), "warning")
    return True


def say_if_private(post, kind: str) -> None:
    """The privacy guard's warnings (saved all the same): a notice to the author with a one-click
    removal. Only the masked values travel in the session cookie."""
    warnings = getattr(post, "screening_warnings", ()) or ()
    if not warnings:
        return
    flash({"text": _("Anyone can read your %(what)s, and it seems to show private details. Remove them with "
                     "one click; they are then gone from the page and from its edit history.",
                     what={"question": _("question"), "answer": _("answer"), "comment": _("comment")}[kind]),
           "findings": [{"label": w["label"], "masked": w["masked"]} for w in warnings],
           "action": url_for("moderation.remove_private_details", kind=kind, post_id=post.id)}, "privacy")
