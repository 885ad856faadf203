"""/metrics: who may read it, what it holds, and the multi-process mode under gunicorn."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.redis_probe import redis_answers
from prometheus_client.parser import text_string_to_metric_families

from forum.extensions import db
from forum.ops import services
from forum.search.models import SearchOutbox
from tests.conftest import IsolatedClient, make_app, wipe
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FAMILIES = {
    "forum_http_request_duration_seconds", "forum_http_responses", "forum_http_rate_limited",
    "forum_db_pool_connections_in_use", "forum_ready", "forum_database_up", "forum_database_migrations_at_head",
    "forum_search_outbox_depth", "forum_search_outbox_oldest_age_seconds", "forum_worker_heartbeat_age_seconds",
    "forum_mail_backlog", "forum_mail_backlog_oldest_age_seconds", "forum_mail_failed",
}


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(families: dict, family: str, sample: str | None = None, **labels) -> float:
    for s in families[family].samples:
        if s.name == (sample or family) and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0.0


def _scrape(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    return _families(response.get_data(as_text=True))


def _status(client, addr: str = "127.0.0.1", **headers) -> int:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": addr}, headers=headers)
    if response.status_code != 200:
        assert "forum_" not in response.get_data(as_text=True) and "Set-Cookie" not in response.headers
    return response.status_code


def test_metrics_answer_loopback_or_the_token_and_hide_from_everyone_else(app, client, monkeypatch):
    # Default FORUM_METRICS_ALLOW: the loopback addresses.
    assert _status(client, "127.0.0.1") == 200
    assert _status(client, "::1") == 200
    assert _status(client, "::ffff:127.0.0.1") == 200
    assert _status(client, "203.0.113.9") == 404
    # Through a proxy the forum does not trust, the address is the proxy's own: it proves nothing.
    assert _status(client, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}) == 404
    assert _status(client, "127.0.0.1", **{"X-Real-IP": "203.0.113.9"}) == 404
    assert _status(client, "127.0.0.1", Forwarded="for=203.0.113.9") == 404
    # No token configured: no bearer opens it.
    assert _status(client, "203.0.113.9", Authorization="Bearer ") == 404

    monkeypatch.setitem(app.config, "FORUM_METRICS_TOKEN", "s3cret-token")
    assert _status(client, "203.0.113.9", Authorization="Bearer s3cret-token") == 200
    assert _status(client, "203.0.113.9", Authorization="bearer s3cret-token") == 200
    assert _status(client, "127.0.0.1", Authorization="Bearer s3cret-token", **{"X-Forwarded-For": "x"}) == 200
    assert _status(client, "203.0.113.9", Authorization="Bearer wrong") == 404
    assert _status(client, "203.0.113.9", Authorization="Basic s3cret-token") == 404

    allow = services.parse_networks("10.0.0.0/8, 2001:db8::1")
    monkeypatch.setitem(app.extensions["forum_ops"], "metrics_allow", allow)
    assert _status(client, "10.20.30.40") == 200
    assert _status(client, "2001:db8::1") == 200
    assert _status(client, "127.0.0.1") == 404
    monkeypatch.setitem(app.extensions["forum_ops"], "metrics_allow", services.parse_networks("none"))
    assert _status(client, "127.0.0.1") == 404
    assert _status(client, "127.0.0.1", Authorization="Bearer s3cret-token") == 200


def test_an_unusable_allow_list_stops_start_up():
    assert services.parse_networks(" 127.0.0.1 , ::1,,192.168.0.0/16") and services.parse_networks("") == ()
    with pytest.raises(RuntimeError, match="FORUM_METRICS_ALLOW"):
        services.parse_networks("127.0.0.1,localhost")


def test_the_text_parses_and_holds_every_family(ctx, client):
    db.session.add(SearchOutbox(question_id=5))
    db.session.commit()
    client.get("/healthz")
    families = _scrape(client)
    assert FAMILIES - set(families) == set()
    assert _value(families, "forum_search_outbox_depth") == 1
    assert _value(families, "forum_ready") == 1 and _value(families, "forum_database_up") == 1
    assert families["forum_http_request_duration_seconds"].type == "histogram"
    assert families["forum_db_pool_connections_in_use"].type == "gauge"
    assert "forum_redis_up" not in families and "forum_jobs_failed" not in families  # no Redis configured
    # OpenMetrics for a scraper that asks for it.
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert response.get_data(as_text=True).rstrip().endswith("# EOF")


def test_requests_are_counted_per_endpoint_never_per_path(client):
    before = _scrape(client)
    for path in ("/healthz", "/healthz", "/questions/123456", "/questions/999999/some-slug", "/no/such/page"):
        client.get(path)
    client.open("/healthz", method="BREW")  # 405, with a method no one should label by
    after = _scrape(client)

    def delta(**labels):
        return (_value(after, "forum_http_responses", "forum_http_responses_total", **labels)
                - _value(before, "forum_http_responses", "forum_http_responses_total", **labels))

    assert delta(endpoint="ops.healthz", method="GET", status="200") == 2
    assert delta(endpoint="pages.show_question", method="GET", status="404") == 2
    assert delta(endpoint="none", method="GET", status="404") == 1
    assert delta(endpoint="none", method="other", status="405") == 1  # no rule matched the method
    count = "forum_http_request_duration_seconds_count"
    assert (_value(after, "forum_http_request_duration_seconds", count, endpoint="ops.healthz", method="GET")
            - _value(before, "forum_http_request_duration_seconds", count, endpoint="ops.healthz", method="GET")) == 2
    endpoints = {s.labels.get("endpoint") for f in after.values() for s in f.samples} - {None}
    assert not [e for e in endpoints if "/" in e]
    assert "BREW" not in {s.labels.get("method") for f in after.values() for s in f.samples}


def test_a_broken_metrics_store_never_fails_a_request(client, monkeypatch, caplog):
    from forum.ops import metrics

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(metrics, "_broken", False)
    monkeypatch.setattr(metrics.RESPONSES, "labels", broken)
    monkeypatch.setattr(metrics.POOL_IN_USE, "inc", broken)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200  # checks a connection out of the pool
    assert [r.getMessage() for r in caplog.records if r.name == "forum.ops.metrics"] == [
        "metrics: could not record a request; requests go on without it"]


def test_the_pool_gauge_counts_connections_checked_out(ctx, client):
    client.get("/healthz")  # the first request starts the count
    db.session.commit()
    base = _value(_scrape(client), "forum_db_pool_connections_in_use")
    with db.engine.connect():
        held = _value(_scrape(client), "forum_db_pool_connections_in_use")
    after = _value(_scrape(client), "forum_db_pool_connections_in_use")
    assert held == base + 1 and after == base


def test_redis_and_failed_jobs_when_redis_is_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", "redis://127.0.0.1:1/0")
    families = _scrape(client)  # Redis down: the scrape still answers
    assert _value(families, "forum_redis_up") == 0 and "forum_jobs_failed" not in families
    if not redis_answers(REDIS_URL):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    from redis import Redis
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    connection = Redis.from_url(REDIS_URL)
    registry = FailedJobRegistry(queue=Queue("forum", connection=connection))
    job = Job.create("forum.notifications.jobs.rq_job", args=("nothing.here",), connection=connection,
                     id="ops-metrics-test-failed-job")
    job.save()
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", REDIS_URL)
    try:
        before = _value(_scrape(client), "forum_jobs_failed")
        registry.add(job, ttl=60)
        families = _scrape(client)
    finally:
        registry.remove(job, delete_job=True)
    assert _value(families, "forum_redis_up") == 1
    assert _value(families, "forum_jobs_failed") == before + 1


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_LOGIN_RATE_LIMIT="1 per minute",
                   FORUM_TRUSTED_PROXIES=1)
    app.test_client_class = IsolatedClient
    yield app
    wipe(app)


def test_429s_are_counted(limited):
    client = limited.test_client()
    with limited.app_context():
        before = _scrape(client)
        codes = [client.post("/login", data={"login": "nobody", "password": "wrong-password"},
                             environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code for _ in range(2)]
        after = _scrape(client)
    assert codes[1] == 429
    assert (_value(after, "forum_http_rate_limited", "forum_http_rate_limited_total", endpoint="auth.login")
            - _value(before, "forum_http_rate_limited", "forum_http_rate_limited_total", endpoint="auth.login")) == 1
    assert (_value(after, "forum_http_responses", "forum_http_responses_total", endpoint="auth.login",
                   status="429")
            - _value(before, "forum_http_responses", "forum_http_responses_total", endpoint="auth.login",
                     status="429")) == 1


def test_behind_a_trusted_proxy_the_list_applies_to_the_client(limited):
    client = limited.test_client()
    with limited.app_context():
        # nginx on the same machine: the connection comes from 127.0.0.1, the client is in the header.
        assert _status(client, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}) == 404
        assert _status(client, "127.0.0.1", **{"X-Forwarded-For": "127.0.0.1"}) == 200
        # A client cannot pass for local by writing the header itself: the proxy appends the real one.
        assert _status(client, "127.0.0.1", **{"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}) == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _pids(folder: Path, prefix: str) -> set[int]:
    return {int(p.stem.rsplit("_", 1)[1]) for p in folder.glob(f"{prefix}_*.db")}


def test_multiprocess_mode_under_gunicorn_adds_up_every_worker(tmp_path_factory, tmp_path):
    """Two gunicorn workers with PROMETHEUS_MULTIPROC_DIR: whichever worker is scraped reports the
    requests both served; a dead worker's pool gauge is dropped by the child_exit hook."""
    app = make_app("sqlite", tmp_path_factory)
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"stale")  # a previous run's file: on_starting removes it
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text("from forum.ops.metrics import child_exit, on_starting  # noqa: F401\n")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(PYTHONPATH=str(ROOT), PROMETHEUS_MULTIPROC_DIR=str(folder), FORUM_SECRET_KEY="test",
               FORUM_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], FORUM_INSTANCE_PATH=app.instance_path,
               FORUM_SEARCH_INDEX=app.config["FORUM_SEARCH_INDEX"], FORUM_SEARCH_INDEXER="external")
    server = subprocess.Popen([sys.executable, "-W", "ignore", "-m", "gunicorn", "-c", str(conf), "-w", "2",
                               "-b", f"127.0.0.1:{port}", "forum:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60

        def healthy() -> bool:
            try:
                # A generous timeout: a probe the client gave up on but a worker still answered would
                # be counted by the server and not by `sent` (seen once on a loaded machine: 182 != 181).
                return _get(base + "/healthz", timeout=30)[0] == 200
            except OSError:
                return False

        wait_until(healthy, 60, what=lambda: f"gunicorn answering /healthz (exit code {server.poll()})")
        assert not (folder / "counter_999999.db").exists()
        sent = 1
        lock = threading.Lock()

        def hit(n: int) -> None:
            nonlocal sent
            for _ in range(n):
                assert _get(base + "/healthz")[0] == 200
                with lock:
                    sent += 1

        # Parallel connections, so that both workers answer some (each writes files named by its pid).
        while len(_pids(folder, "counter")) < 2 and time.monotonic() < deadline:
            threads = [threading.Thread(target=hit, args=(10,)) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        workers = _pids(folder, "counter")
        assert len(workers) == 2, server.stderr.read() if server.poll() is not None else workers

        for _ in range(4):  # every scrape, whichever worker answers it, has the total
            status, text = _get(base + "/metrics")
            assert status == 200
            families = _families(text)
            assert _value(families, "forum_http_responses", "forum_http_responses_total", endpoint="ops.healthz",
                          status="200") == sent
            assert FAMILIES - {"forum_http_rate_limited"} - set(families) == set()
        assert _value(families, "forum_http_request_duration_seconds", "forum_http_request_duration_seconds_count",
                      endpoint="ops.healthz", method="GET") == sent

        # A worker killed outright: gunicorn's child_exit hook drops its live gauge.
        victim = sorted(workers & _pids(folder, "gauge_livesum"))[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: not (folder / f"gauge_livesum_{victim}.db").exists(), 30,
                   what="child_exit removing the killed worker's live gauge")
        status, text = _get(base + "/metrics")
        assert status == 200
        # Counters survive the worker (its file stays), so the total still adds up.
        assert _value(_families(text), "forum_http_responses", "forum_http_responses_total", endpoint="ops.healthz",
                      status="200") == sent
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
        with app.app_context():
            db.engine.dispose()
