"""A ticket's history as people read it: each stored event (kind, old, new, reason) as one sentence
in the reader's language, with every value by its translated title ("状态：新建 → 处理中",
"转到二线：原因…", "评价：5 星"). The one place that knows how an event reads; the ticket page only
prints the lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from forum.tickets.models import TIER_NAMES, Priority, Status, Ticket, TicketEvent


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str  # a username, or "system" in the reader's language
    text: Markup  # the sentence, escaped (a thread's title is a link), with staff's reason for staff


def _title(enum_cls, value: str) -> str:
    try:
        return enum_cls(value).title
    except ValueError:
        return value  # a value an older version stored: shown as it is rather than lost


def tier_name(value) -> str:
    """一线 / 二线 / 三线 from a stored tier number (1, "2")."""
    try:
        return str(TIER_NAMES[int(value)])
    except (KeyError, TypeError, ValueError):
        return str(value)


def _sentence(message: str, **values) -> Markup:
    """A translated message with its values escaped (and Markup values, such as links, kept)."""
    return escape(message) % {name: value if isinstance(value, Markup) else escape(value)
                              for name, value in values.items()}


def _published(event: TicketEvent, ticket: Ticket, question) -> Markup:
    template = _("Resolution published on the thread “%(title)s”")
    if question is None or not event.new.isdigit():
        return _sentence(_("Resolution published on the thread"))
    href = url_for("pages.show_question", question_id=question.id, _anchor=f"answer-{event.new}")
    link = Markup('<a href="{}">{}</a>').format(href, question.title)
    return _sentence(template, title=link)


def describe(event: TicketEvent, ticket: Ticket, question=None) -> Markup:
    """The sentence for one event."""
    kind, old, new = event.kind, event.old, event.new
    if kind == "created":
        return _sentence(_("Opened the ticket"))
    if kind == "message":
        return _sentence(_("Replied"))
    if kind == "note":
        return _sentence(_("Wrote an internal note"))
    if kind == "status":
        return _sentence(_("Status: %(old)s → %(new)s"), old=_title(Status, old), new=_title(Status, new))
    if kind == "priority":
        return _sentence(_("Priority: %(old)s → %(new)s"), old=_title(Priority, old), new=_title(Priority, new))
    if kind == "tier":
        if event.actor_id is None:
            return _sentence(_("Moved up to %(tier)s automatically: the SLA was breached"), tier=tier_name(new))
        return _sentence(_("Moved to %(tier)s"), tier=tier_name(new))
    if kind == "assignee":
        if not new:
            return _sentence(_("Unassigned the ticket"))
        return _sentence(_("Assigned the ticket to %(name)s"), name=new)
    if kind == "merged":
        return _sentence(_("Merged into %(number)s"), number=new)
    if kind == "merged_in":
        return _sentence(_("Merged ticket %(number)s into this one"), number=new)
    if kind == "published":
        return _published(event, ticket, question)
    if kind == "rated":
        stars = int(new) if new.isdigit() else 0
        return _sentence(ngettext("Rated the support: %(num)d star", "Rated the support: %(num)d stars", stars))
    if kind == "breached":
        return _sentence(_("SLA breached"))
    return _sentence(str(_UNKNOWN))


_UNKNOWN = _l("Changed the ticket")


def history(ticket: Ticket, events: list[TicketEvent], question=None, *, reasons: bool = False) -> list[HistoryLine]:
    """The ticket's events as lines to print, oldest first; with the reasons staff gave when
    `reasons` (staff read them, requesters do not)."""
    lines = []
    for e in events:
        text = describe(e, ticket, question)
        if reasons and e.reason:
            text = _sentence(_("%(what)s: “%(reason)s”"), what=text, reason=e.reason)
        lines.append(HistoryLine(at=e.created_at, actor=e.actor.username if e.actor else _("system"), text=text))
    return lines
