"""Background jobs: RQ on Redis when FORUM_REDIS_URL is set, else (and while Redis is unreachable) a
worker thread in this process.

Jobs are plain functions taking ids; each runs in an application context, inside a unit of work
(forum.core.db.unit_of_work: committed when it returns). Callers enqueue after
their transaction commits (forum.core.db.on_commit), so a job never sees uncommitted rows.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

from forum.core import redis_client
from forum.core.db import unit_of_work

log = logging.getLogger(__name__)
_executors: dict[int, ThreadPoolExecutor] = {}
_lock = threading.Lock()
_pending: list[Future] = []


def _executor(app: Flask) -> ThreadPoolExecutor:
    with _lock:
        key = id(app)
        if key not in _executors:
            _executors[key] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forum-jobs")
        return _executors[key]


def _run_in_app(app: Flask, func, args):
    with app.app_context():
        try:
            with unit_of_work():
                func(*args)
        except Exception:  # a job must never take the worker down
            log.exception("job %s%r failed", func.__name__, args)


def enqueue(func, *args) -> None:
    """Run func(*args) in the background: on an RQ queue when Redis is configured and reachable,
    else on this process's job thread."""
    app = current_app._get_current_object()
    if app.config.get("FORUM_JOBS_INLINE"):
        # Tests: run now, in a fresh application context (and so a fresh database session).
        _run_in_app(app, func, args)
        return
    redis_url = app.config.get("FORUM_REDIS_URL")
    if redis_url and redis_client.available(redis_url):
        from rq import Queue

        try:
            Queue("forum", connection=redis_client.client(app)).enqueue(
                "forum.notifications.jobs.rq_job", f"{func.__module__}.{func.__name__}", *args)
            return
        except redis_client.errors() as error:
            # Redis is down or hangs: run the job here instead (what it sends is in the database
            # outbox, so a failure is retried there). One warning a minute, no traceback.
            redis_client.mark_down(redis_url, error, f"queueing {func.__name__}")
    future = _executor(app).submit(_run_in_app, app, func, args)
    with _lock:
        _pending.append(future)


_timers: dict[int, threading.Timer] = {}


def enqueue_in(seconds: float, func, *args) -> None:
    """Run func(*args) in the background in about `seconds`: RQ's scheduled jobs when Redis is
    configured and reachable (the `jobs worker` runs RQ's scheduler), else a timer in this process
    that enqueues it then. In-process, one timer per function is kept, the earliest: a later call
    that asks for a later time changes nothing (the job it would run runs then anyway). What the
    job does must be safe to run early or twice; a cron command is the safety net for a process
    that stops. With FORUM_JOBS_INLINE (tests) nothing is scheduled: the tests move the clock."""
    app = current_app._get_current_object()
    if app.config.get("FORUM_JOBS_INLINE"):
        return
    seconds = max(0.0, float(seconds))
    redis_url = app.config.get("FORUM_REDIS_URL")
    if redis_url and redis_client.available(redis_url):
        from datetime import timedelta

        from rq import Queue

        try:
            Queue("forum", connection=redis_client.client(app)).enqueue_in(
                timedelta(seconds=seconds), "forum.notifications.jobs.rq_job", f"{func.__module__}.{func.__name__}",
                *args)
            return
        except redis_client.errors() as error:
            redis_client.mark_down(redis_url, error, f"scheduling {func.__name__}")
    import time

    key = hash((id(app), func.__module__, func.__name__, args))
    due = time.monotonic() + seconds
    with _lock:
        current = _timers.get(key)
        if current is not None and current.is_alive() and getattr(current, "due", float("inf")) <= due:
            return
        if current is not None:
            current.cancel()

        def fire():
            with _lock:
                if _timers.get(key) is timer:
                    del _timers[key]
            with app.app_context():
                enqueue(func, *args)

        timer = threading.Timer(seconds, fire)
        timer.daemon = True
        timer.due = due
        _timers[key] = timer
        timer.start()


def cancel_timers() -> None:
    """Forget the in-process timers (tests, between applications)."""
    with _lock:
        timers = list(_timers.values())
        _timers.clear()
    for timer in timers:
        timer.cancel()


def drain(timeout: float = 30) -> None:
    """Wait for the in-process jobs enqueued so far (tests, and the `deliver` command)."""
    with _lock:
        futures = list(_pending)
        _pending.clear()
    for future in futures:
        future.result(timeout=timeout)


def rq_job(func_path: str, *args) -> None:
    """Entry point for RQ workers started by `flask --app forum jobs worker` (app context pushed)."""
    import importlib

    module, name = func_path.rsplit(".", 1)
    with unit_of_work():
        getattr(importlib.import_module(module), name)(*args)


def failed_job_count() -> int:
    """Jobs in RQ's failed-job registry of the forum's queue (for /metrics; needs FORUM_REDIS_URL).
    Raises when Redis does not answer within FORUM_REDIS_TIMEOUT."""
    from rq import Queue
    from rq.registry import FailedJobRegistry

    connection = redis_client.client(current_app._get_current_object())
    return FailedJobRegistry(queue=Queue("forum", connection=connection)).get_job_count(cleanup=False)
