"""Logging searches without the member (issue 22).

What is kept of a search: the normalised query, the number of results, where it came from (the
/search page or the API), the time, and `session_hash`. The hash is an HMAC-SHA256 of the visitor
(their address and browser, as the request shows them: the same before and after signing in) under
a key for the day, itself derived from the application's secret key, truncated to 32 hex digits.
The same visitor has the same hash all day, so a search can be tied to the question or escalation
they make minutes later; the next day the key changes and yesterday's hashes cannot be linked to
today's, nor turned back into an address: the secret and the day are both needed, and the address
itself is never stored. No member id, username or token is part of it.

Searches are logged in an after_request hook, which Flask runs for every response, including a
page served from the page cache (forum.web.page_cache) before the view runs: one INSERT, committed
on its own after the request's own transaction, reading nothing. Only the first page of results
counts as a search (the next pages are the same search). A failure to log is logged and never
reaches the visitor.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import unicodedata
from datetime import date, datetime

from flask import Flask, current_app, g, has_request_context, request
from flask.wrappers import Response

from forum.core.db import unit_of_work, utcnow
from forum.extensions import db
from forum.insights.models import EventKind, SearchEvent

log = logging.getLogger(__name__)

PAGE_ENDPOINT = "search.search"
API_ENDPOINT = "api.search_search"
MAX_QUERY = 200
#: The results page says how many results it found in this attribute (templates/search/results.html),
#: so that a page served from the cache can be counted without running the search.
TOTAL_MARK = re.compile(rb'data-search-total="(\d+)"')
_API_TOTAL = re.compile(rb'"total"\s*:\s*(\d+)')
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The query as it is counted: Unicode NFKC (full-width letters and digits become ASCII), lower
    case, one space between words, at most 200 characters."""
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub(" ", text).strip().lower()[:MAX_QUERY]


def day_key(secret: str | bytes, day: date) -> bytes:
    """The key of one day, derived from the secret key; it is never stored."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"forum-search-log:{day.isoformat()}".encode(), hashlib.sha256).digest()


def session_hash(visitor: str, at: datetime, secret: str | bytes | None = None) -> str:
    """HMAC of the visitor under the key of `at`'s UTC day: 32 hex digits."""
    secret = secret if secret is not None else current_app.config["SECRET_KEY"]
    return hmac.new(day_key(secret, at.date()), visitor.encode("utf-8", "surrogateescape"),
                    hashlib.sha256).hexdigest()[:32]


def visitor_of_request() -> str:
    """What tells one visitor from another without naming them: the address (the proxy-corrected
    one, see FORUM_TRUSTED_PROXIES) and the browser's User-Agent."""
    return f"{request.remote_addr or ''}\n{request.headers.get('User-Agent', '')}"


def _query_of_request() -> str:
    """The query as the search page composes it: the words, then the filters given as parameters."""
    args = request.args
    parts = [args.get("q", "", type=str)]
    if args.get("tag"):
        parts.append(f"tag:{args.get('tag')}")
    if args.get("category"):
        parts.append(f"category:{args.get('category')}")
    parts += [f"is:{flag}" for flag in args.getlist("is")]
    return normalise_query(" ".join(parts))


def _first_page() -> bool:
    return request.args.get("page", "1").strip() in ("", "1")


def _result_count(response: Response, api: bool) -> int | None:
    if response.status_code != 200 or response.is_streamed:
        return None
    body = response.get_data()
    if api:
        try:
            return int(json.loads(body).get("total"))
        except (ValueError, TypeError, AttributeError):
            found = _API_TOTAL.search(body)
            return int(found.group(1)) if found else None
    found = TOTAL_MARK.search(body)
    return int(found.group(1)) if found else None


def record(kind: str, *, query: str = "", result_count: int | None = None, source: str = "page",
           at: datetime | None = None, visitor: str | None = None) -> None:
    """Add one event to the current session (the caller's transaction commits it)."""
    at = at or utcnow()
    db.session.add(SearchEvent(kind=kind, query=query, result_count=result_count, source=source,
                               session_hash=session_hash(visitor if visitor is not None else visitor_of_request(), at),
                               created_at=at))


def _log_search(response: Response) -> Response:
    endpoint = request.endpoint
    if endpoint not in (PAGE_ENDPOINT, API_ENDPOINT) or request.method != "GET":
        return response
    if response.status_code not in (200, 304) or not _first_page():
        return response
    query = _query_of_request()
    if not query:
        return response  # the empty search page is not a search
    try:
        with unit_of_work():
            record(EventKind.SEARCH.value, query=query,
                   result_count=_result_count(response, endpoint == API_ENDPOINT),
                   source="api" if endpoint == API_ENDPOINT else "page")
    except Exception:  # logging must never cost the visitor their results (the unit rolled back)
        log.warning("could not log a search", exc_info=True)
    return response


def _on_question_asked(question, actor=None, **_kwargs) -> None:
    """A question asked by its author in a request: the step that may follow a search."""
    if has_request_context() and actor is not None and actor.id == question.author_id and not g.get("_no_log"):
        record(EventKind.QUESTION.value, source="api" if request.blueprint == "api" else "page")


def _on_ticket_created(ticket, actor=None, **_kwargs) -> None:
    if has_request_context() and actor is not None:
        record(EventKind.ESCALATION.value, source="api" if request.blueprint == "api" else "page")


def init_app(app: Flask) -> None:
    from forum.core import signals

    app.after_request(_log_search)
    signals.question_asked.connect(_on_question_asked)
    signals.ticket_created.connect(_on_ticket_created)
