"""Choosing the interface language: the member's setting, else a visitor's choice (cookie), else the
browser's Accept-Language, else Simplified Chinese."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user

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


def select_locale() -> str:
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    if not has_request_context():
        return default
    user = g.get("api_user") or current_user
    if user and getattr(user, "is_authenticated", False) and getattr(user, "locale", None):
        return user.locale
    cookie = normalise_locale(request.cookies.get(LANG_COOKIE))
    if cookie:
        return cookie
    for language, _quality in request.accept_languages:
        chosen = normalise_locale(language)
        if chosen:
            return chosen
    return default


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
