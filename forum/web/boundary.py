"""The request's unit of work: every view and API handler runs inside one transaction, committed
once after the view has built its response, and only if that response is a success or a redirect.

- a view that returns 2xx or 3xx: its writes are committed; `before_commit` callbacks (the
  Idempotency-Key's stored answer) join the same transaction, so what a request did and the answer
  it gave commit together or not at all;
- a view that answers 4xx or 5xx (a form shown again with its errors), or raises: everything it
  wrote is rolled back. What must stand even then (a failed sign-in's place in the attempt budget)
  was made durable by the service itself with `forum.core.db.checkpoint()`;
- an IntegrityError anywhere in the view or at the commit becomes a 409 Conflict;
- the on-commit hooks (indexing, e-mail, jobs) run after the commit, before the response leaves;
- a visitor who is not signed in may get the page from the page cache instead of the view
  (forum.web.page_cache): before the unit of work, so a hit opens no transaction; a page the view
  rendered is kept after the commit, under the cache generation read before the view; the same
  generation keys the parts of members' pages that are the same for everyone (forum.web.fragments).

This is the model of Indico's request handler: one unit of work per request, side effects after
the commit. Services never commit (tests/core/test_unit_of_work.py).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

from forum.core.db import unit_of_work
from forum.web import fragments, page_cache
from forum.web.decorators import view_mark

_CALLBACKS = "forum_before_commit"
_WRITES = "forum_writes_on_get"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def writes_on_get(view):
    """Mark a GET view that writes all the same (the data export, which the moderation log records),
    below the route decorator: its transaction is a writing one (read_only_request)."""
    setattr(view, _WRITES, True)
    return view


def read_only_request() -> bool:
    """Whether this request's transaction only reads: safe methods, unless the view was marked
    `writes_on_get`. On SQLite a read-only transaction begins DEFERRED and never waits; one that
    may write begins IMMEDIATE (forum.core.db.configure_sqlite), for a DEFERRED one that read first
    and then writes fails at once if another connection wrote in between."""
    if not has_request_context() or request.method not in SAFE_METHODS:
        return False
    return not view_mark(_WRITES, False)


def before_commit(callback: Callable[[Response], None]) -> None:
    """Run `callback(response)` inside this request's transaction, after the view returned a 2xx
    or 3xx response and right before the commit."""
    g.setdefault(_CALLBACKS, []).append(callback)


class ForumFlask(Flask):
    """Flask with the request boundary above: dispatch_request is the one place a request commits."""

    def dispatch_request(self):  # type: ignore[override]
        ticket = page_cache.lookup()
        if isinstance(ticket, Response):
            return ticket
        fragments.begin(ticket.generation if ticket is not None else None)
        with unit_of_work() as session:
            response = self.make_response(super().dispatch_request())
            if response.status_code < 400:
                for callback in g.pop(_CALLBACKS, []):
                    callback(response)
            else:
                session.rollback()  # the unit of work then commits nothing
        return page_cache.finish(ticket, response) if ticket is not None else response
