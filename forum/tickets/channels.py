"""The official channels listed on /support (FORUM_SUPPORT_CHANNELS), each made a working link.

A configured channel is `{"kind": "phone"|"email"|"online"|"social", "label", "hours", "url"?}`
(README, "Official support"). Every channel on the page is a link that leads somewhere:

- phone: `tel:` with the number's digits (a leading `+` kept): "400-000-0000" → `tel:4000000000`;
- email: `mailto:` the address;
- online: `url` (or a label that is an address): an `https://` page, or a path of this site that exists;
  a path that leads nowhere (the old default "/support/chat"), or none, is the forum's own online
  support: the member's tickets, or for a visitor the sign-in page that leads to them;
- social: `url` (or a label that is an `https://` address).

A channel that cannot be made a link (a phone label without digits, an e-mail label that is not an
address, a social account without an address, an unknown kind) is left off the page, with a warning
in the log naming it: a dead end helps nobody who needs support.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

log = logging.getLogger(__name__)

KINDS = ("phone", "email", "online", "social")

# The example list shown until FORUM_SUPPORT_CHANNELS is set. The online channel has no address:
# it is this forum's own (the member's tickets).
DEFAULT_CHANNELS: list[dict] = [
    {"kind": "phone", "label": "400-000-0000", "hours": True},
    {"kind": "email", "label": "support@example.com", "hours": False},
    {"kind": "online", "hours": True},
    {"kind": "social", "label": "@platform_support", "url": "https://example.com/@platform_support", "hours": False},
]

_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+")
_PHONE_CHARS = re.compile(r"[0-9+()\-.\s/]+")


@dataclass(frozen=True)
class Channel:
    kind: str
    label: str  # what the page shows ("" for the forum's own online support: the page names it)
    href: str
    hours: bool  # only during support hours
    own: bool = False  # the forum's own online support (the tickets)

    @property
    def external(self) -> bool:
        return self.href.startswith(("http://", "https://"))


def phone_href(label: str) -> str | None:
    """`tel:` and the number's digits, a leading `+` kept; None when the label is not a number."""
    text = label.strip()
    if not text or not _PHONE_CHARS.fullmatch(text):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) < 3 or len(digits) > 20:
        return None
    return "tel:" + ("+" if text.startswith("+") else "") + digits


def email_href(label: str) -> str | None:
    text = label.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return "mailto:" + text if _EMAIL.fullmatch(text) else None


def _site_path_exists(path: str) -> bool:
    """A path of this site that a GET answers (by a route, not a 404 or 405)."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return False
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def web_href(address: str, *, site_paths: bool) -> str | None:
    """An `https://` (or `http://`) address, or (when `site_paths`) a path of this site that exists."""
    text = (address or "").strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", text):
        return text
    if site_paths and _site_path_exists(text):
        return text
    return None


def own_online_href(signed_in: bool) -> str:
    """The forum's own online support: the member's tickets (a visitor signs in first)."""
    tickets = url_for("tickets.mine")
    return tickets if signed_in else url_for("auth.login", next=tickets)


def _one(raw, signed_in: bool) -> Channel | None:
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        return None
    kind = raw["kind"]
    label = str(raw.get("label") or "").strip()
    url = str(raw.get("url") or "").strip()
    hours = bool(raw.get("hours", False))
    if kind == "phone":
        href = phone_href(url[4:] if url.startswith("tel:") else url) if url else phone_href(label)
        return Channel(kind, label, href, hours) if href and label else None
    if kind == "email":
        href = email_href(url or label)
        return Channel(kind, label or href[len("mailto:"):], href, hours) if href else None
    if kind == "online":
        href = web_href(url or label, site_paths=True)
        if href is None:
            return Channel(kind, "", own_online_href(signed_in), hours, own=True)
        # A label that is only the address says nothing a person needs: the page names the channel.
        shown = "" if label in ("", url, href) or label.startswith("/") else label
        return Channel(kind, shown, href, hours)
    href = web_href(url or label, site_paths=False)
    return Channel(kind, label or href, href, hours) if href else None


def support_channels(configured: list | None, *, signed_in: bool) -> list[Channel]:
    """The channels for /support: `configured` (FORUM_SUPPORT_CHANNELS) or the example list, each
    with a working `href`; what cannot be one is left off and logged."""
    channels = []
    for raw in configured or DEFAULT_CHANNELS:
        channel = _one(raw, signed_in)
        if channel is None:
            log.warning("FORUM_SUPPORT_CHANNELS: %r is left off /support: it cannot be made a working link", raw)
            continue
        channels.append(channel)
    return channels
