"""What members hear of, and how each kind reads (rendered in the reader's language)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.core.enums import TitledEnum


class Kind(TitledEnum):
    NEW_ANSWER = "new_answer", _l("New answers to questions I follow")
    NEW_COMMENT = "new_comment", _l("New comments on my posts and questions I follow")
    ANSWER_ACCEPTED = "answer_accepted", _l("My answer was accepted")
    ANSWER_VERIFIED = "answer_verified", _l("An answer was verified by staff")
    MENTION = "mention", _l("Someone mentioned me")
    NEW_QUESTION_FOLLOWED = "new_question_followed", _l("New questions in tags and categories I follow")
    BADGE = "badge", _l("I earned a badge")
    TICKET_REPLY = "ticket_reply", _l("Support replied on my ticket")
    TICKET_STATUS = "ticket_status", _l("My ticket's status changed")
    TICKET_NEW = "ticket_new", _l("Staff: new escalations in my tier")
    TICKET_BREACH_NEAR = "ticket_breach", _l("Staff: tickets about to breach their SLA")
    MODERATION = "moderation", _l("Moderators approved, removed or closed my posts")
    REVISION_REDACTED = "revision_redacted", _l(
        "Moderators redacted private details from the history of my posts")
    WEBHOOK_DISABLED = "webhook_disabled", _l("Administrators: a webhook was disabled after failing for days")
    INCIDENT_RESOLVED = "incident_resolved", _l("An incident that affected me was resolved")


def render_text(kind: str, actor: str, title: str, detail: str) -> str:
    """One line for the inbox and the e-mail subject."""
    texts = {
        Kind.NEW_ANSWER.value: lambda: _("%(actor)s answered “%(title)s”", actor=actor, title=title),
        Kind.NEW_COMMENT.value: lambda: _("%(actor)s commented on “%(title)s”", actor=actor, title=title),
        Kind.ANSWER_ACCEPTED.value: lambda: _("%(actor)s accepted your answer to “%(title)s”", actor=actor,
                                              title=title),
        Kind.ANSWER_VERIFIED.value: lambda: _("Staff verified an answer on “%(title)s”", title=title),
        Kind.MENTION.value: lambda: _("%(actor)s mentioned you in “%(title)s”", actor=actor, title=title),
        Kind.NEW_QUESTION_FOLLOWED.value: lambda: _("New question you follow: “%(title)s”", title=title),
        Kind.BADGE.value: lambda: _("You earned the badge “%(badge)s”", badge=_badge_title(detail)),
        Kind.TICKET_REPLY.value: lambda: _("Support replied on your ticket %(number)s", number=detail),
        Kind.TICKET_STATUS.value: lambda: _("Your ticket %(number)s is now: %(status)s", number=detail.split(" ")[0],
                                            status=_status_title(detail)),
        Kind.TICKET_NEW.value: lambda: _("New escalation %(number)s: “%(title)s”", number=detail, title=title),
        Kind.TICKET_BREACH_NEAR.value: lambda: _("Ticket %(number)s is about to breach its SLA", number=detail),
        Kind.MODERATION.value: lambda: _moderation_text(title, detail),
        Kind.REVISION_REDACTED.value: lambda: _redaction_text(title, detail),
        Kind.WEBHOOK_DISABLED.value: lambda: _webhook_text(detail),
        Kind.INCIDENT_RESOLVED.value: lambda: _("Resolved: “%(title)s”. The problem you were affected by is fixed.",
                                                title=incident_of(detail)[1]),
    }
    return texts.get(kind, lambda: title)()


def moderation_detail(action: str, *, title: str = "", reason: str = "") -> str:
    """What a moderation notification stores: the action, the title when the thread is gone
    (its notification cannot look it up), and the reason."""
    return f"{action}|{title[:120]}|{reason}"[:200]


def _moderation_text(title: str, detail: str) -> str:
    action, stored_title, reason = (detail.split("|", 2) + ["", ""])[:3]
    title = title or stored_title
    if action == "approved":
        return _("A moderator approved your post on “%(title)s”: it is public now.", title=title)
    if action == "closed":
        from forum.questions.models import CloseReason

        try:
            reason = CloseReason(reason).title
        except ValueError:
            pass
        return _("A moderator closed your question “%(title)s”: %(reason)s", title=title, reason=reason)
    text = _("A moderator removed your post on “%(title)s”.", title=title)
    return f"{text} {_('Reason: %(reason)s', reason=reason)}" if reason else text


def webhook_detail(webhook_id: int, url: str, days: int) -> str:
    """What a disabled-webhook notification stores: the webhook's id, the days and its address."""
    return f"{webhook_id}|{days}|{url}"[:200]


def webhook_id_of(detail: str) -> int | None:
    number = detail.split("|", 1)[0]
    return int(number) if number.isdigit() else None


def _webhook_text(detail: str) -> str:
    _id, days, url = (detail.split("|", 2) + ["", ""])[:3]
    return _("The webhook to %(url)s was disabled: its deliveries failed for %(days)s days.", url=url,
             days=days)


def incident_detail(incident_id: int, title: str) -> str:
    """What an incident notification stores: the incident's number and its title (no thread)."""
    return f"{incident_id}|{title}"[:200]


def incident_of(detail: str) -> tuple[int | None, str]:
    number, _sep, title = detail.partition("|")
    return (int(number) if number.isdigit() else None), title


def redaction_detail(number: int, reason: str) -> str:
    """What a redaction notification stores: the revision's number and the moderator's reason."""
    return f"{number}|{reason}"[:200]


def redacted_revision_number(detail: str) -> int | None:
    number = detail.split("|", 1)[0]
    return int(number) if number.isdigit() else None


def _redaction_text(title: str, detail: str) -> str:
    number, _sep, reason = detail.partition("|")
    return _("A moderator redacted revision %(number)s of your post on “%(title)s” because it showed private "
             "details: %(reason)s", number=number, title=title, reason=reason)


def _badge_title(value: str) -> str:
    from forum.reputation.badges import BadgeKind

    try:
        return BadgeKind(value).title
    except ValueError:
        return value


def _status_title(detail: str) -> str:
    from forum.tickets.models import Status

    try:
        return Status(detail.split(" ")[1]).title
    except (IndexError, ValueError):
        return detail
