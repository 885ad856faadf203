"""Where a "next" address may send the browser: only somewhere on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def local_url(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    target = target or ""
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return default
