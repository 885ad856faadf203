"""Choosing the interface language: the member's setting, else a visitor's choice (cookie), else the
browser's Accept-Language, else the forum's default (Simplified Chinese).

Pure rules only: the request-bound selectors that Flask-Babel calls (reading the signed-in member,
the cookie and the header) are in forum.web.i18n."""
from __future__ import annotations

from collections.abc import Iterable

LANG_COOKIE = "forum_lang"


def normalise_locale(value: str | None) -> str | None:
    """'zh', 'zh-CN', 'zh_Hans' → 'zh_CN'; 'en-US' → 'en'; anything else → None."""
    if not value:
        return None
    value = value.replace("-", "_").lower()
    if value.startswith("zh"):
        return "zh_CN"
    if value.startswith("en"):
        return "en"
    return None


def choose_locale(*, member_locale: str | None, cookie: str | None, accept_languages: Iterable[str],
                  default: str) -> str:
    """The member's own setting wins, then the visitor's cookie, then the first language of the
    browser's list (best first) that the forum speaks, then `default`."""
    if member_locale:
        return member_locale
    chosen = normalise_locale(cookie)
    if chosen:
        return chosen
    for language in accept_languages:
        chosen = normalise_locale(language)
        if chosen:
            return chosen
    return default
