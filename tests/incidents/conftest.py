"""Incident tests link threads through the search backend: they run on every backend, as the search
tests do: Whoosh over SQLite, Whoosh over PostgreSQL, and the PostgreSQL search backend (in a
database of its own)."""
from __future__ import annotations

import pytest

from forum.extensions import db
from tests.conftest import BACKENDS, POSTGRES_URL, make_app, side_database_url

SEARCH_BACKENDS = BACKENDS + (["postgresql-search"] if POSTGRES_URL else [])


@pytest.fixture(scope="session", params=SEARCH_BACKENDS)
def app(request, tmp_path_factory):
    if request.param == "postgresql-search":
        saved = pytest.MonkeyPatch()
        saved.setattr("tests.conftest.POSTGRES_URL", side_database_url("incidents"))
        try:
            app = make_app("postgresql", tmp_path_factory, FORUM_SEARCH_BACKEND="postgresql")
        finally:
            saved.undo()
    else:
        app = make_app(request.param, tmp_path_factory)
    app.config["TEST_BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
