"""Pieces of a production-like installation on loopback, for tests/ops: processes in their own process
groups, nginx rendered from deploy/nginx/forum.conf, an SMTP sink, a PostgreSQL database and a Redis
database of their own, and an HTTP client that retries like a careful API client.

Nothing here listens on anything but 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """A missing service: a failure under CI=true, a skip with the reason elsewhere."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


# --- processes ------------------------------------------------------------------------------------

def _process_table() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, process group, state) of every process, read from /proc."""
    table = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        table.append((int(entry), int(fields[1]), int(fields[2]), fields[0]))
    return table


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in a process group."""
    return [pid for pid, _ppid, group, state in _process_table() if group == pgid and state != "Z"]


def _descendants(root: int) -> list[int]:
    """Children, grandchildren ... of `root`, whatever their process group: RQ's work-horse calls
    setsid(), so killing the worker's group alone would leave it sending."""
    children: dict[int, list[int]] = {}
    for pid, ppid, _group, state in _process_table():
        if state != "Z":
            children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Processes:
    """Every process started here leads a process group of its own (start_new_session), so that one
    SIGKILL takes a gunicorn master with its workers, or an RQ worker with its work-horse."""

    def __init__(self, base: Path):
        self.logs = base / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen] = {}
        self.groups: set[int] = set()
        self.strays: set[int] = set()  # descendants that left the group (RQ's work-horse)

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        log.write(f"\n==== start {' '.join(argv)}\n".encode())
        log.flush()
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.running[name] = process
        self.groups.add(process.pid)
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the whole group (master and workers), as a crash or the OOM killer would."""
        process = self.running.pop(name)
        strays = [pid for pid in _descendants(process.pid) if pid not in _group_members(process.pid)]
        self.strays.update(strays)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while self._alive_of(process.pid, strays) and time.monotonic() < deadline:
            time.sleep(0.05)

    @staticmethod
    def _alive_of(pgid: int, pids) -> list[int]:
        live = {pid for pid, _ppid, _group, state in _process_table() if state != "Z"}
        return _group_members(pgid) + [pid for pid in pids if pid in live]

    def alive(self, name: str) -> bool:
        process = self.running.get(name)
        return process is not None and process.poll() is None

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop_all(self) -> list[int]:
        """Kill every group started here; returns the processes still alive afterwards (none, we hope)."""
        for name in list(self.running):
            self.kill(name)
        for pgid in self.groups:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        left = [pid for pgid in self.groups for pid in self._alive_of(pgid, ())] + self._alive_of(-1, self.strays)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [pid for pgid in self.groups for pid in self._alive_of(pgid, ())] + self._alive_of(-1, self.strays)
        return left


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


def flask_command(*args: str) -> list[str]:
    return python_command("-m", "flask", "--app", "forum", *args)


def gunicorn_command() -> list[str]:
    return python_command("-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"))


def clean_environment(home: Path) -> dict:
    """The test's environment without anything that configures the forum, gunicorn or metrics."""
    prefixes = ("FORUM_", "GUNICORN_", "PROMETHEUS_")
    names = ("RUNTIME_DIRECTORY", "WEB_CONCURRENCY", "XDG_RUNTIME_DIR", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k not in names}
    home.mkdir(parents=True, exist_ok=True)
    env.update(PYTHONPATH=str(ROOT), HOME=str(home), PYTHONUNBUFFERED="1")
    return env


# --- nginx ------------------------------------------------------------------------------------------

SHIPPED_NODES = ("10.0.0.11:8000", "10.0.0.12:8000")
SHIPPED_STATIC = "/opt/forum/lib/python3.11/site-packages/forum/static/"
SHIPPED_CACHE = "/var/cache/nginx/forum-static"


def render_site(nodes: list[str], http_port: int, https_port: int, cert: Path, key: Path, static: Path,
                logs: Path) -> str:
    """deploy/nginx/forum.conf with the production addresses, ports, certificate, static folder, log
    folder and cache folder replaced by local ones; everything else exactly as shipped. Fails if the
    shipped file no longer has what is replaced (then this must change with it)."""
    text = (DEPLOY / "nginx" / "forum.conf").read_text()
    replacements = [
        *[(f"server {shipped} ", f"server {node} ") for shipped, node in zip(SHIPPED_NODES, nodes)],
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;\n", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;\n", ""),
        ("/etc/letsencrypt/live/forum.example.com/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/forum.example.com/privkey.pem", str(key)),
        (SHIPPED_STATIC, f"{static}/"),
        ("/var/log/nginx/", f"{logs}/"),
        (SHIPPED_CACHE, str(logs.parent / "cache")),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/forum.conf no longer contains {old!r}"
        text = text.replace(old, new)
    assert "10.0.0." not in text and "/var/log/" not in text and "/var/cache/" not in text
    return text


