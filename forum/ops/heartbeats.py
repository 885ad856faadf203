"""Heartbeats: the external search indexer and the jobs worker say every few seconds that they are
alive, so that /readyz can tell when one is missing (a dead indexer must not be a silent, stale search).

A beat is one upsert in a transaction of its own, on a connection of its own: never inside a caller's
session or a job's transaction (a job's rollback cannot undo it; it cannot commit a job's half-done
work), and a failed beat is logged and forgotten, never raised (the worker outlives a database blip).

This module imports only forum.core and forum.extensions: the indexer and the worker call it.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Flask

from forum.core.db import utcnow
from forum.extensions import db
from forum.ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)

INDEXER = "indexer"
JOBS = "jobs"
ROLES = (INDEXER, JOBS)
INTERVAL_SECONDS = 5.0
# Rows of processes that stopped beating this long ago are deleted (each restart adds a host:pid).
KEEP = timedelta(days=1)

_failing: set[str] = set()


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(role: str, info: dict | None = None, *, started_at: datetime | None = None) -> bool:
    """Record that this process (`host:pid`) in `role` is alive now. Returns False, with one warning
    per run of failures, when the database refused; never raises."""
    now = utcnow()
    table = WorkerHeartbeat.__table__
    text = json.dumps(info or {}, default=str)[:1000]
    try:
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            statement = insert(table).values(role=role, instance=instance_name(),
                                             started_at=started_at or now, beat_at=now, info=text)
            conn.execute(statement.on_conflict_do_update(index_elements=["role", "instance"],
                                                         set_={"beat_at": now, "info": text}))
            conn.execute(sa.delete(table).where(table.c.beat_at < now - KEEP))
    except Exception as error:  # the database is down or busy: the next beat tries again
        if role not in _failing:
            log.warning("%s heartbeat could not be written: %s", role, error)
        _failing.add(role)
        return False
    if role in _failing:
        log.info("%s heartbeat written again", role)
        _failing.discard(role)
    return True


class Pacer:
    """For a loop that already wakes often (the indexer): beat at most every `interval` seconds."""

    def __init__(self, role: str, interval: float = INTERVAL_SECONDS):
        self.role, self.interval = role, interval
        self.started_at = utcnow()
        self._next = 0.0

    def __call__(self, info: dict | None = None) -> None:
        if time.monotonic() >= self._next:
            beat(self.role, info, started_at=self.started_at)
            self._next = time.monotonic() + self.interval


@contextmanager
def beating(app: Flask, role: str, info: Callable[[], dict] | None = None,
            interval: float = INTERVAL_SECONDS) -> Iterator[threading.Thread]:
    """Beat from a daemon thread while the block runs (the RQ worker blocks on Redis for minutes
    between jobs, so its own loop cannot beat often enough). RQ runs each job in a forked child,
    which does not inherit this thread."""
    stop = threading.Event()
    started_at = utcnow()

    def run() -> None:
        with app.app_context():
            while True:
                try:
                    details = info() if info else None
                except Exception:  # a report that fails to build must not stop the beat
                    details = None
                beat(role, details, started_at=started_at)
                if stop.wait(interval):
                    return

    thread = threading.Thread(target=run, name=f"forum-{role}-heartbeat", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(interval + 5)


def newest_beats() -> dict[str, datetime]:
    """The newest beat per role (roles that never beat are absent). Raises if the database does."""
    rows = db.session.execute(sa.select(WorkerHeartbeat.role, sa.func.max(WorkerHeartbeat.beat_at))
                              .group_by(WorkerHeartbeat.role)).all()
    return {role: _aware(at) for role, at in rows if at is not None}


def _aware(value) -> datetime:
    # max() keeps the column's type (UTCDateTime), so this is a guard against a driver's plain value.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
