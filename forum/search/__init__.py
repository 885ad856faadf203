"""Full-text search (Whoosh and jieba stay in this package), the indexer that keeps it current,
and similar questions."""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from forum.search import models  # noqa: F401  (its tables, for the metadata)
    from forum.search import subscribers
    from forum.search.cli import search_cli
    from forum.search.views import bp

    subscribers.connect()
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    _start(app)


def _start(app: Flask) -> None:
    """Rebuild a missing or unreadable index now; start the indexer thread with the first request.

    A database that is down at start-up does not stop the forum: it starts, answers 503 with
    Retry-After until the database is back, and the check runs again with a request (at most every
    few seconds), so nothing needs a restart."""
    import sqlalchemy as sa

    from forum.core.db import database_unavailable
    from forum.search import indexer, services

    pending = {"next_try": None}  # monotonic time of the next try while the check is owed
    checking = threading.Lock()

    def check() -> None:
        try:
            services.ensure_ready(app)
        except sa.exc.SQLAlchemyError as exc:
            if not database_unavailable(exc):
                raise
            if pending["next_try"] is None:
                log.warning("the database is unavailable (%s): starting anyway; requests answer 503 until "
                            "it is back", str(exc).splitlines()[0])
            pending["next_try"] = time.monotonic() + 5
        else:
            if pending["next_try"] is not None:
                log.warning("the database is back; the search index is checked")
            pending["next_try"] = None

    check()

    @app.before_request
    def _search_indexer_running():
        if pending["next_try"] is not None and time.monotonic() >= pending["next_try"]:
            if checking.acquire(blocking=False):
                try:
                    check()
                finally:
                    checking.release()
        indexer.ensure_worker(app)
