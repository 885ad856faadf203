"""Flask-Babel's selectors: the language and time zone of the request being handled. The rules are
forum.core.i18n's; this module only reads the request (the signed-in member or API token holder,
the language cookie, Accept-Language)."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from forum.core.i18n import LANG_COOKIE, choose_locale
from forum.web.ratelimits import token_holder


def select_locale() -> str:
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    # An API call's member is its token's holder, looked up here if nothing has yet: a call refused
    # before its view runs (a body above the upload cap) is still answered in the member's language.
    user = g.get("api_user") or (token_holder() if request.blueprint == "api" else None) or current_user
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


# --- translations in templates -------------------------------------------------------------------

def _kept_for_language(attribute: str, compute):
    """compute(), kept for the rest of the request beside Flask-Babel's own request state, with the
    Locale object it holds: `force_locale` and `refresh()` (a new Locale) are followed as before.
    The first call of a request computes without keeping (it is the one that chooses the language)."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return compute()
    held = getattr(state, attribute, None)
    if held is not None and held[0] is locale:
        return held[1]
    value = compute()
    setattr(state, attribute, (locale, value))
    return value


def translations():
    """Flask-Babel's translations for the language in force (the request's, or a `force_locale`
    block's), as Flask-Babel's get_translations() returns them, but in well under a microsecond once
    a language has been used: that function costs about 20 µs a call (it finds its request state
    through `g` several times and formats the language's name for its cache key each time), and a
    page translates a few hundred strings."""
    return _kept_for_language("forum_translations", get_translations)


def locale_name() -> str:
    """str(get_locale()), kept as translations() are: a page asks for it a dozen times (the frame's
    parts, html lang, the language buttons), and each get_locale() finds its state through `g` and
    formats the name anew."""
    return _kept_for_language("forum_locale_name", lambda: str(
        get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")))


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    """Templates' `_()`: what Jinja's i18n extension does for it (newstyle: the translation is
    markup, the variables are escaped into it, in autoescaped templates), in one call instead of
    three nested `Context.call`s (about 14 µs a string here before, 3 µs after)."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


def install_template_translations(app: Flask) -> None:
    """Templates' _(), gettext(), ngettext() and pgettext() through `translations()` (replacing the
    callables Flask-Babel installed, which go through get_translations() on every string)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _template_gettext
