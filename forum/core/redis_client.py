"""Redis connections: the one place that builds them, each with a short timeout (FORUM_REDIS_TIMEOUT).

Redis is optional and never load-bearing for a request: when it is down or hangs, rate limits fall
back to this process's counters (Flask-Limiter's in-memory fallback, configured in create_app) and
jobs run on this process's job thread (forum.notifications.jobs). A request pays the timeout once,
then Redis is left alone for DOWN_SECONDS; the log says so in one WARNING line a minute, not a
traceback per request. `redis_status(app)` reports the state for /readyz.

The redis package is an optional extra: it is imported only when FORUM_REDIS_URL is set.
"""
from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from flask import Flask

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 0.5
# After a failure, callers skip Redis for this long (then the next one tries again).
DOWN_SECONDS = 10.0
# At most one warning per Redis address in this interval; the next one says how many were skipped.
WARN_INTERVAL = 60.0

_now = time.monotonic  # a module attribute, so that tests can move the clock
_lock = threading.Lock()
_clients: dict[tuple[str, float], object] = {}
_down_until: dict[str, float] = {}
_warned: dict[str, tuple[float, int]] = {}


def timeout(config) -> float:
    """Seconds a connect or a command may take (FORUM_REDIS_TIMEOUT, default 0.5)."""
    value = config.get("FORUM_REDIS_TIMEOUT")
    return float(value) if value not in (None, "") else DEFAULT_TIMEOUT


def client_options(config) -> dict:
    """Keyword arguments for redis.Redis: short connect and read timeouts and no retries, so that a
    dead Redis costs one timeout, not redis-py's default ten retries with backoff."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    seconds = timeout(config)
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds, "retry": Retry(NoBackoff(), 0)}


def errors() -> tuple[type[BaseException], ...]:
    """What a call to an unreachable or hung Redis raises."""
    from redis.exceptions import RedisError

    return RedisError, OSError


def client(app: Flask):
    """This process's client for FORUM_REDIS_URL (one connection pool per address; redis-py's pool
    notices a fork and opens new connections in the child)."""
    from redis import Redis

    url = app.config["FORUM_REDIS_URL"]
    key = (url, timeout(app.config))
    with _lock:
        if key not in _clients:
            _clients[key] = Redis.from_url(url, **client_options(app.config))
        return _clients[key]


def worker_client(app: Flask):
    """A client for the long-lived RQ worker: the short connect timeout, redis-py's retries (the
    worker may wait for Redis to come back), and a read timeout that RQ raises above its blocking
    dequeue."""
    from redis import Redis

    seconds = timeout(app.config)
    return Redis.from_url(app.config["FORUM_REDIS_URL"], socket_connect_timeout=seconds,
                          socket_timeout=seconds)


def available(url: str) -> bool:
    """False while Redis at `url` is marked down after a recent failure."""
    return _now() >= _down_until.get(url, 0.0)


def mark_down(url: str, error: BaseException, doing: str) -> None:
    """Remember that Redis failed (callers skip it for DOWN_SECONDS) and warn, at most once a minute."""
    now = _now()
    with _lock:
        _down_until[url] = now + DOWN_SECONDS
        last, skipped = _warned.get(url, (float("-inf"), 0))
        if now - last < WARN_INTERVAL:
            _warned[url] = (last, skipped + 1)
            return
        _warned[url] = (now, 0)
    more = f" ({skipped} more failures since the last warning)" if skipped else ""
    log.warning("Redis at %s is unreachable (%s: %s) while %s; working without it for %d s%s",
                safe_url(url), type(error).__name__, error, doing, DOWN_SECONDS, more)


def mark_up(url: str) -> None:
    with _lock:
        _down_until.pop(url, None)


def safe_url(url: str) -> str:
    """The address without its password, for logs and /readyz."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def redis_status(app: Flask) -> dict:
    """Redis's state for /readyz: {"configured", "ok", "latency_ms", "error", "url"}. One PING with the
    short timeout; without FORUM_REDIS_URL: configured false, ok true (Redis is optional)."""
    url = app.config.get("FORUM_REDIS_URL")
    if not url:
        return {"configured": False, "ok": True, "latency_ms": None, "error": None, "url": None}
    started = _now()
    try:
        client(app).ping()
    except errors() as error:
        latency = (_now() - started) * 1000
        mark_down(url, error, "checking readiness")
        return {"configured": True, "ok": False, "latency_ms": round(latency, 1),
                "error": f"{type(error).__name__}: {error}", "url": safe_url(url)}
    latency = (_now() - started) * 1000
    mark_up(url)
    return {"configured": True, "ok": True, "latency_ms": round(latency, 1), "error": None,
            "url": safe_url(url)}
