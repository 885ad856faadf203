"""Prometheus metrics for /metrics. The only module that imports prometheus_client.

Per request (in every web process): latency per endpoint and method, responses per endpoint, method
and status, 429s per endpoint, and the database pool's connections in use. Labels are the endpoint's
name, never the raw path, and methods outside the standard few count as "other": the number of series
stays bounded whatever clients send.

At scrape time, in the scraping process only, from the database (one readiness report): search outbox
depth and oldest age (the indexer's lag), heartbeat ages, mail backlog and failures, readiness; and,
with Redis, RQ's failed-job count.

Under gunicorn (several processes) set PROMETHEUS_MULTIPROC_DIR, in the environment before the forum
is imported, to an empty folder of its own per gunicorn instance: every process then writes its
values there and a scrape of any worker adds them up. Gunicorn's `child_exit` hook must call
`child_exit` below (a dead worker's pool gauge would otherwise linger), and the folder must be emptied
before gunicorn starts (`on_starting` below does it).
"""
from __future__ import annotations

import glob
import logging
import os
import threading
import time
import weakref

import sqlalchemy as sa
from flask import Flask, g, request
from prometheus_client import (REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, multiprocess, values)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

log = logging.getLogger(__name__)

# prometheus_client picks its value store when it is first imported: shared files when
# PROMETHEUS_MULTIPROC_DIR was set then, else this process's memory. Follow what it picked.
MULTIPROCESS = values.ValueClass is not values.MutexValue

# `*_created` series (a timestamp per label set) double the output and no dashboard here reads them.
disable_created_metrics()

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_OWN = CollectorRegistry()

REQUEST_SECONDS = Histogram("forum_http_request_duration_seconds", "Time to answer a request, per endpoint.",
                            ["endpoint", "method"], registry=_OWN)
RESPONSES = Counter("forum_http_responses", "Responses, per endpoint, method and status code.",
                    ["endpoint", "method", "status"], registry=_OWN)
RATE_LIMITED = Counter("forum_http_rate_limited", "Requests refused with 429 (a rate limit), per endpoint.",
                       ["endpoint"], registry=_OWN)
POOL_IN_USE = Gauge("forum_db_pool_connections_in_use", "Database connections checked out of the pool.",
                    multiprocess_mode="livesum", registry=_OWN)