def nginx_main_conf(base: Path, site: Path) -> str:
    """The main nginx.conf a test instance runs: every path it writes inside `base`."""
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else (
        "types { text/css css; application/javascript js; image/svg+xml svg; image/png png; }")
    # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's private tmp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {base}/temp/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {base}/logs/access.log;
{temp}
    include {site};
}}
"""


def self_signed_certificate(base: Path) -> tuple[Path, Path]:
    cert, key = base / "tls.crt", base / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def prepare_nginx(base: Path, nodes: list[str], static: Path) -> tuple[list[str], int, int]:
    """Writes the configuration; returns the command line and the HTTP and HTTPS ports."""
    for folder in ("logs", "temp"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(base)
    http_port, https_port = free_port(), free_port()
    site = base / "forum.conf"
    site.write_text(render_site(nodes, http_port, https_port, cert, key, static, base / "logs"))
    main = base / "nginx.conf"
    main.write_text(nginx_main_conf(base, site))
    binary = nginx_binary()
    command = [binary, "-p", str(base), "-c", str(main), "-e", str(base / "logs" / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    return [*command, "-g", "daemon off;"], http_port, https_port


# --- SMTP --------------------------------------------------------------------------------------------

@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    text: str


class SmtpSink:
    """An SMTP server (aiosmtpd) that keeps every message with its Message-ID. `stall_next()` makes it
    record the next message and then withhold the reply ("250 OK") until `release()`: the message has
    reached the server, the sender does not know it yet, which is the moment to kill the sender."""

    def __init__(self, name: str):
        from aiosmtpd.controller import Controller

        self.name = name
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self._stall = False
        self.stalled = threading.Event()
        self.released = threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        body = message.get_body(("plain",))
        received = Received(str(message.get("Message-ID", "")).strip(), str(message.get("To", "")),
                            str(message.get("Subject", "")), body.get_content().strip() if body else "")
        with self.lock:
            self.messages.append(received)
            stall, self._stall = self._stall, False
        if stall:
            self.stalled.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def stall_next(self) -> None:
        self.stalled.clear()
        self.released.clear()
        with self.lock:
            self._stall = True

    def release(self) -> None:
        with self.lock:
            self._stall = False
        self.released.set()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.controller.stop()


# --- HTTP ---------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


@dataclass
class Stats:
    requests: int = 0
    retries: int = 0
    statuses: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def retried(self) -> None:
        with self.lock:
            self.retries += 1


_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE


class Client:
    """One origin (nginx over HTTPS, or a node over HTTP). `call` makes one request; `send` retries on
    connection errors, 502/503/504, 429 and 409 idempotency_key_in_flight with the same
    Idempotency-Key, as a careful client does."""

    RETRYABLE = (429, 502, 503, 504)

    @staticmethod
    def _in_flight(response: "Response") -> bool:
        """409 idempotency_key_in_flight: the API says to send the same request again after
        Retry-After (docs of Idempotency-Key), as a careful client does."""
        return response.status == 409 and b"idempotency_key_in_flight" in response.body

    def __init__(self, port: int, *, tls: bool, stats: Stats | None = None, timeout: float = 30):
        self.port, self.tls, self.timeout = port, tls, timeout
        self.stats = stats or Stats()

    def call(self, method: str, path: str, body=None, *, token: str | None = None, key: str | None = None,
             headers: dict | None = None, raw: bytes | None = None) -> Response:
        if self.tls:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.timeout, context=_TLS)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if key:
            sent["Idempotency-Key"] = key
        try:
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        except (OSError, http.client.HTTPException):
            self.stats.count("connection error")
            raise
        finally:
            connection.close()
        self.stats.count(response.status)
        return response

    def send(self, method: str, path: str, body=None, *, token: str | None = None, key: str | None = None,
             attempts: int = 12) -> Response:
        key = key or (str(uuid.uuid4()) if method == "POST" else None)
        last: Response | Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self.stats.retried()
            try:
                last = self.call(method, path, body, token=token, key=key)
            except (OSError, http.client.HTTPException) as error:
                last = error
                time.sleep(0.2 * (attempt + 1))
                continue
            if last.status not in self.RETRYABLE and not self._in_flight(last):
                return last
            wait = last.headers.get("retry-after", "")
            time.sleep(min(float(wait), 2.0) if wait.isdigit() else 0.2 * (attempt + 1))
        if isinstance(last, Exception):
            raise last
        return last


def wait_for(url_client: Client, path: str, process_alive, seconds: float = 90, what: str = "",
             any_status: bool = False) -> None:
    """Until `path` answers 200 (any status at all with `any_status`) on this origin; fails early if
    the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process_alive():
            raise AssertionError(f"{what} exited before it served {path}")
        try:
            status = url_client.call("GET", path).status
            if any_status or status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what}: {path} did not answer 200 within {seconds} s")


def words(count: int, rng) -> list[str]:
    """Distinct made-up words of letters only: no digits for the privacy guard to take for a phone or
    an order number, nothing any dictionary or synonym table knows."""
    seen: set[str] = set()
    while len(seen) < count:
        seen.add("ft" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10)))
    return sorted(seen)


def sanitise(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())
