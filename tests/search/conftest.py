"""Search tests run on every backend: Whoosh over SQLite, Whoosh over PostgreSQL, and the
PostgreSQL search backend (a database of its own, so it never disturbs the other PostgreSQL app)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from forum import settings as config
from forum.extensions import db
from tests.conftest import BACKENDS, POSTGRES_URL, make_app

SEARCH_BACKENDS = BACKENDS + (["postgresql-search"] if POSTGRES_URL else [])


def _search_database_url() -> str:
    url = make_url(config.normalise_database_url(POSTGRES_URL))
    name = f"{url.database}_search"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=SEARCH_BACKENDS)
def app(request, tmp_path_factory, monkeypatch_session):
    if request.param == "postgresql-search":
        monkeypatch_session.setattr("tests.conftest.POSTGRES_URL", _search_database_url())
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
