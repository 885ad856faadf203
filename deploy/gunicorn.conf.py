"""gunicorn configuration for one forum web node (`gunicorn -c gunicorn.conf.py`).

Installed as /etc/forum/gunicorn.conf.py and started by deploy/systemd/forum-web@.service, one instance
per port; the runbook (deploy/README.md) explains every choice. Everything here can be changed from the
environment (the EnvironmentFile, deploy/forum.env.example) without editing this file:

  GUNICORN_BIND             address to listen on (default: GUNICORN_HOST:GUNICORN_PORT, 127.0.0.1:8000)
  GUNICORN_WORKERS          processes (default: WEB_CONCURRENCY, else the number of CPUs, at least 2)
  GUNICORN_THREADS          threads per process (default 4; keep FORUM_DB_POOL_SIZE at least this)
  GUNICORN_TIMEOUT          seconds a silent worker lives before the master kills it (default 30)
  GUNICORN_GRACEFUL_TIMEOUT seconds a stopping worker may spend finishing its requests (default 30)
  GUNICORN_KEEPALIVE        seconds an idle keep-alive connection stays open (default 75, above nginx's 60)
  GUNICORN_PRELOAD          "1": import the application once in the master before forking (default off)
  GUNICORN_RUN_DIR          folder for this instance's control socket, pid file and metrics
                            (default: $RUNTIME_DIRECTORY, which systemd's RuntimeDirectory= sets)
  GUNICORN_CONTROL_SOCKET, GUNICORN_PIDFILE   override the paths inside GUNICORN_RUN_DIR
  GUNICORN_APP              the WSGI application (default: forum with ProductionConfig)
  PROMETHEUS_MULTIPROC_DIR  prometheus_client's folder shared by the workers (default: GUNICORN_RUN_DIR/metrics);
                            emptied when the master starts
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


# --- what to serve, where --------------------------------------------------------------------------
# ProductionConfig: Secure cookies (the forum is behind HTTPS at nginx, X-Forwarded-Proto says so).
wsgi_app = _env("GUNICORN_APP", "forum:create_app('forum.settings.ProductionConfig')")
bind = [_env("GUNICORN_BIND", f"{_env('GUNICORN_HOST', '127.0.0.1')}:{_env('GUNICORN_PORT', '8000')}")]

# --- processes and threads -------------------------------------------------------------------------
# gthread: each process serves GUNICORN_THREADS requests at once, so a slow request (a search, an
# SMTP-free page waiting on a row lock) does not block the process, and the master's heartbeat keeps
# coming from the main loop while requests run. Requests are short and mostly wait on the database.
worker_class = "gthread"
workers = int(_env("GUNICORN_WORKERS", _env("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1)))))
threads = int(_env("GUNICORN_THREADS", "4"))

# A worker whose main loop is silent this long is killed and replaced (a stuck process, not a slow
# request: with gthread the loop keeps beating while threads work). The database's statement and lock
# timeouts (FORUM_DB_STATEMENT_TIMEOUT_MS, FORUM_DB_LOCK_TIMEOUT_MS) end slow queries well before this.
timeout = int(_env("GUNICORN_TIMEOUT", "30"))
# SIGTERM (systemctl stop, a rolling restart): workers stop accepting, finish the requests in flight,
# then exit; after graceful_timeout the master kills what is left. The unit's TimeoutStopSec is longer.
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps upstream connections open for 60 s (keepalive_timeout in the upstream block); gunicorn
# must keep them longer, or nginx may send a request on a connection gunicorn has just closed.
keepalive = int(_env("GUNICORN_KEEPALIVE", "75"))
# Replace each worker after about this many requests (memory growth); the jitter spreads the restarts.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(_env("GUNICORN_MAX_REQUESTS_JITTER", "500"))

# Off by default: each worker imports the forum itself, so `systemctl reload` (SIGHUP) starts workers on
# the newly installed code and no connection or thread made at import can be shared by two processes.
# On: the master imports once (less memory, faster worker restarts) and post_fork below drops the
# database pool the master may hold; code changes then need a full restart, not a reload.
preload_app = _env("GUNICORN_PRELOAD", "0").lower() in ("1", "on", "true", "yes")

# --- per-instance files ------------------------------------------------------------------------------
# Several instances may run on one machine (forum-web@8000, forum-web@8001): each needs its own control
# socket (gunicorn's default, ~/.gunicorn/gunicorn.ctl, would be taken over by the last one started),
# its own pid file and its own metrics folder.
_instance = re.sub(r"[^A-Za-z0-9_.-]+", "_", bind[0])
run_dir = _env("GUNICORN_RUN_DIR", _env("RUNTIME_DIRECTORY", os.path.join(tempfile.gettempdir(), f"forum-web-{_instance}")))
os.makedirs(run_dir, mode=0o750, exist_ok=True)
control_socket = _env("GUNICORN_CONTROL_SOCKET", os.path.join(run_dir, "gunicorn.ctl"))
control_socket_mode = 0o600
pidfile = _env("GUNICORN_PIDFILE", os.path.join(run_dir, "gunicorn.pid"))
proc_name = f"forum-web-{_instance}"
# The workers' heartbeat files: in memory, so a busy disk cannot make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

# prometheus_client reads the variable when the forum imports it, in the master (preload) or in each
# worker: set it here, before either happens. Each instance has its own folder.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(run_dir, "metrics"))
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# --- logs ---------------------------------------------------------------------------------------------
# To stdout/stderr: journald (or the process supervisor) keeps them. The access line carries the
# request id the forum answers with (X-Request-ID), which its own log lines carry too.
accesslog = _env("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s ua="%(a)s"'


# --- hooks ----------------------------------------------------------------------------------------------
def on_starting(server):
    """Master start (not on reload): empty the metrics folder, whose files a previous run left behind."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.isdir(folder):
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)


def post_fork(server, worker):
    """In each new worker: drop the database connections inherited from the master.

    Only matters with preload_app (otherwise the master never imported the forum). The forum disposes
    its pools after every fork by itself (os.register_at_fork); this is belt and braces. close=False:
    the parent's connections are forgotten here, never closed, so the master's sockets stay intact.
    """
    app = getattr(server.app, "callable", None)
    if app is None or not hasattr(app, "app_context"):
        return
    try:
        from forum.extensions import db

        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
    except Exception:  # never stop a worker from booting over this
        server.log.exception("post_fork: could not dispose the database pool")


def child_exit(server, worker):
    """In the master, when a worker has exited: prometheus_client forgets the worker's live gauges.

    With preload_app the master holds the forum already and its own hook (forum.ops.metrics.child_exit)
    runs. Without it, the master must not import the forum (workers forked after a reload would inherit
    the old code from the master's module cache), so prometheus_client's documented call runs directly.
    """
    try:
        if "forum" in sys.modules:
            from forum.ops import metrics

            metrics.child_exit(server, worker)
        elif os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.pid)
    except ImportError:  # a forum without the metrics module, or prometheus_client not installed
        return
    except Exception:
        server.log.exception("child_exit: metrics clean-up failed")
