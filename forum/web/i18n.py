"""Flask-Babel's selectors: the language and time zone of the request being handled. The rules are
forum.core.i18n's; this module only reads the request (the signed-in member or API token holder,
the language cookie, Accept-Language)."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from forum.core.i18n import LANG_COOKIE, choose_locale


def select_locale() -> str:
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    user = g.get("api_user") or current_user
    member_locale = None
    if user and getattr(user, "is_authenticated", False):
        member_locale = getattr(user, "locale", None)
    return visitor_locale(member_locale)


def visitor_locale(member_locale: str | None = None) -> str:
    """The language of this request for a visitor (the page cache keys pages by it): the cookie,
    else Accept-Language, else the default; a member's own setting first when given."""
    return choose_locale(member_locale=member_locale, cookie=request.cookies.get(LANG_COOKIE),
                         accept_languages=(language for language, _quality in request.accept_languages),
                         default=current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN"))


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
