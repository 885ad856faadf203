"""The frame of every page (base.html's header and footer), in parts rendered once per language and
variant, then reused by every page that has the same ones.

The frame was about a quarter of a member's page: measured through the test client on a 10,000
question forum, a member's 404 page took 2.6 ms with base.html and 1.3 ms with a bare frame, and
their thread page 4.4 ms and 3.4 ms. Its cost is some twenty links (url_for), twenty-five
translations and fifty template calls, none of which depend on the member but for a few values.
Members' pages are never served from the page cache, so each one paid it.

A part is a template in templates/_frame/, rendered from here with only what it is given: the
variables named in the call (its variant: signed in or not, staff, the navigation section shown as
current), the language and the application's root path (links depend on it). It is kept under
exactly those, in this process's memory, with the static files' names it links to. A part sees no
request, session, member or form token: in a part every template global but links and translations
fails when used, so that a member's name, counts and tokens stay in base.html, around the parts (a
test renders every part for several members and languages). With `keep=False` a part is rendered
and not kept (a search page's header shows its query). When templates reload (debug mode,
TEMPLATES_AUTO_RELOAD) parts are never kept, so that an edited template shows at once.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from jinja2 import StrictUndefined
from markupsafe import Markup

from forum.web import assets
from forum.web.i18n import locale_name

_EXTENSION = "forum_frame"
_LIMIT = 512  # parts kept per process (a few dozen in practice); when full, the store starts over

# The navigation section each page belongs to (shown as the current one, aria-current="page").
_SECTIONS = {
    "questions.index": "questions",
    "verification.knowledge_base": "kb",
    "reputation.leaderboard": "leaderboard",
    "tickets.desk": "desk",
    "tickets.dashboard": "desk",
    "verification.queue": "desk",
    "verification.log": "desk",
    "search.vocabulary_page": "desk",
    "tickets.mine": "my-tickets",
}
_SECTION_PREFIXES = (("moderation.", "review"), ("webhooks.", "webhooks"))


def init_app(app: Flask) -> None:
    app.extensions.pop(_EXTENSION, None)
    app.jinja_env.globals["frame"] = frame
    app.jinja_env.globals["nav_section"] = nav_section


def nav_section(endpoint: str | None = None) -> str | None:
    """The section of the navigation that this request's page belongs to, if any."""
    endpoint = request.endpoint if endpoint is None else endpoint
    if not endpoint:
        return None
    found = _SECTIONS.get(endpoint)
    if found is None:
        for prefix, section in _SECTION_PREFIXES:
            if endpoint.startswith(prefix):
                return section
    return found


def frame(name: str, keep: bool = True, **variables) -> Markup:
    """The part templates/_frame/`name`.html, for `variables` in the request's language."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    locale = locale_name()
    # The parts' links name the static files by their content (forum.web.assets): a new set of
    # names, as a new process makes, starts the store over.
    names = assets.names(app)
    held = app.extensions.get(_EXTENSION)
    if held is None or held[0] is not names:
        held = app.extensions[_EXTENSION] = (names, {}, _unavailable(app))
    store: dict = held[1]
    keep = keep and not app.jinja_env.auto_reload
    key = (name, locale, request.script_root, *sorted(variables.items())) if keep else None
    if key is not None:
        found = store.get(key)
        if found is not None:
            return found
    template = app.jinja_env.get_template(f"_frame/{name}.html")
    html = Markup(template.render({**held[2], **variables, "locale": locale}))
    if key is not None:
        if len(store) >= _LIMIT:
            store.clear()
        store[key] = html
    return html


# What a part may use of the template globals: links and translations (and Jinja's own helpers).
# Every other global reads the request, the session or the member (request, session, g, csrf_token,
# url_with, unread_notifications, ...): a part that used one would keep one reader's value for
# every reader, so in a part each of them fails loudly instead (jinja2.StrictUndefined).
_ALLOWED_GLOBALS = frozenset({"url_for", "_", "gettext", "ngettext", "pgettext", "npgettext",
                              "range", "dict", "lipsum", "cycler", "joiner", "namespace"})


def _unavailable(app: Flask) -> dict:
    return {name: StrictUndefined(name=name, hint=f"a part of the frame may not use {name!r} "
                                  "(forum.web.frame: it is kept for every reader)")
            for name in app.jinja_env.globals if name not in _ALLOWED_GLOBALS}
