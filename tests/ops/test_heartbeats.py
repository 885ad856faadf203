"""Heartbeats: the external indexer and the jobs worker write one every few seconds, in a transaction
of their own, and a failed beat never stops them. The real commands are run as processes."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum import create_app, settings as config
from forum.core.db import utcnow
from forum.extensions import db
from forum.ops import heartbeats
from forum.ops.models import WorkerHeartbeat
from forum.search.models import SearchOutbox
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _rows():
    """Plain rows, not ORM objects: reading an expired object's attribute would begin a transaction,
    which on SQLite holds the write lock that the next beat needs."""
    db.session.rollback()
    t = WorkerHeartbeat
    rows = db.session.execute(sa.select(t.role, t.instance, t.started_at, t.beat_at, t.info).order_by(t.role)).all()
    db.session.rollback()  # on SQLite even a read holds the write lock until it ends
    return rows


def test_a_beat_is_one_row_per_process_updated_in_place(ctx, monkeypatch):
    assert heartbeats.beat(heartbeats.INDEXER, {"applied": 3})
    (first,) = _rows()
    assert first.instance == heartbeats.instance_name() and '"applied": 3' in first.info
    later = utcnow() + timedelta(seconds=5)  # a clock that moved on, instead of sleeping until it does
    monkeypatch.setattr(heartbeats, "utcnow", lambda: later)
    assert heartbeats.beat(heartbeats.INDEXER, {"applied": 5})
    (second,) = _rows()
    assert second.beat_at > first.beat_at and second.started_at == first.started_at and '"applied": 5' in second.info
    assert heartbeats.newest_beats() == {"indexer": second.beat_at}


def test_rows_of_processes_gone_for_a_day_are_pruned(ctx):
    old = utcnow() - timedelta(days=2)
    db.session.add(WorkerHeartbeat(role="jobs", instance="gone:1", started_at=old, beat_at=old))
    db.session.commit()
    heartbeats.beat(heartbeats.JOBS)
    assert [row.instance for row in _rows()] == [heartbeats.instance_name()]


def test_a_beat_is_its_own_transaction(ctx):
    """A job's rollback does not undo the beat, and the beat does not commit the job's work."""
    if db.engine.dialect.name == "sqlite":
        # SQLite has one writer at a time: a beat would wait for the job's transaction to end.
        db.session.add(SearchOutbox(question_id=7))  # pending, not flushed
    else:
        db.session.add(SearchOutbox(question_id=7))
        db.session.flush()  # the job's transaction holds a written row
    assert heartbeats.beat(heartbeats.JOBS)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 0
    assert [row.role for row in _rows()] == ["jobs"]


def test_a_failed_beat_is_logged_once_and_never_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("forum.search.services.ensure_ready", lambda app: None)
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI="postgresql://forum@127.0.0.1:1/nothing",  # nothing listens on 1
                    FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_INSTANCE_PATH=str(tmp_path))
    app = create_app(settings)
    monkeypatch.setattr(heartbeats, "_failing", set())
    caplog.set_level(logging.INFO, logger="forum.ops.heartbeats")
    with app.app_context():
        assert heartbeats.beat(heartbeats.INDEXER) is False
        assert heartbeats.beat(heartbeats.INDEXER) is False
        db.engine.dispose()
    warnings = [r for r in caplog.records if r.name == "forum.ops.heartbeats" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "indexer heartbeat could not be written" in warnings[0].getMessage()


def test_the_beating_thread_beats_until_the_block_ends(app, ctx):
    with heartbeats.beating(app, heartbeats.JOBS, lambda: {"state": "idle"}, interval=0.05) as thread:
        (first,) = wait_until(_rows, 30, what="a first beat")
        wait_until(lambda: _rows()[0].beat_at != first.beat_at, 30, what="a second beat")
    assert not thread.is_alive()
    (row,) = _rows()
    assert row.beat_at > first.beat_at and '"state": "idle"' in row.info


def _command_env(app, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(PYTHONPATH=str(ROOT), FORUM_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               FORUM_SEARCH_INDEX=app.config["FORUM_SEARCH_INDEX"], FORUM_INSTANCE_PATH=app.instance_path,
               FORUM_SECRET_KEY="test", FORUM_SEARCH_BACKEND=app.config.get("FORUM_SEARCH_BACKEND", "whoosh"),
               **extra)
    return env


def _wait_for_beat(role: str, process: subprocess.Popen, timeout: float = 60):
    """The role's heartbeat rows once the process has beaten; None if it exits or the time runs out
    first (the caller fails with the process's output)."""

    def beaten():
        if process.poll() is not None:
            return (None,)
        beats = heartbeats.newest_beats()
        db.session.rollback()
        return ([row for row in _rows() if row.role == role],) if role in beats else None

    found = wait_until(beaten, timeout, strict=False)
    return found[0] if found else None


def _start(command: list[str], env: dict) -> subprocess.Popen:
    # A session of its own, so that _stop can reach what the command forked (RQ's scheduler).
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _left_running(process: subprocess.Popen) -> bool:
    """Whether any process of the command's group is still there (the command itself, reaped, is not)."""
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _ended(process: subprocess.Popen, timeout: float) -> str:
    """The process's output once it has ended. A command that does not end in time, or ends but leaves
    a process of its group behind, fails the test; the group is killed so that nothing outlives the test
    holding the pipes."""
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _out, err = process.communicate(timeout=20)
        pytest.fail(f"the command did not end within {timeout} s:\n{err[-3000:]}")
    if not wait_until(lambda: not _left_running(process), 10, strict=False):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"the command ended but left a process of its group running:\n{err[-3000:]}")
    return err


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # RQ: a warm shutdown that unregisters the worker
    return _ended(process, 20)


def test_the_external_indexer_process_beats(app, ctx, client, monkeypatch):
    """`flask --app forum search indexer` writes its heartbeat, and /readyz turns ready with it."""
    db.session.commit()
    monkeypatch.setitem(app.config, "FORUM_SEARCH_INDEXER", "external")
    assert client.get("/readyz").status_code == 503
    process = _start([sys.executable, "-W", "ignore", "-m", "flask", "--app", "forum", "search", "indexer"],
                     _command_env(app, FORUM_SEARCH_INDEXER="external"))
    try:
        rows = _wait_for_beat(heartbeats.INDEXER, process)
    finally:
        err = _stop(process)
    assert rows, err[-3000:]
    assert rows[0].instance.endswith(f":{process.pid}") and '"applied"' in rows[0].info
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["search"]["heartbeat_age_seconds"] < 60


def test_the_jobs_worker_process_beats(app, ctx, client, monkeypatch):
    """`flask --app forum jobs worker` beats from a thread while RQ waits for jobs."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except RedisDown:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    db.session.commit()
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", REDIS_URL)
    assert client.get("/readyz").get_json()["problems"] == ["jobs_heartbeat_missing"]
    process = _start([sys.executable, "-W", "ignore", "-m", "flask", "--app", "forum", "jobs", "worker"],
                     _command_env(app, FORUM_REDIS_URL=REDIS_URL))
    try:
        rows = _wait_for_beat(heartbeats.JOBS, process)
    finally:
        err = _stop(process)
    assert rows, err[-3000:]
    assert rows[0].instance.endswith(f":{process.pid}") and '"state"' in rows[0].info
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["mail"]["worker_heartbeat_age_seconds"] < 60
