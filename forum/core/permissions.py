"""Privileges and the reputation thresholds that unlock them: the one place that decides who may do what.

Thresholds are configuration (`FORUM_PRIVILEGES`, a mapping from privilege to reputation);
moderators, staff and admins hold every privilege.
"""
from __future__ import annotations

import enum
from typing import Any

from flask import current_app, has_app_context


class Privilege(str, enum.Enum):
    ASK = "ask"
    ANSWER = "answer"
    COMMENT = "comment"
    UPVOTE = "upvote"
    DOWNVOTE = "downvote"
    EDIT_OTHERS = "edit_others"
    DELETE_OTHERS = "delete_others"
    MODERATE = "moderate"
    FLAG = "flag"


DEFAULT_THRESHOLDS: dict[Privilege, int] = {
    Privilege.ASK: 1,
    Privilege.ANSWER: 1,
    Privilege.COMMENT: 1,
    Privilege.UPVOTE: 1,
    Privilege.DOWNVOTE: 125,
    Privilege.EDIT_OTHERS: 1000,
    Privilege.FLAG: 1,
}
# Never unlocked by reputation alone.
_STAFF_ONLY = {Privilege.DELETE_OTHERS, Privilege.MODERATE}


def threshold(privilege: Privilege) -> int | None:
    """The reputation that unlocks `privilege`, or None where only roles grant it."""
    if privilege in _STAFF_ONLY:
        return None
    configured: dict[str, Any] = {}
    if has_app_context():
        configured = current_app.config.get("FORUM_PRIVILEGES") or {}
    value = configured.get(privilege.value, DEFAULT_THRESHOLDS.get(privilege))
    return None if value is None else int(value)


def signed_in(actor) -> bool:
    """Is `actor` a signed-in member (not None, not Flask-Login's anonymous user)? The one sign-in
    check every service and read side uses."""
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def is_moderator(actor) -> bool:
    return signed_in(actor) and bool(actor.role.is_moderator)


def can(actor, privilege: Privilege, obj: Any | None = None) -> bool:
    """May `actor` use `privilege` (on `obj`, when the rule depends on it)?

    Editing and deleting one's own post need no privilege; others' posts need EDIT_OTHERS /
    DELETE_OTHERS. Anonymous visitors and suspended or deactivated accounts can do nothing.
    """
    if not signed_in(actor) or not actor.is_active:
        return False
    if getattr(actor, "is_suspended", False):
        return False
    if actor.role.is_moderator:
        return True
    if obj is not None and privilege in (Privilege.EDIT_OTHERS, Privilege.DELETE_OTHERS):
        if getattr(obj, "author_id", None) == actor.id:
            return True
    needed = threshold(privilege)
    return needed is not None and actor.reputation >= needed


def ensure_not_suspended(actor) -> None:
    """Raise PermissionDenied(code="suspended"), saying until when and why, for a suspended member."""
    if actor is not None and getattr(actor, "is_suspended", False):
        from flask_babel import format_datetime
        from flask_babel import gettext as _

        from forum.core.errors import PermissionDenied

        raise PermissionDenied(_("Your account is suspended until %(until)s: %(reason)s",
                                 until=format_datetime(actor.suspended_until, "medium"),
                                 reason=actor.suspension_reason or _("no reason given")), code="suspended")
