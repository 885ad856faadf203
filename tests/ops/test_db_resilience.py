"""Database trouble answers 503 with Retry-After, never 500 and never a hang (issue 18, item 4), and
the forum starts while the database is down (issue 18, "Also").

Each test builds a second application on the test database (tests/ops/_db_support.side_app) with
the FORUM_DB_* settings it needs: a tiny pool, short lock or statement timeouts, a closed port.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.core.db import database_unavailable, engine_options
from forum.extensions import db
from tests.ops._db_support import ROOT, TcpProxy, side_app
from tests.serving import free_port

HOLD_SECONDS = 15  # a lock held this long: far beyond the timeouts the tests set (1 s)


def _assert_unavailable(response, *, page: bool = False) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:2000]
    assert int(response.headers["Retry-After"]) > 0
    if page:
        assert "text/html" in response.content_type
        assert "briefly unavailable" in response.get_data(as_text=True)
    else:
        assert response.get_json()["error"]["code"] == "unavailable"
        assert response.get_json()["error"]["message"]


# --- settings --------------------------------------------------------------------------------------

def test_engine_settings_come_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(FORUM_DB_POOL_SIZE="7", FORUM_DB_MAX_OVERFLOW="3", FORUM_DB_POOL_TIMEOUT="2.5",
               FORUM_DB_CONNECT_TIMEOUT="4", FORUM_DB_STATEMENT_TIMEOUT_MS="1500", FORUM_DB_LOCK_TIMEOUT_MS="700")
    script = ("from forum.settings import Config as C; print(C.FORUM_DB_POOL_SIZE, C.FORUM_DB_MAX_OVERFLOW, "
              "C.FORUM_DB_POOL_TIMEOUT, C.FORUM_DB_CONNECT_TIMEOUT, C.FORUM_DB_STATEMENT_TIMEOUT_MS, "
              "C.FORUM_DB_LOCK_TIMEOUT_MS)")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["7", "3", "2.5", "4", "1500", "700"]


def test_engine_options_and_explicit_options_win():
    config = {"FORUM_DB_POOL_SIZE": 7, "FORUM_DB_MAX_OVERFLOW": 3, "FORUM_DB_POOL_TIMEOUT": 2.5,
              "FORUM_DB_CONNECT_TIMEOUT": 4, "FORUM_DB_STATEMENT_TIMEOUT_MS": 1500, "FORUM_DB_LOCK_TIMEOUT_MS": 0}
    options = engine_options("postgresql+psycopg://u@h/db", config)
    assert options == {"pool_pre_ping": True, "pool_size": 7, "max_overflow": 3, "pool_timeout": 2.5,
                       "connect_args": {"connect_timeout": 4, "options": "-c statement_timeout=1500"}}
    explicit = {**config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "echo": False,
                                                        "connect_args": {"application_name": "forum"}}}
    options = engine_options("postgresql+psycopg://u@h/db?options=-c%20search_path%3Dforum", explicit)
    assert options["pool_size"] == 20 and options["echo"] is False and options["max_overflow"] == 3
    assert options["connect_args"] == {"connect_timeout": 4, "application_name": "forum",
                                       "options": "-c search_path=forum -c statement_timeout=1500"}
    # In-memory SQLite has one static connection: no pool to size.
    assert engine_options("sqlite://", config) == {"pool_pre_ping": True}
    assert engine_options("sqlite:////tmp/x.db", config)["pool_size"] == 7


def test_the_engine_uses_them(app, tmp_path):
    side = side_app(app, tmp_path, FORUM_DB_POOL_SIZE=2, FORUM_DB_MAX_OVERFLOW=1, FORUM_DB_POOL_TIMEOUT=3,
                    FORUM_DB_STATEMENT_TIMEOUT_MS=4000, FORUM_DB_LOCK_TIMEOUT_MS=1500)
    with side.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout, pool._pre_ping) == (2, 1, 3, True)
        if db.engine.dialect.name == "postgresql":
            assert db.session.scalar(sa.text("SHOW statement_timeout")) == "4s"
            assert db.session.scalar(sa.text("SHOW lock_timeout")) == "1500ms"
        else:
            assert db.session.scalar(sa.text("PRAGMA busy_timeout")) == 1500
        db.session.remove()
        db.engine.dispose()


def test_only_trouble_counts_as_unavailable():
    locked = sa.exc.OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))
    missing = sa.exc.OperationalError("SELECT x", {}, sqlite3.OperationalError("no such table: x"))
    assert database_unavailable(locked) and not database_unavailable(missing)
    assert database_unavailable(sa.exc.TimeoutError("QueuePool limit reached"))
    assert not database_unavailable(sa.exc.IntegrityError("INSERT", {}, Exception("duplicate")))


# --- 503, never 500 --------------------------------------------------------------------------------

def test_an_exhausted_pool_answers_503_quickly(app, ctx, tmp_path):
    side = side_app(app, tmp_path, FORUM_DB_POOL_SIZE=1, FORUM_DB_MAX_OVERFLOW=0, FORUM_DB_POOL_TIMEOUT=1)
    client = side.test_client()
    with side.app_context():
        engine = db.engine
    held = engine.connect()  # the pool's only connection
    try:
        started = time.monotonic()
        _assert_unavailable(client.get("/api/v1/questions"))
        _assert_unavailable(client.get("/", headers={"Accept-Language": "en"}), page=True)
        assert time.monotonic() - started < HOLD_SECONDS  # the pool timeout, not a hang
    finally:
        held.close()
    assert client.get("/api/v1/questions").status_code == 200  # and it recovers
    engine.dispose()


class _LockHolder:
    """Another connection holds the write lock on a question's row (PostgreSQL) or the database's
    write lock (SQLite) for HOLD_SECONDS, or until released."""

    def __init__(self, app, question_id: int):
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.question_id = question_id
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        if self.url.startswith("sqlite"):
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            self.locked.set()
            self.release.wait(HOLD_SECONDS)
            connection.execute("ROLLBACK")
            connection.close()
            return
        engine = sa.create_engine(self.url)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT id FROM questions WHERE id = :id FOR UPDATE"), {"id": self.question_id})
            self.locked.set()
            self.release.wait(HOLD_SECONDS)
            connection.rollback()
        engine.dispose()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(30)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)


def _answer_while_locked(app, tmp_path, question_id: int, token: str, **settings):
    side = side_app(app, tmp_path, **settings)
    client = side.test_client()
    with _LockHolder(app, question_id):
        started = time.monotonic()
        response = client.post(f"/api/v1/questions/{question_id}/answers", headers={"Authorization": f"Bearer {token}"},
                               json={"body": "先在“我的订单”里确认订单状态，再联系客服处理退款。"})
        waited = time.monotonic() - started
    return side, client, response, waited


def test_a_held_lock_answers_503_after_the_lock_timeout(app, ctx, create_question, create_user, tmp_path):
    from forum.auth.services import issue_token

    question_id, token = create_question().id, issue_token(create_user())
    db.session.commit()  # the token is a given: committed before the other connections look for it
    side, client, response, waited = _answer_while_locked(app, tmp_path, question_id, token,
                                                          FORUM_DB_LOCK_TIMEOUT_MS=1000)
    _assert_unavailable(response)
    assert waited < HOLD_SECONDS  # it gave up at the lock timeout instead of waiting for the holder
    # The lock is gone: the same request now succeeds on the same application.
    response = client.post(f"/api/v1/questions/{question_id}/answers", headers={"Authorization": f"Bearer {token}"},
                           json={"body": "先在“我的订单”里确认订单状态，再联系客服处理退款。"})
    assert response.status_code == 201, response.get_json()
    with side.app_context():
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_a_statement_timeout_answers_503(app, ctx, create_question, create_user, tmp_path):
    from forum.auth.services import issue_token

    question_id, token = create_question().id, issue_token(create_user())
    db.session.commit()  # the token is a given: committed before the other connections look for it
    side, _client, response, waited = _answer_while_locked(
        app, tmp_path, question_id, token, FORUM_DB_LOCK_TIMEOUT_MS=0, FORUM_DB_STATEMENT_TIMEOUT_MS=1000)
    _assert_unavailable(response)  # query_canceled (57014)
    assert waited < HOLD_SECONDS
    with side.app_context():
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_the_first_request_after_a_database_restart_succeeds(app, ctx, tmp_path):
    side = side_app(app, tmp_path, FORUM_DB_POOL_SIZE=1, FORUM_DB_MAX_OVERFLOW=0)
    client = side.test_client()
    assert client.get("/api/v1/questions").status_code == 200
    with side.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))  # the pool's only connection
        db.session.remove()
    # As a restart: the server process of that connection is gone when the next request comes
    # (pg_terminate_backend only signals it; it waits up to the timeout given, in milliseconds).
    assert db.session.scalar(sa.text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}) is True
    db.session.commit()
    assert client.get("/api/v1/questions").status_code == 200
    assert client.get("/").status_code == 200
    with side.app_context():
        assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != pid
        db.session.remove()
        db.engine.dispose()


# --- start-up with the database down ---------------------------------------------------------------

def test_the_forum_starts_while_the_database_is_down_and_works_once_it_is_back(app, ctx, tmp_path):
    """create_app does not raise; requests answer 503 + Retry-After; no restart is needed after."""
    if app.config["TEST_BACKEND"] == "postgresql":
        target = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432), free_port())
        url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

        def bring_back():
            proxy.start()
    else:
        proxy = None
        path = tmp_path / "not-yet" / "forum.sqlite3"  # a folder that is not there: cannot open
        url = f"sqlite:///{path}"

        def bring_back():
            path.parent.mkdir()
            source = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
            copy = sqlite3.connect(path)
            source.backup(copy)
            copy.close()
            source.close()

    db.session.commit()
    down = create_app({**_test_settings(tmp_path), "SQLALCHEMY_DATABASE_URI": url, "FORUM_DB_CONNECT_TIMEOUT": 2})
    try:
        client = down.test_client()
        _assert_unavailable(client.get("/api/v1/questions"))
        _assert_unavailable(client.get("/", headers={"Accept-Language": "en"}), page=True)
        bring_back()
        assert client.get("/api/v1/questions").status_code == 200
        assert client.get("/").status_code == 200
    finally:
        if proxy is not None:
            proxy.stop()
        with down.app_context():
            db.engine.dispose()


def _test_settings(tmp_path) -> dict:
    from forum import settings as config

    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(FORUM_SEARCH_INDEX=str(tmp_path / "down-index"), FORUM_INSTANCE_PATH=str(tmp_path))
    return settings



def test_error_pages_for_a_signed_in_member_answer_503_while_the_database_is_down(app, ctx, tmp_path, create_user,
                                                                                    login):
    """A 404, 405 or CSRF failure needs no database, but its handler does for a signed-in member
    (their language for the message, the page's header): 503 with Retry-After, never the handler's
    own 500."""
    session_cookie = login(create_user(locale="en")).get_cookie("session")
    missing = tmp_path / "gone" / "forum.sqlite3"
    down = create_app({**_test_settings(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
                       "PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": True})
    client = down.test_client()
    client.set_cookie("session", session_cookie.value)
    _assert_unavailable(client.get("/no-such-page", headers={"Accept-Language": "en"}), page=True)
    _assert_unavailable(client.put("/", headers={"Accept-Language": "en"}), page=True)  # 405
    _assert_unavailable(client.post("/logout", headers={"Accept-Language": "en"}), page=True)  # no CSRF token
    _assert_unavailable(client.get("/api/v1/no-such-thing"))
    _assert_unavailable(client.get("/no-such-page", headers={"Accept": "application/json"}))


def test_a_path_cannot_forge_a_log_line_while_the_database_is_down(app, ctx, tmp_path, caplog):
    """The warning names the path a client sent; quoted, a %0A in it stays inside the one line."""
    missing = tmp_path / "gone" / "forum.sqlite3"
    down = create_app({**_test_settings(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    caplog.set_level("WARNING", logger="forum.web.errors")
    _assert_unavailable(down.test_client().get("/users/x%0AWARNING forged%0A", headers={"Accept-Language": "en"}),
                        page=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "forum.web.errors"]
    assert lines and all("\n" not in line for line in lines), lines
    assert any("\\nWARNING forged" in line for line in lines), lines
