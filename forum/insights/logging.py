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
page served from the page cache (forum.web.page_cache) before the view runs. Only the first page of
results counts as a search (the next pages are the same search). A failure to log is logged and
never reaches the visitor.

The hook does not write: it adds the event to this process's buffer (`SearchLog`), and the buffer
is written as one multi-row INSERT, in a transaction of its own, at most
FORUM_SEARCH_LOG_SECONDS after its first event (a thread of the process wakes for it), at once
when it holds FLUSH_ROWS events, and when the process exits. A search served from the page cache
thereby costs no database round trip and no SQLite write lock (issue 15: one INSERT per search
halved the rate of a popular cached search). The insights read the log in the same process after
writing its buffer; another worker's searches show within FORUM_SEARCH_LOG_SECONDS. With 0 (the
tests), each search is written in its request. While the database is down the events wait, up to
MAX_PENDING of them (the oldest are dropped past it).
"""
from __future__ import annotations

import atexit
import gzip
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
import unicodedata
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from flask.wrappers import Response

from forum.core.db import database_unavailable, utcnow
from forum.extensions import db
from forum.insights.models import EventKind, SearchEvent
from forum.web.decorators import view_mark

log = logging.getLogger(__name__)

PAGE_ENDPOINT = "search.search"
API_ENDPOINT = "api.search_search"
MAX_QUERY = 200
#: The results page says how many results it found in this attribute (templates/search/results.html),
#: so that a page served from the cache can be counted without running the search.
TOTAL_MARK = re.compile(rb'data-search-total="(\d+)"')
_API_TOTAL = re.compile(rb'"total"\s*:\s*(\d+)')
_SPACES = re.compile(r"\s+")
FLUSH_ROWS = 200  # a fuller buffer is written at once, in the request that filled it
MAX_PENDING = 20_000  # events kept while the database is down; past it the oldest are dropped


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
    if response.headers.get("Content-Encoding") == "gzip":  # a page served from the cache, as kept
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError):
            return None
    if api:
        try:
            return int(json.loads(body).get("total"))
        except (ValueError, TypeError, AttributeError):
            found = _API_TOTAL.search(body)
            return int(found.group(1)) if found else None
    found = TOTAL_MARK.search(body)
    return int(found.group(1)) if found else None


class SearchLog:
    """The search events of one application in one process that are not written yet."""

    def __init__(self, app: Flask):
        self.app = app
        self.pid = os.getpid()
        self.lock = threading.Lock()  # the rows; the writer takes them under it, writes outside it
        self.writing = threading.Lock()  # one write at a time, so that events keep their order
        self.rows: list[dict] = []
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.failed_at = -1e9  # time.monotonic() of the last write that failed
        self.reported = False  # the thread logged why it could not write, since its last success
        self.stopped = threading.Event()

    @property
    def seconds(self) -> float:
        return float(self.app.config.get("FORUM_SEARCH_LOG_SECONDS", 1.0))

    def add(self, row: dict) -> None:
        with self.lock:
            self.rows.append(row)
            count = len(self.rows)
        if self.seconds <= 0:
            self.write()
        elif count >= FLUSH_ROWS and time.monotonic() - self.failed_at > self.seconds:
            # In the request that filled it, unless a write is under way or failed lately (the
            # database down: the thread tries again; requests do not queue behind its timeouts).
            self.write(blocking=False)
        elif count == 1:
            self._start()
            self.wake.set()

    def write(self, blocking: bool = True) -> int:
        """Write what is buffered now, in a transaction of its own (never the request's: this runs
        after it, or on the thread). On failure the rows go back to the front of the buffer.
        Returns the rows written (0 also when not `blocking` and another write is under way)."""
        if not self.writing.acquire(blocking=blocking):
            return 0
        try:
            with self.lock:
                rows, self.rows = self.rows, []
            if not rows:
                return 0
            try:
                with db.engine.begin() as connection:
                    connection.execute(sa.insert(SearchEvent.__table__), rows)
            except Exception:
                self.failed_at = time.monotonic()
                with self.lock:
                    self.rows[:0] = rows
                    dropped = len(self.rows) - MAX_PENDING
                    if dropped > 0:
                        del self.rows[:dropped]
                        log.warning("search log: %d events dropped while the database was unavailable", dropped)
                raise
            return len(rows)
        finally:
            self.writing.release()

    def _start(self) -> None:
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._run, name="forum-search-log", daemon=True)
                    self.thread.start()

    def _run(self) -> None:
        while not self.stopped.is_set():
            self.wake.wait()
            if self.stopped.wait(self.seconds):
                return
            self.wake.clear()
            try:
                with self.app.app_context():
                    self.write()
                self.reported = False
            except Exception as error:  # the events stay buffered; try again a period later
                if not database_unavailable(error) and not self.reported:
                    # Once until a write succeeds again, not every period: the reason stays the same.
                    log.warning("could not write the search log; trying again every %.1f s", self.seconds,
                                exc_info=True)
                    self.reported = True
                self.wake.set()

    def stop(self) -> None:
        """The thread ends (what is buffered stays buffered): an application that is dropped
        (tests) leaves no thread writing into a database that is gone."""
        self.stopped.set()
        self.wake.set()

    def close(self) -> None:
        """At exit: write what is left (best effort: the database may be gone). Not in a forked
        child: what it inherited is its parent's to write."""
        if self.pid != os.getpid():
            return
        try:
            with self.app.app_context():
                self.write()
        except Exception:
            log.warning("search log: %d events not written at exit", len(self.rows), exc_info=True)


_logs: dict[int, SearchLog] = {}
_logs_lock = threading.Lock()


def search_log(app: Flask | None = None) -> SearchLog:
    """This process's buffer for `app` (a forked child starts with an empty one of its own: the
    parent writes what it buffered)."""
    app = app or current_app._get_current_object()
    buffer = _logs.get(id(app))
    if buffer is None or buffer.pid != os.getpid():
        with _logs_lock:
            buffer = _logs.get(id(app))
            if buffer is None or buffer.pid != os.getpid():
                buffer = _logs[id(app)] = SearchLog(app)
                atexit.register(buffer.close)
    return buffer


def write_pending() -> None:
    """This process's buffered searches are written now (every search of a one-process forum,
    `flask start`; another worker's reach the table within FORUM_SEARCH_LOG_SECONDS)."""
    buffer = _logs.get(id(current_app._get_current_object()))
    if buffer is None or buffer.pid != os.getpid():
        return
    try:
        buffer.write()
    except Exception:  # the insights are shown without the last second of searches
        log.warning("could not write the search log", exc_info=True)


_READS = "forum_reads_search_log"


def reads_search_log(view):
    """Mark a view that shows the search log (the insights): this process's buffered searches are
    written before it runs, before its transaction reads anything. They are committed on a
    connection of their own, and a transaction that had read already would not see them on SQLite
    (its snapshot began before)."""
    setattr(view, _READS, True)
    return view


def _write_before_reading() -> None:
    if view_mark(_READS, False):
        write_pending()


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
        at = utcnow()
        search_log().add({"kind": EventKind.SEARCH.value, "query": query,
                          "result_count": _result_count(response, endpoint == API_ENDPOINT),
                          "source": "api" if endpoint == API_ENDPOINT else "page",
                          "session_hash": session_hash(visitor_of_request(), at), "created_at": at})
    except Exception:  # logging must never cost the visitor their results (the events stay buffered)
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
    app.before_request(_write_before_reading)
    signals.question_asked.connect(_on_question_asked)
    signals.ticket_created.connect(_on_ticket_created)
