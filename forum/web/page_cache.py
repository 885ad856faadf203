"""Serving pages and API reads to visitors who are not signed in from the page cache
(forum.core.page_cache), with ETag and Last-Modified, and 304 Not Modified when the browser (or
client) already has the answer.

Which requests use it (`lookup`): GET or HEAD of a page or an API read (not /static/, not a view
marked `never_cache`) from a visitor who is not signed in: no member in the session, no remember-me
cookie, no Authorization header, and nothing else in the session that a page would show (a flash
message waiting, a sign-in half done); only the CSRF token and Flask-Login's bookkeeping may be
there. Members' pages, and API calls with a token, are never cached nor served from the cache. An
API read served from here still passes the rate limits (they run before the view, in
before_request) and carries its caller's own X-RateLimit headers.

Which responses are kept (`finish`): 200 text/html (JSON for the API) that set no cookie, left the
session untouched, rendered no CSRF token (one is bound to its visitor's session: anonymous pages
carry none, see forum.web.csrf), made no write, and that the view did not mark `private()`. Flash
messages and held posts are thereby never kept: showing a flash pops it from the session, and held
posts are shown only to their author and moderators, who are signed in.

The key: scheme, host, path, query string, the visitor's language (cookie, else Accept-Language)
and whether JSON was asked for; the page itself says nothing else about its visitor.
"""
from __future__ import annotations

import hashlib
from typing import NamedTuple

from flask import Flask, current_app, g, has_request_context, request, session
from flask.wrappers import Response
from werkzeug.http import http_date

from forum.core import page_cache
from forum.extensions import db
from forum.web.i18n import visitor_locale

# Session keys of a visitor who is not signed in that no page shows.
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id", "_permanent"})
HEADER = "X-Page-Cache"  # "hit" or "miss": for operators and the benchmark
VARY = "Cookie, Accept-Language"  # what else, besides the address, the key holds
API_VARY = "Authorization, Accept-Language"  # the API reads no cookie; a token is never served from here
_PRIVATE = "forum_page_private"
_TYPE = {False: "text/html", True: "application/json"}  # what a page, and an API read, answers
_NEVER = "forum_never_cache"


class Ticket(NamedTuple):
    """A cacheable request that missed: where its page goes, under the generation read before the view."""

    store: object
    key: str
    generation: str


def never_cache(view):
    """Mark a view whose page must not be cached even for visitors (it depends on the clock, or its
    address holds a secret)."""
    setattr(view, _NEVER, True)
    return view


def private() -> None:
    """This response is for its visitor only: do not keep it."""
    g.setdefault(_PRIVATE, True)


def lookup() -> Response | Ticket | None:
    """Before the view: the cached page (or 304) for this request, a Ticket to keep the page the view
    will render, or None when the request is not for the cache."""
    store = page_cache.store_of(current_app)
    if store is None or not _cacheable_request():
        return None
    key = _key()
    generation, page = store.lookup(key)
    if generation is None:  # the store cannot serve now (Redis down): render
        return None
    if page is None:
        return Ticket(store, key, generation)
    gzipped = page.encoding == "gzip" and request.accept_encodings.quality("gzip") > 0
    if _not_modified(page):
        return _unchanged(page, "hit", gzipped)
    headers = [*_validators(page, gzipped), ("Vary", _vary()), (HEADER, "hit")]
    if gzipped:  # as kept (Flask-Compress leaves an encoded answer as it is)
        response = current_app.response_class(page.data, content_type=page.content_type, headers=headers)
        response.headers["Content-Encoding"] = "gzip"
        return response
    return current_app.response_class(page.body(), content_type=page.content_type, headers=headers)


def finish(ticket: Ticket, response: Response) -> Response:
    """After the view and its commit: keep the page if it is the same for every visitor."""
    if not _storable(response):
        return response
    page = page_cache.make_page(response.get_data(), response.content_type)
    ticket.store.save(ticket.generation, ticket.key, page)
    if _not_modified(page):
        return _unchanged(page, "miss")
    for name, value in _validators(page):
        response.headers[name] = value
    response.headers[HEADER] = "miss"
    response.vary.update(h.strip() for h in _vary().split(","))
    return response


