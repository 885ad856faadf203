"""The deployment kit (deploy/) checked by the tools that will read it: systemd-analyze for the units,
nginx -t for the site, gunicorn --check-config for the settings; the commands the units run exist; the
environment file names only variables something reads. tests/ops/test_fault.py runs the kit for real.
"""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from forum import STATIC
from tests.ops._cluster import DEPLOY, ROOT, clean_environment, nginx_binary, prepare_nginx, require

UNITS = DEPLOY / "systemd"
VENV_BIN = Path(sys.executable).parent


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def _exec_starts() -> dict[str, str]:
    return {path.name: _unit(path)["Service"]["ExecStart"] for path in sorted(UNITS.glob("*.service"))}


def test_the_kit_has_every_unit_the_runbook_names():
    names = {path.name for path in UNITS.iterdir()}
    expected = {"forum-web@.service", "forum-indexer.service", "forum-jobs.service", "forum-mail-inbound.service"} | {
        f"forum-{job}.{kind}" for job in ("tickets-sweep", "notifications-deliver", "digest", "votes-serial",
                                          "purge-idempotency-keys", "uploads-sweep", "webhooks-deliver",
                                          "webhooks-prune", "privacy-erase", "insights-prune")
        for kind in ("service", "timer")}
    assert names == expected
    runbook = (DEPLOY / "README.md").read_text()
    assert all(name in runbook for name in expected - {"forum-web@.service"} if name.endswith(".timer"))
    for timer in UNITS.glob("*.timer"):
        assert (UNITS / timer.name.replace(".timer", ".service")).exists()
        assert _unit(timer)["Timer"]["OnCalendar"]


