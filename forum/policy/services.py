"""Policy: the screening every member's text passes before it is saved (privacy guard, watched
words, scam guard), and the watched words themselves.

Policy sits left of every feature: the services that save text (posts, names, profiles) call
`screen` directly and act on its Verdict. Moderators edit the watched words through moderation,
which calls the services below and logs the change. Services only flush.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.core.db import is_row_id, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, PrivateDataFound, ValidationFailed
from forum.core.permissions import ensure_not_suspended, is_moderator, signed_in
from forum.extensions import db
from forum.policy import guards
from forum.policy.guards import PrivateKind, ScamKind, WarningKind, WatchedAction
from forum.policy.models import WatchedWordEntry
from forum.policy.schemas import WatchWord


class HoldCause(enum.StrEnum):
    """Why the screening keeps a post out of sight: the values of questions' HoldReason that the
    screening decides (the posts' own enum lives with the posts, to the right)."""

    SCAM = "scam"
    WATCHED = "watched"


@dataclass
class Verdict:
    """What the screening decided: `texts` replaces the checked texts (censored or with private data
    removed); `hold` (a HoldCause value) keeps the post out of sight until reviewed, `detail`
    says why for the moderator (masked). `warnings` are what the author should hear of although
    the post is saved (order numbers, addresses): [{"field", "kind", "label", "masked"}]."""

    texts: dict[str, str] = field(default_factory=dict)
    hold: str | None = None
    detail: str = ""
    warnings: list[dict] = field(default_factory=list)


# --- labels -------------------------------------------------------------------------------------

_PRIVATE_LABELS = {
    PrivateKind.CARD: lambda: _("a bank card number"),
    PrivateKind.MOBILE: lambda: _("a mobile phone number"),
    PrivateKind.RESIDENT_ID: lambda: _("a resident ID number"),
    PrivateKind.EMAIL: lambda: _("an e-mail address"),
    PrivateKind.SECRET: lambda: _("a password or verification code"),
}
_SCAM_LABELS = {
    ScamKind.OFF_PLATFORM_CONTACT: lambda: _("asks people to add a contact off the site"),
    ScamKind.ASKS_FOR_SECRET: lambda: _("asks for codes or passwords"),
    ScamKind.CLAIMS_OFFICIAL: lambda: _("claims to be official support"),
}
_WARNING_LABELS = {
    WarningKind.ORDER_NUMBER: lambda: _("an order number"),
    WarningKind.ADDRESS: lambda: _("a street address"),
}


def detail_text(detail: str) -> str:
    """A screening verdict's `detail` as people read it, in their language: the verdict stores what
    was found ("watched:<words>", "scam:<kinds>"), not a sentence in the language of whoever posted.
    Anything else (a detail stored before) is shown as it is."""
    code, sep, rest = (detail or "").partition(":")
    if sep and code == "watched":
        return _("Watched words: %(words)s", words=rest)
    if sep and code == "scam":
        kinds = [ScamKind(v) for v in rest.split(",") if v in ScamKind._value2member_map_]
        if kinds:
            return "; ".join(_SCAM_LABELS[k]() for k in kinds)
    return detail or ""


WATCHED_ACTION_TITLES = {
    WatchedAction.BLOCK: lambda: _("Block the post"), WatchedAction.HOLD: lambda: _("Hold for review"),
    WatchedAction.CENSOR: lambda: _("Censor the word"),
}


def watched_action_title(value: str) -> str:
    try:
        return WATCHED_ACTION_TITLES[WatchedAction(value)]()
    except ValueError:
        return value


def private_label(kind: str) -> str:
    return _PRIVATE_LABELS[PrivateKind(kind)]()


def warning_label(kind: str) -> str:
    return _WARNING_LABELS[WarningKind(kind)]()


# --- the screening ------------------------------------------------------------------------------

def _public_address(address: str) -> bool:
    """The platform's own addresses (FORUM_PUBLIC_EMAILS: addresses, or "@domain" for a whole
    domain) are not private: members quote the support address to each other."""
    allowed = [a.strip().casefold() for a in (current_app.config.get("FORUM_PUBLIC_EMAILS") or "").split(",")
               if a.strip()]
    address = guards.normalise(address).strip().casefold()
    return any(address == a or (a.startswith("@") and address.endswith(a)) for a in allowed)


def _private_findings(actor, texts: dict[str, str]) -> dict[str, list[guards.Finding]]:
    found: dict[str, list[guards.Finding]] = {}
    for name, text in texts.items():
        hits = guards.find_private_data(text or "")
        if actor is not None and getattr(actor, "is_staff", False):
            # Staff give out the platform's official addresses; everything else still counts.
            hits = [f for f in hits if f.kind is not PrivateKind.EMAIL]
        hits = [f for f in hits if f.kind is not PrivateKind.EMAIL or not _public_address(text[f.start:f.end])]
        if hits:
            found[name] = hits
    return found


def _watched_matcher() -> guards.WatchedMatcher:
    rows = db.session.execute(sa.select(WatchedWordEntry.pattern, WatchedWordEntry.action,
                                        WatchedWordEntry.is_regex).order_by(WatchedWordEntry.id)).all()
    return guards.compile_watched([guards.WatchedWord(r.pattern, WatchedAction(r.action), r.is_regex)
                                   for r in rows])


def screen(kind: str, actor, texts: dict[str, str], *, private_data: str = "", question=None) -> Verdict:
    """Screen text before it is saved; refusals raise, everything else is in the returned Verdict.

    `kind` is "question", "answer" or "comment" for posts, "username" (actor None: the account does
    not exist yet) or "profile" for what an account shows to everyone; `question` is the thread's
    Question (None for a new one). A caller that cannot hold its text for review (a name, a
    profile) refuses it when the verdict would hold it.

    In order: private data (refused with PrivateDataFound, or cut out when the author asked for it
    with private_data="remove"); watched words (block refuses with ValidationFailed, censor blacks
    out, hold holds); the scam guard (holds what non-staff wrote). All of it matches on the folded
    text (guards.normalise): invisible characters and compatibility forms hide nothing."""
    verdict = Verdict(texts=dict(texts))
    found = _private_findings(actor, verdict.texts)
    if found:
        if private_data != "remove":
            fields = {}
            findings = []
            for name, hits in found.items():
                labels = sorted({private_label(f.kind) for f in hits})
                fields[name] = [_("This contains %(what)s. Anyone can read this page, and scammers look for "
                                  "such data: remove it, or send it to official support in a private ticket.",
                                  what=", ".join(labels))]
                findings += [{"field": name, "kind": f.kind.value, "label": private_label(f.kind),
                              "masked": f.masked} for f in hits]
            raise PrivateDataFound(fields, findings,
                                   _("Your post contains private data that must not be public."))
        for name, hits in found.items():
            verdict.texts[name] = guards.redact(verdict.texts[name], hits, placeholder=_("[removed]"))
    matcher = _watched_matcher()
    if matcher.words:
        blocked: dict[str, list[str]] = {}
        for name, text in list(verdict.texts.items()):
            result = matcher.check(text or "")
            if result.action is WatchedAction.BLOCK:
                words = sorted({text[s:e] for w, s, e in result.matches if w.action is WatchedAction.BLOCK})
                blocked[name] = [_("This contains words that are not allowed here: %(words)s.",
                                   words=", ".join(words))]
            elif result.action is not None:
                verdict.texts[name] = result.censored_text
                if result.action is WatchedAction.HOLD and not verdict.hold:
                    verdict.hold = HoldCause.WATCHED.value
                    verdict.detail = "watched:" + ", ".join(sorted({w.pattern for w, _s, _e in result.matches
                                                                     if w.action is WatchedAction.HOLD}))
        if blocked:
            raise ValidationFailed(blocked)
    # Everyone but staff: members' posts, and the names and profiles of accounts (actor None while
    # an account is being registered).
    if not getattr(actor, "is_staff", False):
        signals_found = sorted({f.kind for text in verdict.texts.values() for f in guards.find_scam_signals(text or "")})
        if signals_found:
            verdict.hold = HoldCause.SCAM.value
            verdict.detail = "scam:" + ",".join(k.value for k in signals_found)
    verdict.warnings = private_warnings(verdict.texts)
    return verdict


def private_passages(texts: dict[str, str], *, limit: int = 4000) -> str:
    """The lines that hold private data (whole lines, for context), for a private ticket."""
    lines: list[str] = []
    for text in texts.values():
        if not isinstance(text, str):
            continue
        for line in text.splitlines():
            if guards.find_private_data(line) and line.strip() not in lines:
                lines.append(line.strip())
    return "\n".join(lines)[:limit]


def scan_private(texts: dict[str, str]) -> list[dict]:
    """What the privacy guard would find (masked), for the live warning on the forms."""
    return [{"field": name, "kind": f.kind.value, "label": private_label(f.kind), "masked": f.masked}
            for name, hits in _private_findings(None, texts).items() for f in hits]


def warning_findings(texts: dict[str, str]) -> dict[str, list[guards.Finding]]:
    """Per field, what the privacy guard warns about but lets through (see private_warnings)."""
    pattern = current_app.config.get("FORUM_ORDER_NUMBER_PATTERN")
    found = {name: guards.find_private_warnings(text, order_pattern=pattern)
             for name, text in texts.items() if isinstance(text, str) and text}
    return {name: hits for name, hits in found.items() if hits}


def private_warnings(texts: dict[str, str]) -> list[dict]:
    """What the privacy guard warns the author about but lets through: order numbers of the
    platform's shape (FORUM_ORDER_NUMBER_PATTERN) and street addresses, masked, per field."""
    return [{"field": name, "kind": f.kind.value, "label": warning_label(f.kind), "masked": f.masked}
            for name, hits in warning_findings(texts).items() for f in hits]


# --- the watched words --------------------------------------------------------------------------

def _require_moderator(actor) -> None:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if not is_moderator(actor) or not actor.is_active:
        raise PermissionDenied(_("Only moderators can do this."))
    ensure_not_suspended(actor)


def watched_words(actor) -> list[WatchedWordEntry]:
    """Every watched word, by action then pattern. Moderators only (PermissionDenied)."""
    _require_moderator(actor)
    return list(db.session.scalars(sa.select(WatchedWordEntry).order_by(WatchedWordEntry.action,
                                                                       WatchedWordEntry.pattern)))


def add_watched_word(actor, /, **fields) -> WatchedWordEntry:
    """Watch a word or a regular expression (checked for slowness): block, hold or censor text
    that contains it, from the next screening on. `fields` are WatchWord's (pattern, action,
    is_regex), validated here, once. Moderators only. Raises PermissionDenied, ValidationFailed,
    Conflict (already watched)."""
    _require_moderator(actor)
    command = WatchWord.parse(fields)
    pattern, watched_action, is_regex = command.pattern, command.action, command.is_regex
    exists = db.session.scalar(sa.select(WatchedWordEntry.id).where(WatchedWordEntry.pattern == pattern,
                                                                    WatchedWordEntry.is_regex.is_(is_regex)))
    if exists is not None:
        raise Conflict(_("This word is already watched."), code="already_watched")
    entry = WatchedWordEntry(pattern=pattern, is_regex=is_regex, action=watched_action, created_by_id=actor.id,
                             created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_watched_word(actor, word_id) -> WatchedWordEntry:
    """Stop watching a word; returns the deleted entry. Moderators only. Raises PermissionDenied,
    NotFound."""
    _require_moderator(actor)
    entry = db.session.get(WatchedWordEntry, word_id) if is_row_id(word_id) else None
    if entry is None:
        raise NotFound(_("This watched word does not exist."))
    db.session.delete(entry)
    db.session.flush()
    return entry
