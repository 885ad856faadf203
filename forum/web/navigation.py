"""Where an address taken from the request ("next" in a query or a form) may send the browser: only
a path on this site, and only one that is safe to put in a Location header. Every redirect to an
address that came from the request goes through `local_url` (the forum redirects to no Referer)."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def _is_unsafe_character(char: str) -> bool:
    # Control and format characters (CR and LF split headers; browsers drop TAB and LF inside
    # URLs, so "/\t/evil.example" becomes "//evil.example"), invisible ones, and line separators.
    return unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp")


def local_url(target: str | None, default: str) -> str:
    """`target` if it is a relative path on this site ("/questions/1?tab=x"), else `default`.

    Refused: absolute and scheme-relative addresses ("https://x", "//x", "/\\x"), anything with a
    control, format or line-separator character (header injection, and the characters browsers
    silently remove), and values that are not text. No open redirects, no 500s.
    """
    if not isinstance(target, str) or not target or len(target) > 2000:
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(_is_unsafe_character(char) for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target