_listening: weakref.WeakSet = weakref.WeakSet()
_listening_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Time and count every request. The hooks go first, so that a request another hook answers
    early (413, 400) is counted too."""
    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request_funcs.setdefault(None, []).insert(0, _finished)


_broken = False


def _failed(what: str) -> None:
    """Metrics never fail a request or a query: a broken store (a full or unwritable
    PROMETHEUS_MULTIPROC_DIR) is logged once and the request goes on."""
    global _broken
    if not _broken:
        log.exception("metrics: could not record %s; requests go on without it", what)
    _broken = True


def _started() -> None:
    g.forum_request_started = time.perf_counter()
    try:
        _watch_pool()
    except Exception:
        _failed("pool connections")


def _finished(response):
    try:
        endpoint = request.url_rule.endpoint if request.url_rule is not None else "none"
        method = request.method if request.method in _METHODS else "other"
        RESPONSES.labels(endpoint, method, str(response.status_code)).inc()
        if response.status_code == 429:
            RATE_LIMITED.labels(endpoint).inc()
        started = g.get("forum_request_started")
        if started is not None:
            REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
    except Exception:
        _failed("a request")
    return response


def _watch_pool() -> None:
    """Count connections in and out of the engine's pool, from the first request on (the indexer and
    the jobs worker, which serve no requests, write no metrics)."""
    from forum.extensions import db

    engine = db.engine
    if engine in _listening:
        return
    with _listening_lock:
        if engine in _listening:
            return
        _listening.add(engine)
        sa.event.listen(engine, "checkout", _checked_out)
        sa.event.listen(engine, "checkin", _checked_in)


def _checked_out(dbapi_connection, record, proxy) -> None:
    try:
        POOL_IN_USE.inc()
        record.info["forum_metrics_out"] = True
    except Exception:
        _failed("a pool checkout")


def _checked_in(dbapi_connection, record) -> None:
    # Only connections counted out (not those taken before the first request) are counted back.
    try:
        if record is not None and record.info.pop("forum_metrics_out", False):
            POOL_IN_USE.dec()
    except Exception:
        _failed("a pool checkin")


class _Scraped:
    """The values computed when scraped: one readiness report, plus RQ's failed jobs."""

    def collect(self):
        from forum.ops import services

        ready, report = services.readiness()
        yield _gauge("forum_ready", "1 when /readyz answers 200.", 1 if ready else 0)
        database = report["database"]
        yield _gauge("forum_database_up", "1 when the database answers.", 0 if database.get("error") else 1)
        yield _gauge("forum_database_migrations_at_head", "1 when the database's revision is the code's.",
                     1 if database.get("migrations") == "at_head" else 0)
        search, mail = report["search"], report["mail"]
        if "outbox_depth" in search:
            yield _gauge("forum_search_outbox_depth", "Threads waiting for the search indexer.",
                         search["outbox_depth"])
            yield _gauge("forum_search_outbox_oldest_age_seconds",
                         "Age of the oldest change waiting for the indexer (the indexer's lag; 0 when none).",
                         search["oldest_age_seconds"] or 0)
        ages = GaugeMetricFamily("forum_worker_heartbeat_age_seconds",
                                 "Seconds since the newest heartbeat of a configured worker role.",
                                 labels=["role"])
        if search.get("heartbeat_age_seconds") is not None:
            ages.add_metric(["indexer"], search["heartbeat_age_seconds"])
        if mail.get("worker_heartbeat_age_seconds") is not None:
            ages.add_metric(["jobs"], mail["worker_heartbeat_age_seconds"])
        yield ages
        if "backlog" in mail:
            yield _gauge("forum_mail_backlog", "E-mails waiting to be sent (pending or being sent).",
                         mail["backlog"])
            yield _gauge("forum_mail_backlog_oldest_age_seconds",
                         "Age of the oldest e-mail waiting (0 when none).", mail["oldest_age_seconds"] or 0)
            yield _gauge("forum_mail_failed", "E-mails given up after the last retry.", mail["failed"])
        if "redis" in report:
            yield _gauge("forum_redis_up", "1 when Redis answers PING.", 1 if report["redis"]["ok"] else 0)
            failed_jobs = _failed_jobs()
            if failed_jobs is not None:
                yield _gauge("forum_jobs_failed", "Jobs in RQ's failed-job registry.", failed_jobs)


def _gauge(name: str, documentation: str, value) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _failed_jobs() -> int | None:
    from forum.notifications import jobs

    try:
        return jobs.failed_job_count()
    except Exception as error:  # Redis down or slow: the other metrics still answer
        log.warning("could not count failed jobs: %s", error)
        return None


class _Combined:
    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def exposition(accept: str | None = None) -> tuple[bytes, str]:
    """The metrics and their content type: Prometheus's text format, or OpenMetrics when the scraper's
    `accept` header asks for it. With several processes, the request metrics of all of them (from
    PROMETHEUS_MULTIPROC_DIR); else this process's, with its process and Python metrics."""
    encode, content_type = choose_encoder(accept or "")
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        source = _Combined(registry, _Scraped())
    else:
        source = _Combined(REGISTRY, _OWN, _Scraped())
    return encode(source), content_type


def child_exit(server, worker) -> None:
    """Gunicorn's `child_exit` hook: forget a dead worker's live gauges (deploy/gunicorn.conf.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def on_starting(server) -> None:
    """Gunicorn's `on_starting` hook: empty PROMETHEUS_MULTIPROC_DIR of a previous run's files
    (counters would otherwise carry over, with pids that may be reused)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for path in glob.glob(os.path.join(folder, "*.db")):
            os.remove(path)
