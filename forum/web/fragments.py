"""Shared fragments: the parts of a member's page that are the same for every viewer (a list of
questions, its count, the popular tags), rendered once and reused, in each process, until the next
write that public pages show.

Members' pages are never served from the page cache (forum.web.page_cache): each carries its
member's name, notifications and form tokens. Most of such a page is nobody's in particular,
though, and rendering it is most of the page's cost (a list item about 0.6 ms, mostly translations,
links and dates). A template marks such a part:

    {% call shared("question-list") %} ... {% endcall %}

and the view hands it what only that part shows as `deferred(...)`, so that a part found in the
store runs neither its template nor its queries.

Kept under the page cache's generation (forum.core.page_cache), read once per request *before* the
view reads the database (forum.web.boundary), so a fragment holds at least every write whose
invalidation came before it, as a cached page does; and for at most FORUM_PAGE_CACHE_SECONDS
("3 minutes ago"). Keyed by its name, the application's root path, the request's path and query
(pagination and tab links are built from them; `same_on_every_page=True` drops them), the
language, the time zone (dates are shown in the reader's), and what the template adds.
In this process's memory only (an LRU bounded by a quarter of FORUM_PAGE_CACHE_MB): a fragment
costs less to render than to fetch from Redis and decode. Off with the page cache
(FORUM_PAGE_CACHE=off).

What goes inside a shared part must not depend on who is looking: no held post, and `current_user`
only through what the template adds to its key (tests/web/test_fragments.py renders each part for
several members and visitors). A form token may be inside: the store keeps a mark in its place.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from forum.core import page_cache
from forum.web.page_cache import request_generation

EXTENSION = "forum_fragments"
_GENERATION = "forum_fragment_generation"


class _Fragment:
    """What the store keeps: the HTML, and its `size` as the page cache's LRU measures it."""

    __slots__ = ("body", "size")

    def __init__(self, body: str):
        self.body = body
        self.size = len(body)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["shared"] = shared
    app.extensions.pop(EXTENSION, None)
    if app.config.get("FORUM_PAGE_CACHE"):
        max_bytes = int(float(app.config.get("FORUM_PAGE_CACHE_MB") or 16) * 1024 * 1024)
        app.extensions[EXTENSION] = page_cache.Memory(max_bytes // 4)


def begin(generation: str | None = None) -> None:
    """Before the view reads the database: the generation this request's fragments are kept under
    (the page cache's lookup already read it for a visitor; a member's request reads it here)."""
    if EXTENSION not in current_app.extensions or request.method not in ("GET", "HEAD"):
        return
    g.setdefault(_GENERATION, request_generation(current_app, generation))


def shared(name: str, *parts: Any, caller: Callable[[], str], same_on_every_page: bool = False,
           enabled: bool = True) -> Markup:
    """The part of the page inside `{% call shared(name, ...) %}`: from the store, else rendered
    and kept (`enabled=False`: rendered, not kept). The member's form token never goes into the
    store: it is kept as a mark and each reader's own is put in its place."""
    store = current_app.extensions.get(EXTENSION)
    generation = g.get(_GENERATION)
    if store is None or generation is None or not enabled:
        return Markup(caller())
    where = "" if same_on_every_page else request.full_path
    # Links in a part are under the application's root path (SCRIPT_NAME), which full_path omits.
    key = "\n".join((name, request.script_root, where, str(get_locale()), str(get_timezone()), *map(str, parts)))
    found = store.get(generation, key)
    if found is not None:
        return Markup(_with_token(found.body))
    html = str(caller())
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))  # Flask-WTF's, if made
    store.put(generation, key, _Fragment(html.replace(token, TOKEN_MARK) if token else html),
              time.time() + _seconds())
    return Markup(html)


# Where a stored fragment had its reader's form token (URL-safe base64 and dots, so this is never
# part of one). Whatever holds it is given only the reader's own token.
TOKEN_MARK = "\x1e~form-token~\x1e"


def _with_token(body: str) -> str:
    if TOKEN_MARK not in body:
        return body
    from flask_wtf.csrf import generate_csrf

    return body.replace(TOKEN_MARK, generate_csrf())


def _seconds() -> float:
    return float(current_app.config.get("FORUM_PAGE_CACHE_SECONDS") or 60)


class deferred:  # noqa: N801  (used like a function: deferred(lambda: ...))
    """A value computed the first time a template uses it (then kept for the rest of the render):
    what a view passes for shared fragments only, so that fragments found in the store cost no
    query."""

    __slots__ = ("_compute", "__dict__")

    def __init__(self, compute: Callable[[], Any]):
        self._compute = compute

    @cached_property
    def value(self) -> Any:
        return self._compute()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.value, name)

    def __getitem__(self, key: Any) -> Any:
        return self.value[key]

    def __iter__(self):
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)
