"""Issue 18, item 5: logging is configured in create_app (FORUM_LOG_LEVEL, FORUM_LOG_FORMAT text|json),
every line logged during a request carries its id, the id is echoed as X-Request-ID, and "e-mails
are written to the log" is true of a real process."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from forum import create_app
from forum.core import logs
from forum.core.db import utcnow
from forum.extensions import db
from forum.notifications.models import OutgoingEmail

REPO = Path(__file__).resolve().parents[2]
HEX_ID = re.compile(r"[0-9a-f]{32}\Z")


def test_the_request_id_is_the_clients_when_sane_else_generated(client):
    sane = "req-42.A_b"
    assert client.get("/", headers={"X-Request-ID": sane}).headers["X-Request-ID"] == sane
    missing = client.get("/api/v1/questions/999999", headers={"X-Request-ID": "x" * 64})
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "x" * 64
    for insane in ("x" * 65, "two words", "<script>", "id\u00e9", ""):
        answered = client.get("/api/v1/questions", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert HEX_ID.match(answered), insane
    first, second = (client.get("/login").headers["X-Request-ID"] for _ in range(2))
    assert HEX_ID.match(first) and HEX_ID.match(second) and first != second


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    """An app with a view that logs (the forum's logger and a library's) and then fails."""
    base = tmp_path_factory.mktemp("logging-probe")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'probe.sqlite3'}", "SECRET_KEY": "probe",
                      "FORUM_INSTANCE_PATH": str(base), "FORUM_SEARCH_INDEX": str(base / "index"),
                      "FORUM_RATE_LIMITS": False, "TESTING": False, "FORUM_SEARCH_INDEXER": "inline"})

    def probe():
        logging.getLogger("forum.probe").info("probe says hello")
        logging.getLogger("somelibrary").warning("a library warns")
        raise RuntimeError("probe failed on purpose")

    app.add_url_rule("/_probe", "probe", probe)
    return app


def test_every_line_logged_during_a_request_carries_its_id(probe_app, caplog):
    with caplog.at_level(logging.INFO):
        response = probe_app.test_client().get("/_probe", headers={"X-Request-ID": "probe-1"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "probe-1"
    lines = [r for r in caplog.records if r.name in ("forum.probe", "somelibrary", "forum.web.errors")]
    assert {r.name for r in lines} == {"forum.probe", "somelibrary", "forum.web.errors"}
    assert {r.request_id for r in lines} == {"probe-1"}
    # Outside a request: "-" (the text format), null in JSON.
    logging.getLogger("forum.probe").warning("after the request")
    assert caplog.records[-1].request_id == "-"

    as_json = [json.loads(logs.JsonFormatter().format(r)) for r in lines]
    for entry in as_json:
        assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
        assert entry["request_id"] == "probe-1" and entry["time"].endswith("+00:00")
    failure = next(e for e in as_json if e["logger"] == "forum.web.errors")
    assert failure["level"] == "ERROR" and "RuntimeError: probe failed on purpose" in failure["exc_info"]
    hello = next(e for e in as_json if e["logger"] == "forum.probe")
    assert hello == {**hello, "level": "INFO", "message": "probe says hello"} and "exc_info" not in hello
    assert json.loads(logs.JsonFormatter().format(caplog.records[-1]))["request_id"] is None
    text = logging.Formatter(logs.TEXT_FORMAT).format(lines[0])
    assert "INFO [forum.probe] [probe-1] probe says hello" in text


@contextlib.contextmanager
def bare_root():
    """The root logger as a fresh process has it (no handlers; pytest adds its own for each test
    phase, so this runs inside the test), restored afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    for handler in saved:
        root.removeHandler(handler)
    try:
        yield root
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
        logging.getLogger("forum").setLevel(logging.INFO)


def _settings(tmp_path, **extra):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x",
            "FORUM_INSTANCE_PATH": str(tmp_path), "FORUM_SEARCH_INDEX": str(tmp_path / "index"),
            "FORUM_RATE_LIMITS": False, **extra}


def test_create_app_many_times_installs_one_handler(tmp_path):
    with bare_root() as root:
        for _ in range(3):
            create_app(_settings(tmp_path))
        ours = [h for h in root.handlers if getattr(h, "_forum_handler", False)]
        assert len(root.handlers) == 1 and len(ours) == 1
        assert root.level == logging.INFO and logging.getLogger("forum").level == logging.INFO
        assert not isinstance(ours[0].formatter, logs.JsonFormatter)
        create_app(_settings(tmp_path, FORUM_LOG_FORMAT="json", FORUM_LOG_LEVEL="warning"))
        assert root.handlers == ours and isinstance(ours[0].formatter, logs.JsonFormatter)
        assert root.level == logging.WARNING


def test_handlers_someone_else_configured_are_left_alone(tmp_path):
    with bare_root() as root:
        theirs = logging.StreamHandler()
        root.addHandler(theirs)
        root.setLevel(logging.ERROR)
        create_app(_settings(tmp_path, FORUM_LOG_LEVEL="DEBUG"))
        assert root.handlers == [theirs] and root.level == logging.ERROR
        assert logging.getLogger("forum").level == logging.DEBUG


@pytest.mark.parametrize("name, value", [("FORUM_LOG_LEVEL", "LOUD"), ("FORUM_LOG_FORMAT", "xml")])
def test_a_bad_setting_stops_start_up_with_its_name(tmp_path, name, value):
    with bare_root(), pytest.raises(RuntimeError, match=name):
        create_app(_settings(tmp_path, **{name: value}))


def _deliver_in_a_subprocess(app, log_format: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(PYTHONPATH=str(REPO), FORUM_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               FORUM_INSTANCE_PATH=app.instance_path, FORUM_SEARCH_INDEX=app.config["FORUM_SEARCH_INDEX"],
               FORUM_SECRET_KEY=app.config["SECRET_KEY"], FORUM_LOG_FORMAT=log_format)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "notifications", "deliver"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_emails_without_a_mail_server_are_really_written_to_the_log(app, ctx, create_user, log_format):
    user = create_user()
    db.session.add(OutgoingEmail(user_id=user.id, to_address="reader@example.com", subject="您的问题有了新回答",
                                 body_text="请查看回答。", body_html="<p>请查看回答。</p>", unsubscribe_url="",
                                 created_at=utcnow(), next_attempt_at=utcnow()))
    db.session.commit()
    done = _deliver_in_a_subprocess(app, log_format)
    assert done.returncode == 0, done.stderr
    assert "sent 1 e-mails" in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if log_format == "json":
        entries = [json.loads(line) for line in lines]  # every line is one JSON object
        mails = [e for e in entries if e["logger"] == "forum.mail"]
        assert len(mails) == 1, done.stderr
        assert mails[0]["level"] == "INFO" and mails[0]["request_id"] is None
        assert "reader@example.com: 您的问题有了新回答\n请查看回答。" in mails[0]["message"]
        assert "<forum-mail-" in mails[0]["message"]
    else:
        mails = [line for line in lines if "[forum.mail]" in line]
        assert len(mails) == 1, done.stderr
        assert " INFO [forum.mail] [-] e-mail (no FORUM_MAIL_SERVER, so logged) <forum-mail-" in mails[0]
        assert "reader@example.com: 您的问题有了新回答" in mails[0]