# --- which requests and responses ----------------------------------------------------------------

def _cacheable_request() -> bool:
    if request.method not in ("GET", "HEAD") or request.routing_exception is not None:
        return False
    if request.endpoint in (None, "static"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, _NEVER, False):
        return False
    if "Authorization" in request.headers:
        return False
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return False
    return set(session.keys()) <= NEUTRAL_SESSION_KEYS


def _storable(response: Response) -> bool:
    from flask_login import current_user

    if response.status_code != 200 or response.mimetype != _TYPE[request.blueprint == "api"] or response.is_streamed:
        return False
    if "Set-Cookie" in response.headers or session.modified:
        return False
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g or g.get(_PRIVATE):
        return False  # a token bound to this visitor's session is in the page
    if response.cache_control.no_store or response.cache_control.private:
        return False
    if db.session().info.get(page_cache.WROTE):
        return False  # a read that writes must keep writing
    return not current_user.is_authenticated


def _key() -> str:
    json = "json" if "json" in request.headers.get("Accept", "") else ""  # (error pages answer JSON then)
    parts = (request.scheme, request.host, request.script_root, request.path, request.query_string.decode("latin-1"),
             visitor_locale(), json)
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


# --- HTTP validators -----------------------------------------------------------------------------

def _validators(page: page_cache.Page, gzipped: bool = False) -> list[tuple[str, str]]:
    """ETag (a digest of the body), Last-Modified, and revalidation on every use (`no-cache`:
    browsers keep the page and ask with If-None-Match, which a 304 answers). An API read's ETag is
    weak, as the API's own (forum.api.common.conditional, the same digest): the same JSON. The page
    sent as kept, gzip-compressed, is another representation: its tag ends in ":gzip", as
    Flask-Compress names those it compresses."""
    tag = f"{page.etag}:gzip" if gzipped else page.etag
    etag = f'W/"{tag}"' if request.blueprint == "api" else f'"{tag}"'
    return [("ETag", etag), ("Last-Modified", http_date(int(page.rendered_at))), ("Cache-Control", "no-cache")]


def _vary() -> str:
    return API_VARY if request.blueprint == "api" else VARY


def _unchanged(page: page_cache.Page, how: str, gzipped: bool = False) -> Response:
    headers = [*_validators(page, gzipped), ("Vary", _vary()), (HEADER, how)]
    response = current_app.response_class(status=304, headers=headers)
    del response.headers["Content-Type"]  # a 304 describes the page the browser has
    return response


def _not_modified(page: page_cache.Page) -> bool:
    """If-None-Match (weak comparison, RFC 9110; a suffix a compressing proxy adds, such as -gzip,
    is ignored), else If-Modified-Since."""
    tags = request.headers.get("If-None-Match")
    if tags is not None:
        return any(_same_tag(tag, page.etag) for tag in tags.split(","))
    since = request.if_modified_since
    return since is not None and int(page.rendered_at) <= since.timestamp()


def _same_tag(tag: str, etag: str) -> bool:
    value = tag.strip()
    if value == "*":
        return True
    value = value.removeprefix("W/").strip('"')
    return value == etag or (value.startswith(etag) and value[len(etag)] in "-:;+")


_REQUEST_GENERATION = "forum_page_generation"


def request_generation(app: Flask, known: str | None = None) -> str | None:
    """The generation as this request first read it (before its view read the database), read once
    per request: `known` when the caller read it already (the page cache's lookup). Outside a
    request: read now. None without a store, or when it cannot be read."""
    if has_request_context() and _REQUEST_GENERATION in g:
        return g.get(_REQUEST_GENERATION)
    store = page_cache.store_of(app)
    generation = known if known is not None else (store.generation() if store is not None else None)
    if has_request_context():
        g.setdefault(_REQUEST_GENERATION, generation)
    return generation
