"""Helpers for the database resilience tests (tests/ops/test_db_*.py, test_fork_safety.py,
test_migration_lock.py): a PostgreSQL-only application context, Redis, and the environment for
forum processes started from a test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def needs_postgres(app) -> None:
    """These failures exist on PostgreSQL only; the SQLite run of the parametrised fixture skips."""
    if app.config["TEST_BACKEND"] != "postgresql":
        pytest.skip("PostgreSQL only")


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
