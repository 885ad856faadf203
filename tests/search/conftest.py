"""Search tests run on every backend: Whoosh over SQLite, Whoosh over PostgreSQL, and the
PostgreSQL search backend (a database of its own, so it never disturbs the other PostgreSQL app)."""
from __future__ import annotations

import pytest

from forum.extensions import db
from tests.conftest import BACKENDS, POSTGRES_URL, make_app, side_database_url

SEARCH_BACKENDS = BACKENDS + (["postgresql-search"] if POSTGRES_URL else [])


@pytest.fixture(scope="session", params=SEARCH_BACKENDS)
def app(request, tmp_path_factory, monkeypatch_session):
    if request.param == "postgresql-search":
        monkeypatch_session.setattr("tests.conftest.POSTGRES_URL", side_database_url("search"))
        app = make_app("postgresql", tmp_path_factory, FORUM_SEARCH_BACKEND="postgresql")
        monkeypatch_session.undo()
    else:
        app = make_app(request.param, tmp_path_factory)
    app.config["TEST_BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def monkeypatch_session():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
