"""Search backends behind one small interface (`base.Backend`): Whoosh on local disk (the
embedded default) and PostgreSQL (several web servers, one database). Chosen by FORUM_SEARCH_BACKEND."""
from __future__ import annotations

from flask import current_app

from forum.search.backends.base import Backend


def get_backend() -> Backend:
    app = current_app._get_current_object()
    backend = app.extensions.get("forum-search")
    if backend is None:
        if app.config.get("FORUM_SEARCH_BACKEND", "whoosh") == "postgresql":
            from forum.search.backends.postgres_backend import PostgresBackend

            backend = PostgresBackend()
        else:
            from forum.search.backends.whoosh_backend import WhooshBackend

            backend = WhooshBackend(app.config["FORUM_SEARCH_INDEX"])
        app.extensions["forum-search"] = backend
    return backend
