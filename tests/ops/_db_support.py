"""Helpers for the database resilience tests (tests/ops/test_db_*.py, test_fork_safety.py,
test_migration_lock.py): a PostgreSQL-only application context, Redis, and the environment for
forum processes started from a test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str:
    url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except RedisDown:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}")
    return url


def postgres_url() -> str:
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("FORUM_TEST_POSTGRES_URL is not set")
        pytest.skip("FORUM_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


def forum_env(tmp_path, database_url: str, **extra: str) -> dict:
    """The environment of a `flask --app forum ...` or gunicorn process that imports this checkout's
    code and uses `database_url`, with its own instance folder and search index."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORUM_")}
    env.update(PYTHONPATH=str(ROOT), FORUM_DATABASE_URL=database_url, FORUM_INSTANCE_PATH=str(tmp_path),
               FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_SECRET_KEY="test-secret-key",
               FORUM_RATE_LIMITS="off", PYTHONWARNINGS="ignore")
    env.update(extra)
    return env


def side_app(app, tmp_path, **overrides):
    """A second application on the test database (already migrated by the `app` fixture), with its
    own engine, search index and settings: for engine options that must differ from the shared app."""
    from forum import create_app
    from forum import settings as config

    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                    FORUM_SEARCH_INDEX=str(tmp_path / "side-index"), FORUM_INSTANCE_PATH=str(tmp_path))
    settings.update(overrides)
    return create_app(settings)


class TcpProxy:
    """A loopback TCP forwarder to PostgreSQL that can be stopped and started again on the same port:
    a database that is unreachable, then back, without touching the real server."""

    def __init__(self, target: tuple[str, int], port: int):
        self.target, self.port = target, port
        self.listener = None
        self.links: list = []

    def start(self) -> None:
        import socket
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        import socket
        import threading

        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.links += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def stop(self) -> None:
        import socket

        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        for link in self.links:
            try:
                link.shutdown(socket.SHUT_RDWR)
                link.close()
            except OSError:
                pass
        self.links = []