def test_the_units_run_commands_the_forum_has(tmp_path):
    """Every `flask --app forum ...` in an ExecStart= is a real command (checked with --help)."""
    from forum import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kit.sqlite3'}", "SECRET_KEY": "kit",
                      "FORUM_INSTANCE_PATH": str(tmp_path), "FORUM_SEARCH_INDEX": str(tmp_path / "index")})
    runner = app.test_cli_runner()
    commands = {name: line.split("flask --app forum ", 1)[1].split() for name, line in _exec_starts().items()
                if "flask --app forum " in line}
    assert len(commands) == 13, commands
    for name, words in commands.items():
        result = runner.invoke(args=[*words, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, (name, words, result.output)
    web = _exec_starts()["forum-web@.service"]
    assert web == "/opt/forum/bin/gunicorn --config /etc/forum/gunicorn.conf.py"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """With the virtual environment's binaries where the units expect /opt/forum/bin (verify checks that
    each ExecStart= program exists)."""
    for path in UNITS.iterdir():
        text = path.read_text().replace("/opt/forum/bin/", f"{VENV_BIN}/")
        (tmp_path / path.name).write_text(text)
    (tmp_path / "forum-web@8000.service").write_text((tmp_path / "forum-web@.service").read_text())
    names = [p.name for p in tmp_path.iterdir() if p.name != "forum-web@.service"]
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    for timer in tmp_path.glob("*.timer"):
        calendar = _unit(timer)["Timer"]["OnCalendar"]
        assert subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True).returncode == 0


def test_nginx_accepts_the_site(tmp_path):
    require(nginx_binary() is not None, "nginx is not installed (apt-get install nginx)")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    prepare_nginx(tmp_path, ["127.0.0.1:1", "127.0.0.1:2"], STATIC)  # runs nginx -t
    site = (DEPLOY / "nginx" / "forum.conf").read_text()
    # What the runbook promises about it.
    assert "non_idempotent" not in re.sub(r"#.*", "", site)
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", site)
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", site)
    assert re.search(r"location = /metrics \{\s*return 404;", site)


def test_gunicorn_accepts_its_configuration(tmp_path):
    env = clean_environment(tmp_path / "home")
    env.update(GUNICORN_RUN_DIR=str(tmp_path / "run"), GUNICORN_BIND="127.0.0.1:18999",
               FORUM_INSTANCE_PATH=str(tmp_path / "instance"))
    command = [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py")]
    checked = subprocess.run([*command, "--check-config"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert checked.returncode == 0, checked.stderr[-3000:]
    printed = subprocess.run([*command, "--print-config"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", printed.stdout, re.M))
    assert settings["worker_class"] == "gthread" and int(settings["threads"]) >= 2
    assert settings["preload_app"] == "False"
    assert settings["control_socket"] == str(tmp_path / "run" / "gunicorn.ctl")
    assert settings["pidfile"] == str(tmp_path / "run" / "gunicorn.pid")
    assert int(settings["keepalive"]) > 60  # longer than nginx's upstream keepalive_timeout
    assert settings["bind"] == "['127.0.0.1:18999']"


def test_the_environment_file_names_only_variables_that_are_read():
    example = (DEPLOY / "forum.env.example").read_text()
    names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M)
    settings = (ROOT / "forum" / "settings.py").read_text() + (ROOT / "forum" / "__init__.py").read_text()
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    unread = [n for n in names if n.startswith("FORUM_") and f'"{n}"' not in settings]
    unread += [n for n in names if n.startswith("GUNICORN_") and f'"{n}"' not in gunicorn and f"'{n}'" not in gunicorn]
    assert unread == [], "named in deploy/forum.env.example but read by nothing (FORUM_DB_*: the db part; " \
                         "FORUM_REDIS_TIMEOUT, FORUM_LOG_*: redis; FORUM_METRICS_*, FORUM_HEARTBEAT_*: ops)"
    assert {"FORUM_SECRET_KEY", "FORUM_DATABASE_URL", "FORUM_REDIS_URL", "FORUM_TRUSTED_PROXIES",
            "FORUM_SEARCH_INDEXER", "GUNICORN_HOST"} <= set(names)


def test_nginx_passes_on_only_a_request_id_the_forum_keeps():
    """nginx logs the id it sends; the forum replaces an id it finds unfit with a new one. Unless nginx
    applies the forum's own rule, its access log and the forum's lines name the same request
    differently (and a client writes what it likes into nginx's log)."""
    from forum.core import logs

    site = (DEPLOY / "nginx" / "forum.conf").read_text()
    block = re.search(r"map \$http_x_request_id \$forum_request_id \{\n(.*?)\n\}", site, re.S).group(1)
    rules = re.findall(r'^\s*"~(.+?)"\s+\$http_x_request_id;', block, re.M)
    assert len(rules) == 1 and re.search(r"^\s*default\s+\$request_id;", block, re.M), block
    nginx_rule = re.compile(rules[0])
    for sample in ("abc", "0aec173469f44d21bd47dee3549a84b6", "a.b_c-d", "x" * 64, "x" * 65, "",
                   "bad id", "a\r\nSet-Cookie: x", 'q"uote', "中文", "a,b"):
        assert bool(nginx_rule.match(sample)) == (logs.request_id_from(sample) == sample), sample


def _https_get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    import http.client
    import ssl

    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                             context=ssl._create_unverified_context())
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_nginx_serves_hashed_static_names_from_the_forum_and_keeps_them(tmp_path, live_server):
    """The shipped site in front of the forum: hashed names (every page's links) come from the forum,
    immutable for a year, and the second request is answered from nginx's cache; a digest the forum
    does not know is passed on uncached; plain names come from the package's folder, for an hour,
    gzipped by nginx."""
    import gzip
    import os
    import signal
    import socket

    from tests.waiting import wait_until

    require(nginx_binary() is not None, "nginx is not installed (apt-get install nginx)")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    node = live_server.removeprefix("http://")
    command, _http_port, https_port = prepare_nginx(tmp_path, [node, node], STATIC)
    nginx = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", https_port)) == 0

        wait_until(listening, 30, what="nginx listening")
        css = (STATIC / "css" / "forum.css").read_bytes()
        status, headers, page = _https_get(https_port, "/", {"X-Request-ID": "kit-page-1"})
        link = re.search(rb'href="(/static/css/forum\.[0-9a-f]{12}\.css)"', page)
        assert status == 200 and link, page[:300]
        assert headers["x-request-id"] == "kit-page-1", "the server-wide proxy settings reach location /"

        statuses = []
        for n in range(2):
            status, headers, body = _https_get(https_port, link.group(1).decode(), {"X-Request-ID": f"static-{n}"})
            assert status == 200 and body == css
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
            assert headers["x-request-id"] == f"static-{n}", "this request's id, not the one the cache kept"
            statuses.append(headers.get("x-cache-status"))
        assert statuses == ["MISS", "HIT"]

        stale = []
        for _ in range(2):
            status, headers, body = _https_get(https_port, "/static/css/forum.0123456789ab.css")
            assert status == 200 and body == css and "no-cache" in headers["cache-control"]
            stale.append(headers.get("x-cache-status"))
        assert "HIT" not in stale, stale

        status, headers, body = _https_get(https_port, "/static/css/forum.css", {"Accept-Encoding": "gzip"})
        assert status == 200 and "max-age=3600" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip" and gzip.decompress(body) == css
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(timeout=30)
