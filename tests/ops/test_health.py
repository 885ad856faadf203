"""/healthz and /readyz (issue 18, "What an operator needs").

/readyz is not ready (503) when the database is down or behind, or when a configured external indexer
or jobs worker has no fresh heartbeat; the embedded default (indexer thread, no Redis) needs none.
Redis unreachable is a warning: the forum goes on without it.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tests.ops.redis_probe import redis_answers
import sqlalchemy as sa

from forum import create_app, settings as config
from forum.core.db import utcnow
from forum.extensions import db
from forum.notifications.models import OutgoingEmail
from forum.ops import heartbeats, services
from forum.ops.models import WorkerHeartbeat
from forum.search.models import SearchOutbox

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _ready(client):
    response = client.get("/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_healthz_answers_without_the_database(client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert counter.count == 0


def test_readyz_names_every_check_and_the_embedded_default_is_ready(app, client, monkeypatch):
    status, body = _ready(client)
    assert status == 200, body
    assert body["status"] == "ready" and body["problems"] == [] and body["warnings"] == []
    assert set(body) >= {"database", "search", "mail"} and "redis" not in body
    database = body["database"]
    assert database["ok"] and database["migrations"] == "at_head" and database["revision"] == database["head"]
    assert database["head"] == sorted(services._script_heads(app))
    assert body["search"] == {"indexer": "manual", "ok": True, "outbox_depth": 0, "oldest_age_seconds": None}
    assert body["mail"] == {"ok": True, "backlog": 0, "oldest_age_seconds": None, "failed": 0}
    # The production default: an indexer thread in each web process and jobs on a thread, no Redis.
    # No heartbeat is asked for (none is ever written).
    monkeypatch.setitem(app.config, "FORUM_SEARCH_INDEXER", "thread")
    ready, report = services.readiness()
    assert ready and "heartbeat_age_seconds" not in report["search"]
    assert "worker_heartbeat_age_seconds" not in report["mail"]


def test_readyz_is_a_handful_of_small_queries(app, client, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_SEARCH_INDEXER", "external")
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", CLOSED_REDIS)
    with count_queries() as counter:
        client.get("/readyz")
    # The revision, the newest heartbeats, the outbox, the mail backlog, the failed e-mails.
    assert len([s for s in counter.statements if not s.startswith("BEGIN")]) == 5


def test_readyz_reports_the_search_outbox_and_the_mail_backlog(ctx, client, create_user):
    user = create_user()
    old = utcnow() - timedelta(seconds=30)
    db.session.add_all([SearchOutbox(question_id=1, created_at=old), SearchOutbox(question_id=2)])
    for status in ("pending", "sending", "failed", "failed", "sent"):
        db.session.add(OutgoingEmail(user_id=user.id, to_address="a@example.com", subject="s", body_text="t",
                                     body_html="h", status=status, created_at=old))
    db.session.commit()
    status, body = _ready(client)
    assert status == 200
    assert body["search"]["outbox_depth"] == 2 and 25 < body["search"]["oldest_age_seconds"] < 3600
    assert body["mail"]["backlog"] == 2 and body["mail"]["failed"] == 2
    assert 25 < body["mail"]["oldest_age_seconds"] < 3600


def test_a_configured_external_indexer_must_beat(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_SEARCH_INDEXER", "external")
    status, body = _ready(client)
    assert status == 503 and body["status"] == "not_ready"
    assert body["problems"] == ["indexer_heartbeat_missing"]
    assert body["search"]["ok"] is False and body["search"]["heartbeat_age_seconds"] is None

    assert heartbeats.beat(heartbeats.INDEXER, {"applied": 0})
    status, body = _ready(client)
    assert status == 200, body
    assert body["search"]["ok"] and 0 <= body["search"]["heartbeat_age_seconds"] < 60

    # Stale: the newest beat is older than FORUM_HEARTBEAT_STALE_SECONDS (60).
    db.session.execute(sa.update(WorkerHeartbeat).values(beat_at=utcnow() - timedelta(seconds=90)))
    db.session.commit()
    status, body = _ready(client)
    assert status == 503 and body["problems"] == ["indexer_heartbeat_stale"]
    assert body["search"]["heartbeat_age_seconds"] > 60
    monkeypatch.setitem(app.config, "FORUM_HEARTBEAT_STALE_SECONDS", 120)
    assert _ready(client)[0] == 200


def test_the_jobs_worker_must_beat_when_redis_is_configured_and_redis_down_is_a_warning(
        app, client, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", CLOSED_REDIS)
    from forum.core import redis_client

    monkeypatch.setattr(redis_client, "_warned", {})  # the warning is at most once a minute per address
    monkeypatch.setattr(redis_client, "_down_until", {})
    status, body = _ready(client)
    assert status == 503 and body["problems"] == ["jobs_heartbeat_missing"]
    assert body["mail"]["worker_heartbeat_age_seconds"] is None and body["mail"]["ok"] is False
    assert body["redis"]["ok"] is False and body["redis"]["error"]
    assert body["warnings"] == ["redis_unreachable"]
    assert any("is unreachable" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)

    heartbeats.beat(heartbeats.JOBS)
    status, body = _ready(client)
    # Ready, degraded: rate limits fall back to per-process counters, jobs to the web process.
    assert status == 200 and body["status"] == "ready" and body["warnings"] == ["redis_unreachable"]
    assert body["mail"]["ok"] and body["mail"]["worker_heartbeat_age_seconds"] < 60
    assert "heartbeat_age_seconds" not in body["search"]  # the indexer is embedded here


def test_readyz_sees_a_reachable_redis(app, client, monkeypatch):
    if not redis_answers(REDIS_URL):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    monkeypatch.setitem(app.config, "FORUM_REDIS_URL", REDIS_URL)
    heartbeats.beat(heartbeats.JOBS)
    status, body = _ready(client)
    assert status == 200 and body["redis"]["ok"] is True and body["warnings"] == []
    assert "error" not in body["redis"] and body["redis"]["latency_ms"] >= 0


def test_migrations_behind_are_not_ready_and_an_unknown_newer_revision_is_a_warning(ctx, client):
    (current,) = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    try:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0017'"))
        db.session.commit()
        status, body = _ready(client)
        assert status == 503 and body["problems"] == ["migrations_behind"]
        assert body["database"]["migrations"] == "behind" and body["database"]["revision"] == ["0017"]

        # A newer release migrated the database first (the rolling-upgrade order): this one still works.
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        db.session.commit()
        status, body = _ready(client)
        assert status == 200 and body["warnings"] == ["migrations_unknown"]
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    assert _ready(client)[0] == 200


def test_a_database_that_is_down_gives_a_quick_503_not_a_500(tmp_path, monkeypatch):
    # Booting with the database down is the database layer's part; here only the check is tested.
    monkeypatch.setattr("forum.search.services.ensure_ready", lambda app: None)
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI="postgresql://forum@127.0.0.1:1/nothing",  # nothing listens on 1
                    FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_INSTANCE_PATH=str(tmp_path),
                    FORUM_SEARCH_INDEXER="external", FORUM_REDIS_URL=CLOSED_REDIS)
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503 and response.is_json
    body = response.get_json()
    assert body["status"] == "not_ready" and body["problems"] == ["database_unreachable"]
    assert body["database"] == {"ok": False, "error": "unreachable", "head": sorted(services._script_heads(app))}
    assert body["search"]["ok"] is False and body["mail"]["ok"] is False
    with app.app_context():
        db.engine.dispose()


def test_a_silent_database_costs_readyz_one_connect_timeout_not_two(tmp_path, monkeypatch):
    """A database host that accepts TCP but never answers (a hung server, a dead machine behind a
    load balancer): /readyz tries to connect once, not once per check, so it answers within one
    FORUM_DB_CONNECT_TIMEOUT, inside a monitor's or Prometheus's own timeout."""
    import socket
    import threading

    monkeypatch.setattr("forum.search.services.ensure_ready", lambda app: None)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])  # and never say a word
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"postgresql://forum@127.0.0.1:{listener.getsockname()[1]}/silent",
                    FORUM_DB_CONNECT_TIMEOUT=1, FORUM_SEARCH_INDEX=str(tmp_path / "index"),
                    FORUM_INSTANCE_PATH=str(tmp_path))
    app = create_app(settings)
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["problems"] == ["database_unreachable"]
        assert len(accepted) == 1  # one connection attempt for the whole report
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
        with app.app_context():
            db.engine.dispose()


def test_a_database_never_migrated_is_reachable_and_behind(tmp_path, monkeypatch):
    monkeypatch.setattr("forum.search.services.ensure_ready", lambda app: None)
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                    FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_INSTANCE_PATH=str(tmp_path))
    app = create_app(settings)
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and "migrations_behind" in body["problems"]
    assert body["database"]["revision"] == [] and body["database"]["migrations"] == "behind"
    with app.app_context():
        db.engine.dispose()
