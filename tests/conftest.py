"""Test wiring: one application per database backend, schema built by the migrations, rows wiped
after each test.

Backends: SQLite always; PostgreSQL when FORUM_TEST_POSTGRES_URL is set (e.g.
postgresql://postgres@127.0.0.1:5432/forum_test, a database the tests may wipe). Under CI=true
a missing PostgreSQL URL is an error, not a skip.
"""
from __future__ import annotations

import contextvars
import os
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from forum import settings as config
from forum import create_app
from forum.extensions import db
from forum.notifications import jobs

pytest_plugins = [f"tests.fixtures.{feature}" for feature in (
    "auth", "questions", "votes", "moderation", "verification", "tickets", "notifications", "webhooks",
    "incidents")]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
if IN_CI and not os.environ.get("FORUM_TEST_POSTGRES_URL"):
    raise pytest.UsageError("CI=true but FORUM_TEST_POSTGRES_URL is not set: the PostgreSQL run must not be skipped")


def _per_worker(worker: str) -> None:
    """Under pytest-xdist each worker (gw0, gw1, ...) gets stores of its own, so that tests running at
    the same time never share rows, queues or counters: the PostgreSQL database `<name>_gw<n>` (made
    when missing; .ci/run drops every `<name>_*`) and Redis database number `<given> - n`, passing
    over the one the fault test flushes. Written back to the environment, so that subprocesses and
    the tests that read it see the same."""
    n = int(worker.removeprefix("gw") or 0)
    base = os.environ.get("FORUM_TEST_POSTGRES_URL")
    if base:
        url = urlsplit(base)
        os.environ["FORUM_TEST_POSTGRES_URL"] = url._replace(path=f"{url.path.rstrip('/')}_{worker}").geturl()
    redis = urlsplit(os.environ.get("FORUM_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15")
    fault = os.environ.get("FORUM_TEST_FAULT_REDIS_URL")
    taken = {int(urlsplit(fault).path.strip("/") or 0)} if fault else set()
    numbers = [d for d in range(int(redis.path.strip("/") or 15), -1, -1) if d not in taken]
    os.environ["FORUM_TEST_REDIS_URL"] = redis._replace(path=f"/{numbers[n % len(numbers)]}").geturl()


if os.environ.get("PYTEST_XDIST_WORKER"):
    _per_worker(os.environ["PYTEST_XDIST_WORKER"])
POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_collection_modifyitems(config, items):
    """A test marked postgresql_only runs with the PostgreSQL application only: its SQLite variant is
    deselected (a skip would read as something missing)."""
    keep, drop = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("app")
        (drop if item.get_closest_marker("postgresql_only") and backend != "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config):
    """Say which databases this run covers, at the top of the report."""
    if POSTGRES_URL:
        return "databases: SQLite and PostgreSQL (FORUM_TEST_POSTGRES_URL)"
    return ("databases: SQLite only. The PostgreSQL half of the suite does not run: set FORUM_TEST_POSTGRES_URL="
            "postgresql://postgres@127.0.0.1:5432/<a database the tests may wipe> (README, Test it)")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """And again at the bottom, where a reader looks: a run without PostgreSQL is half a run."""
    if not POSTGRES_URL:
        terminalreporter.write_sep("=", "PostgreSQL was not tested: FORUM_TEST_POSTGRES_URL is unset", yellow=True)


def side_database_url(suffix: str) -> str:
    """A PostgreSQL database of its own beside the test database (`<name>_<suffix>`, created when
    missing), for an application that must not disturb the session's; .ci/run drops it afterwards."""
    from sqlalchemy.engine import make_url

    url = make_url(config.normalise_database_url(POSTGRES_URL))
    name = f"{url.database}_{suffix}"
    # Through the server's own database: the worker's (`<name>_gw<n>`) may not be made yet, when a
    # module of side applications is the first the worker runs on PostgreSQL.
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    from sqlalchemy.engine import make_url

    target = make_url(config.normalise_database_url(url))
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:  # a worker's own database (`<name>_gw<n>`) the first time
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()
    engine = sa.create_engine(target)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _limits_of_its_own(app) -> None:
    """Flask-Limiter is one object per process, switched on or off by the last init_app: after a
    module's rate-limited application, the session's application went on counting requests, and the
    tests that ran after it on the same worker got 429s. Each application here sets the switch to
    its own setting first thing in each request, before the limiter's check."""
    from forum.extensions import limiter

    def own_setting():
        limiter.enabled = app.config["RATELIMIT_ENABLED"]

    app.before_request_funcs.setdefault(None, []).insert(0, own_setting)


def make_app(backend: str, tmp_path_factory, **overrides):
    base = tmp_path_factory.mktemp(f"forum-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{base / 'test.sqlite3'}"
    else:
        url = POSTGRES_URL
        _reset_postgres(url)
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, FORUM_SEARCH_INDEX=str(base / "index"),
                    FORUM_INSTANCE_PATH=str(base), **overrides)
    app = create_app(settings)
    _limits_of_its_own(app)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def make_side_app(backend: str, suffix: str, tmp_path_factory, **overrides):
    """An application of its own beside the session's: SQLite in a new folder, or PostgreSQL in the
    database `<name>_<suffix>` (side_database_url), so its rows never meet the session's."""
    global POSTGRES_URL
    if backend != "postgresql":
        return make_app("sqlite", tmp_path_factory, **overrides)
    saved = POSTGRES_URL
    POSTGRES_URL = side_database_url(suffix)
    try:
        return make_app("postgresql", tmp_path_factory, **overrides)
    finally:
        POSTGRES_URL = saved


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    app = make_app(request.param, tmp_path_factory)
    app.config["TEST_BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


KEEP_TABLES = {"canned_replies"}


def wipe(app) -> None:
    with app.app_context():
        db.session.remove()
        # Reference data that the migrations seed stays (canned replies).
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(sa.text(f"DELETE FROM {name}"))
        # The Whoosh index lives beside the database: empty it too (ids start again at 1).
        from forum.search import services as search_services

        search_services.clear()
        db.session.remove()
        from forum.search import vocabulary

        vocabulary.reset(app)  # its copy of the staff's search vocabulary, wiped too


def pytest_configure(config):
    config.addinivalue_line("markers", "search_index: the test searches, so the search index is kept up to date "
                                       "(FORUM_SEARCH_INDEXER=inline); other tests leave the outbox unapplied")


@pytest.fixture(autouse=True)
def _search_index(request):
    """Index inline only for tests marked `search_index`: indexing every post made a question with
    an answer cost ~125 ms instead of ~30 ms. Autouse, so it switches before the test's fixtures
    write anything."""
    if request.node.get_closest_marker("search_index") is None or "app" not in request.fixturenames:
        yield  # a test without the application (pure parsing, say) has no index to keep
        return
    app = request.getfixturevalue("app")
    before = app.config["FORUM_SEARCH_INDEXER"]
    app.config["FORUM_SEARCH_INDEXER"] = "inline"
    try:
        yield
    finally:
        app.config["FORUM_SEARCH_INDEXER"] = before


@pytest.fixture
def ctx(app):
    """An application context on a clean database."""
    with app.app_context():
        yield app
        db.session.rollback()  # release the write lock (SQLite) before waiting for jobs
        jobs.drain()
    wipe(app)


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, with its own application context, `g` and database
    session, as in production; the test's own application context stays untouched."""

    def open(self, *args, **kwargs):
        # End the test's own transaction first: on SQLite it may hold the write lock.
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        jobs.drain()  # background jobs the request started (e-mail) have run
        db.session.expire_all()  # the test's session sees what the request wrote
        return response


@pytest.fixture
def client(ctx):
    ctx.test_client_class = IsolatedClient
    return ctx.test_client()


@pytest.fixture
def runner(ctx):
    return ctx.test_cli_runner()


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        db.session.commit()
        jobs.drain()  # count this thread's statements, not those of jobs still running
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(ctx):
    def make():
        return QueryCounter(db.engine)

    return make


@pytest.fixture(scope="session")
def live_server_base(app):
    """The application served over HTTP by a threaded WSGI server on a free local port."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def live_server(ctx, live_server_base):
    return live_server_base
