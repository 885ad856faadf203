"""The fault test: the forum run as production runs it (deploy/), with processes killed mid-load.

nginx (deploy/nginx/forum.conf) in front of two gunicorn nodes (deploy/gunicorn.conf.py, 2 workers each;
one node with preload_app, one without), PostgreSQL with the PostgreSQL search backend, Redis (rate
limits and the job queue), one external search indexer and one RQ jobs worker, an SMTP sink. Members
register, answer and vote through nginx over HTTPS with Idempotency-Key, retrying on cut connections.
Mid-load, one gunicorn node, the indexer and the jobs worker are each killed with SIGKILL and started
again (the jobs worker while the SMTP server holds its reply to a message it has received). Then:
acknowledged = stored (0 lost, 0 doubled), a retry with the same key replays, every post searchable,
every e-mail sent by the jobs worker (the web nodes send to another sink that must stay empty; no
`notifications deliver` runs), once per Message-ID, scores equal the votes, reputation equals the
ledger. Last, a fresh node whose FORUM_REDIS_URL points at a closed port still answers reads and
writes with 2xx.

Needs nginx, openssl, PostgreSQL (FORUM_TEST_POSTGRES_URL: the test creates and drops a database
named after it with `_fault` appended) and Redis (FORUM_TEST_FAULT_REDIS_URL, else
FORUM_TEST_REDIS_URL: a database number it may flush). Outside CI a missing one skips the test;
with CI=true it fails. Loopback only; every process is killed in teardown.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum import STATIC
from forum import settings as config
from tests.ops._cluster import (
    ROOT,
    Client,
    Processes,
    SmtpSink,
    Stats,
    clean_environment,
    flask_command,
    free_port,
    gunicorn_command,
    nginx_binary,
    prepare_nginx,
    require,
    wait_for,
    words,
)

pytestmark = pytest.mark.fault

MEMBERS = 30          # each answers two of the three questions and votes on others' posts
QUESTIONS = 3
VOTES_EACH = 10
REPLAY_EVERY = 4      # every 4th acknowledged answer is sent again with the same key and body
CLIENT_THREADS = 8
PASSWORD = "Fault-Test-Pass-2026!x"


# --- services -----------------------------------------------------------------------------------------

@pytest.fixture
def services_available():
    """nginx, openssl, PostgreSQL and Redis, or a skip (a failure under CI=true) naming what is missing."""
    require(nginx_binary() is not None, "nginx is not installed (apt-get install nginx): the fault test needs it")
    require(shutil.which("openssl") is not None,
            "openssl is not installed: the fault test makes a self-signed certificate for nginx")
    base = os.environ.get("FORUM_TEST_POSTGRES_URL", "")
    require(bool(base), "FORUM_TEST_POSTGRES_URL is not set: the fault test runs on PostgreSQL")
    redis_url = os.environ.get("FORUM_TEST_FAULT_REDIS_URL") or os.environ.get("FORUM_TEST_REDIS_URL", "")
    require(bool(redis_url), "neither FORUM_TEST_FAULT_REDIS_URL nor FORUM_TEST_REDIS_URL is set: the fault test "
                             "needs a Redis database it may flush")
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2).ping()
    except RedisError as error:
        require(False, f"Redis at {redis_url} does not answer: {error}")
    return base, redis_url


@pytest.fixture
def fault_database(services_available):
    """A fresh PostgreSQL database of the test's own, dropped afterwards."""
    base, _redis = services_available
    url = sa.engine.make_url(config.normalise_database_url(base))
    name = f"{url.database}_fault"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def drop():
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    plain = url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    yield plain
    drop()
    server.dispose()


@pytest.fixture
def fault_redis(services_available):
    from redis import Redis

    _base, url = services_available
    connection = Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


# --- the installation --------------------------------------------------------------------------------

class Installation:
    def __init__(self, base: Path, database_url: str, redis_url: str):
        self.base = base
        self.database_url = database_url
        self.redis_url = redis_url
        self.processes = Processes(base)
        self.ports = {"a": free_port(), "b": free_port()}
        self.web_sink = SmtpSink("web")       # web nodes: must receive nothing while Redis is up
        self.worker_sink = SmtpSink("worker")  # the jobs worker
        self.https = self.http = None
        self.engine = sa.create_engine(config.normalise_database_url(database_url), poolclass=sa.pool.NullPool)
        self.events: list[str] = []

    def env(self, role: str, **extra) -> dict:
        env = clean_environment(self.base / "home")
        sink = self.worker_sink if role == "jobs" else self.web_sink
        env.update({
            "FORUM_DATABASE_URL": self.database_url,
            "FORUM_SECRET_KEY": "fault-test-secret-shared-by-every-node",
            "FORUM_INSTANCE_PATH": str(self.base / f"instance-{role}"),
            "FORUM_SEARCH_BACKEND": "postgresql",
            "FORUM_SEARCH_INDEXER": "external",
            "FORUM_REDIS_URL": self.redis_url,
            "FORUM_MAIL_SERVER": "127.0.0.1",
            "FORUM_MAIL_PORT": str(sink.port),
            "FORUM_BASE_URL": f"https://127.0.0.1:{self.https or 443}",
            "FORUM_TRUSTED_PROXIES": "1",
            "FORUM_LOG_LEVEL": "INFO",
            # Rate limits stay on (their counters are in Redis, as in production), sized for one
            # address sending every member's sign-up and for members who post without waiting.
            "FORUM_SIGNUP_RATE_LIMIT": "10000 per minute",
            "FORUM_LOGIN_RATE_LIMIT": "10000 per minute",
            "FORUM_API_RATE_LIMIT": "100000 per minute",
            "FORUM_POST_RATE_LIMIT": "1000 per minute",
            "FORUM_VOTE_RATE_LIMIT": "1000 per minute",
            "FORUM_NEW_MEMBER_REPUTATION": "0",
            # New members' upvotes move reputation, so that the ledger has something to add up.
            "FORUM_VOTE_REPUTATION_MIN": "1",
            # Test speed: hashing 60 passwords at 46 MiB each on two cores takes a while.
            "FORUM_ARGON2_MEMORY_KIB": "8192",
        })
        env.update(extra)
        return env

    # processes
    def start_node(self, name: str, **extra) -> None:
        port = self.ports[name]
        run = self.base / f"run-{name}"
        run.mkdir(exist_ok=True)
        # RUNTIME_DIRECTORY is what systemd's RuntimeDirectory= gives forum-web@.service.
        env = self.env(f"web-{name}", GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
                       GUNICORN_THREADS="4", RUNTIME_DIRECTORY=str(run), **extra)
        self.processes.start(f"node-{name}", gunicorn_command(), env)

    def wait_node(self, name: str) -> None:
        node = Client(self.ports[name], tls=False)
        try:
            wait_for(node, "/api/v1/questions?per_page=1", lambda: self.processes.alive(f"node-{name}"),
                     what=f"node {name}")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.processes.log_tail(f'node-{name}')}") from None

    def start_indexer(self) -> None:
        self.processes.start("indexer", flask_command("search", "indexer"), self.env("indexer"))

    def start_jobs(self) -> None:
        self.processes.start("jobs", flask_command("jobs", "worker"), self.env("jobs"))

    # database
    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).all()

    def execute(self, sql: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql), params)


@pytest.fixture
def installation(tmp_path, fault_database, fault_redis):
    setup = Installation(tmp_path, fault_database, fault_redis)
    with setup.web_sink, setup.worker_sink:
        try:
            yield setup
        finally:
            left = setup.processes.stop_all()
            setup.engine.dispose()
            assert left == [], f"processes survived the teardown: {left}"


# --- the test ---------------------------------------------------------------------------------------

class Findings:
    """Checks that do not stop the run: every figure is still printed, every failure listed at the end."""

    def __init__(self):
        self.failures: list[str] = []

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.failures.append(message)
        return ok


def test_nodes_indexer_and_worker_killed_mid_load_lose_nothing(installation, capsys):
    started = time.monotonic()
    inst, found, rng = installation, Findings(), random.Random(18)
    stats = Stats()

    # Two nodes start at once and both migrate: the second must wait for the first, not fail.
    upgrades = [inst.processes.start(f"upgrade-{n}", flask_command("db", "upgrade"), inst.env(f"upgrade-{n}"))
                for n in (1, 2)]
    codes = [process.wait(timeout=120) for process in upgrades]
    if not found.check(codes == [0, 0], f"two concurrent `db upgrade` runs exited with {codes} [db: advisory lock]: "
                       + " / ".join(_last_error(inst.processes.log_tail(f"upgrade-{n}", 4000))
                                    for n, code in zip((1, 2), codes) if code)):
        again = inst.processes.start("upgrade-3", flask_command("db", "upgrade"), inst.env("upgrade-3"))
        assert again.wait(timeout=120) == 0, inst.processes.log_tail("upgrade-3")

    nginx_command, http_port, https_port = prepare_nginx(
        inst.base / "nginx", [f"127.0.0.1:{inst.ports['a']}", f"127.0.0.1:{inst.ports['b']}"], STATIC)
    inst.https, inst.http = https_port, http_port
    inst.start_node("a")
    inst.start_node("b", GUNICORN_PRELOAD="1")  # one node of each kind: preload_app off and on
    inst.start_indexer()
    inst.start_jobs()
    inst.processes.start("nginx", nginx_command, clean_environment(inst.base / "home"))
    inst.wait_node("a")
    inst.wait_node("b")
    api = Client(https_port, tls=True, stats=stats)
    wait_for(api, "/api/v1/questions?per_page=1", lambda: inst.processes.alive("nginx"), what="nginx")
    booted = time.monotonic() - started

    # Members, their tokens, three questions.
    names = [f"member{i:02d}" for i in range(MEMBERS)]

    def join(name: str) -> str:
        made = api.send("POST", "/api/v1/users", {"username": name, "email": f"{name}@example.com",
                                                  "password": PASSWORD})
        assert made.status == 201, (name, made.status, made.body[:300])
        signed = api.send("POST", "/api/v1/tokens", {"username": name, "password": PASSWORD})
        assert signed.status == 201, (name, signed.status, signed.body[:300])
        return signed.json()["token"]

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        tokens = dict(zip(names, pool.map(join, names)))
    user_ids = {name: inst.scalar("SELECT id FROM users WHERE username = :n", n=name) for name in names}
    vocabulary = iter(words(MEMBERS * 2 + QUESTIONS + 10, rng))
    words_lock = threading.Lock()

    def next_word() -> str:
        with words_lock:
            return next(vocabulary)

    questions: dict[int, tuple[str, str]] = {}  # id -> (asker, word)
    for asker in names[:QUESTIONS]:
        word = next_word()
        made = api.send("POST", "/api/v1/questions", {
            "title": f"Fault test question {word}", "tags": ["fault"], "category": "other",
            "body": f"What keeps {word} safe when a server dies in the middle of the load?"}, token=tokens[asker])
        assert made.status == 201, made.body[:300]
        questions[made.json()["id"]] = (asker, word)

    # The load: every member answers two questions (not their own) and votes on others' posts.
    lock = threading.Lock()
    acknowledged: dict[str, int] = {}   # word -> answer id from the first 2xx
    attempted: set[str] = set()
    answer_authors: dict[int, str] = {}
    replays = {"sent": 0, "same": 0, "different": []}
    votes = {"pairs": set(), "refused": []}  # (voter, "a" or "q", post id) acknowledged with 200
    plan = []
    for name in names:
        choices = [q for q, (asker, _w) in questions.items() if asker != name]
        plan.append((name, rng.sample(choices, 2), random.Random(name)))

    def answer(name: str, question_id: int) -> None:
        word = next_word()
        key = str(uuid.uuid4())
        body = {"body": f"Answer {word}: retry with the same key until the forum answers; a dead node changes nothing."}
        with lock:
            attempted.add(word)
        made = api.send("POST", f"/api/v1/questions/{question_id}/answers", body, token=tokens[name], key=key)
        if made.status != 201:
            found.check(False, f"answer by {name} refused: {made.status} {made.body[:200]!r}")
            return
        answer_id = made.json()["id"]
        with lock:
            acknowledged[word] = answer_id
            answer_authors[answer_id] = name
            replay = len(acknowledged) % REPLAY_EVERY == 0
        if replay:  # the client lost the answer (a cut connection) and sends the same request again
            again = api.send("POST", f"/api/v1/questions/{question_id}/answers", body, token=tokens[name], key=key)
            with lock:
                replays["sent"] += 1
                if 200 <= again.status < 300 and (again.json() or {}).get("id") == answer_id:
                    replays["same"] += 1
                else:
                    replays["different"].append((answer_id, again.status, again.body[:120]))

    def vote(name: str, chooser: random.Random, count: int) -> None:
        with lock:
            candidates = [a for a, author in answer_authors.items() if author != name]
        for answer_id in chooser.sample(candidates, min(count, len(candidates))):
            cast = api.send("PUT", f"/api/v1/answers/{answer_id}/vote", {"value": 1}, token=tokens[name])
            with lock:
                if cast.status == 200:
                    votes["pairs"].add((name, "a", answer_id))
                else:
                    votes["refused"].append((name, answer_id, cast.status, cast.body[:120]))

    def member(entry) -> None:
        name, chosen, chooser = entry
        answer(name, chosen[0])
        vote(name, chooser, VOTES_EACH // 2)
        answer(name, chosen[1])
        vote(name, chooser, VOTES_EACH - VOTES_EACH // 2)
        for question_id, (asker, _word) in questions.items():
            if asker != name and chooser.random() < 0.5:
                cast = api.send("PUT", f"/api/v1/questions/{question_id}/vote", {"value": 1}, token=tokens[name])
                with lock:
                    if cast.status == 200:
                        votes["pairs"].add((name, "q", question_id))
                    else:
                        votes["refused"].append((name, question_id, cast.status, cast.body[:120]))

    # The faults, each when a share of the answers is in; each process is started again at once.
    planned_answers = MEMBERS * 2
    kills: list[str] = []

    def progress() -> int:
        with lock:
            return len(acknowledged)

    def chaos(done: threading.Event) -> None:
        def at(share: float) -> None:
            while progress() < share * planned_answers and not done.is_set():
                time.sleep(0.02)

        at(0.2)
        inst.processes.kill("node-a")
        kills.append(f"node a (master and workers) at {progress()} answers")
        time.sleep(0.5)
        inst.start_node("a")
        at(0.4)
        inst.processes.kill("indexer")
        kills.append(f"indexer at {progress()} answers")
        time.sleep(0.5)
        inst.start_indexer()
        at(0.55)
        inst.worker_sink.stall_next()
        stalled = inst.worker_sink.stalled.wait(30)
        inst.processes.kill("jobs")
        inst.worker_sink.release()
        kills.append(f"jobs worker at {progress()} answers, "
                     + ("while the SMTP server held its reply" if stalled else "no e-mail in flight (none came in 30 s)"))
        found.check(stalled, "no e-mail reached the SMTP server within 30 s of the jobs worker's kill point "
                             "[db: fork safety of RQ's work-horse?]")
        time.sleep(0.5)
        inst.start_jobs()

    load_started = time.monotonic()
    done = threading.Event()
    chaos_thread = threading.Thread(target=chaos, args=(done,), daemon=True)
    chaos_thread.start()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(member, plan))
    done.set()
    chaos_thread.join(120)
    load_seconds = time.monotonic() - load_started
    assert len(kills) == 3, kills
    inst.wait_node("a")  # the killed node is back and serves again

    # Let the indexer and the worker finish. E-mails claimed by the killed worker keep their lease
    # (5 minutes) before anyone may send them again; the test cannot wait that long, so once the
    # worker is idle it ends those leases, as time would, and one more answer queues a job for them.
    from forum.notifications.services import SEND_LEASE

    def outbox_settled(seconds: float, quiet: float = 6) -> bool:
        """All sent; or False after `seconds`, or once nothing has been sent for `quiet` seconds."""
        deadline = time.monotonic() + seconds
        last, changed = None, time.monotonic()
        while time.monotonic() < deadline:
            sent, left = inst.rows("SELECT count(*) FILTER (WHERE status = 'sent'), "
                                   "count(*) FILTER (WHERE status <> 'sent') FROM outgoing_emails")[0]
            if left == 0:
                return True
            if sent != last:
                last, changed = sent, time.monotonic()
            elif time.monotonic() - changed > quiet:
                return False
            time.sleep(0.5)
        return False

    lease_ends = 0
    settled = outbox_settled(60)
    for _ in range(2):
        if settled:
            break
        lease_ends += 1
        minutes = int(SEND_LEASE.total_seconds() // 60) + 1
        inst.execute("UPDATE outgoing_emails SET next_attempt_at = next_attempt_at - make_interval(mins => :m) "
                     "WHERE status = 'sending'", m=minutes)
        question_id = next(iter(questions))
        answer(names[-1] if questions[question_id][0] != names[-1] else names[-2], question_id)
        settled = outbox_settled(60)
    index_deadline = time.monotonic() + 60
    while inst.scalar("SELECT count(*) FROM search_outbox") and time.monotonic() < index_deadline:
        time.sleep(0.3)
    backlog = inst.scalar("SELECT count(*) FROM search_outbox")
    settle_seconds = time.monotonic() - load_started - load_seconds

    # --- acknowledged = stored -----------------------------------------------------------------------
    stored: dict[str, list[int]] = {}
    for answer_id, body in inst.rows("SELECT id, body FROM answers"):
        match = re.match(r"Answer (ft[a-z]+):", body)
        if match:
            stored.setdefault(match.group(1), []).append(answer_id)
    lost = sorted(w for w in acknowledged if w not in stored)
    doubled = sorted(w for w, ids in stored.items() if len(ids) > 1)
    unacknowledged_stored = sorted(w for w in stored if w not in acknowledged)
    found.check(lost == [], f"{len(lost)} acknowledged answers lost: {lost[:5]}")
    found.check(doubled == [], f"{len(doubled)} answers stored twice or more [idem: Idempotency-Key]: "
                               f"{[(w, stored[w]) for w in doubled[:5]]}")
    found.check(replays["different"] == [], f"{len(replays['different'])} of {replays['sent']} retries with the same "
                                            f"Idempotency-Key did not replay the first answer [idem]: "
                                            f"{replays['different'][:3]}")
    found.check(all(stored.get(w) == [i] for w, i in acknowledged.items()),
                "an acknowledged answer id is not the stored one")

    # --- every post searchable -----------------------------------------------------------------------
    found.check(backlog == 0, f"the search outbox still holds {backlog} changes after 60 s [indexer]")
    unsearchable = []
    for word, answer_id in sorted(acknowledged.items()):
        hits = api.send("GET", f"/api/v1/search?q={word}&per_page=50").json() or {}
        if answer_id not in {h.get("answer_id") for h in hits.get("items", [])}:
            unsearchable.append(word)
    for question_id, (_asker, word) in questions.items():
        hits = api.send("GET", f"/api/v1/search?q={word}&per_page=50").json() or {}
        if question_id not in {h.get("question_id") for h in hits.get("items", []) if h.get("type") == "question"}:
            unsearchable.append(word)
    found.check(unsearchable == [], f"{len(unsearchable)} posts not found by the API search: {unsearchable[:5]}")

    # --- every e-mail sent by the worker, once per Message-ID -----------------------------------------
    outbox = inst.rows("SELECT id, to_address, subject, body_text, status, attempts FROM outgoing_emails")
    received = inst.worker_sink.snapshot()
    by_content: dict[tuple, set[str]] = {}
    for message in received:
        by_content.setdefault((message.to, message.subject, message.text), set()).add(message.message_id)
    row_keys: dict[tuple, list[int]] = {}
    for row in outbox:
        row_keys.setdefault((row.to_address, row.subject, row.body_text.strip()), []).append(row.id)
    unsent = [row.id for row in outbox if row.status != "sent"]
    undelivered = [ids for key, ids in row_keys.items() if key not in by_content]
    strangers = [key[:2] for key in by_content if key not in row_keys]
    reissued = {key: ids for key, ids in by_content.items() if key in row_keys and len(ids) > len(row_keys[key])}
    message_ids = [m.message_id for m in received]
    duplicates = len(message_ids) - len(set(message_ids))
    found.check(outbox != [], "no e-mail was queued at all")
    found.check(settled and unsent == [], f"{len(unsent)} of {len(outbox)} e-mails not sent by the jobs worker "
                                          f"[db: fork safety of RQ's work-horse]")
    found.check(undelivered == [], f"{len(undelivered)} outbox e-mails never reached the SMTP server")
    found.check(strangers == [], f"{len(strangers)} e-mails received that no outbox row holds: {strangers[:3]}")
    found.check(reissued == {}, f"{len(reissued)} e-mails sent again under a new Message-ID [redis: stable "
                                f"Message-ID]: {list(reissued.values())[:3]}")
    found.check(all(m.message_id for m in received), "an e-mail without a Message-ID")
    web_sent = inst.web_sink.snapshot()
    found.check(web_sent == [], f"{len(web_sent)} e-mails were sent by a web node, not the jobs worker")
    row_ids = _outbox_message_ids(inst)
    found.check(row_ids is not None, "the forum has no per-row Message-ID (forum.notifications.mail."
                                     "outbox_message_id) [redis: stable Message-ID]")
    if row_ids is not None:
        missing_ids = sorted(set(row_ids.values()) - set(message_ids))
        found.check(missing_ids == [], f"{len(missing_ids)} outbox rows' Message-IDs never received: {missing_ids[:3]}")
        found.check(set(message_ids) <= set(row_ids.values()), "an e-mail received under a Message-ID no row has")

    # --- counters equal the rows they summarise -----------------------------------------------------
    score_drift = inst.rows(
        "SELECT 'answer' AS kind, a.id, a.score, coalesce(sum(v.value), 0) AS votes FROM answers a "
        "LEFT JOIN votes v ON v.answer_id = a.id GROUP BY a.id HAVING a.score <> coalesce(sum(v.value), 0) "
        "UNION ALL SELECT 'question', q.id, q.score, coalesce(sum(v.value), 0) FROM questions q "
        "LEFT JOIN votes v ON v.question_id = q.id GROUP BY q.id HAVING q.score <> coalesce(sum(v.value), 0)")
    found.check(score_drift == [], f"scores differ from the votes: {score_drift[:5]}")
    reputation_drift = inst.rows(
        "SELECT u.username, u.reputation, u.reputation_total, 1 + coalesce(sum(e.delta), 0) AS ledger "
        "FROM users u LEFT JOIN reputation_events e ON e.user_id = u.id GROUP BY u.id "
        "HAVING u.reputation_total <> 1 + coalesce(sum(e.delta), 0) "
        "OR u.reputation <> greatest(1, 1 + coalesce(sum(e.delta), 0))")
    found.check(reputation_drift == [], f"reputation differs from the ledger: {reputation_drift[:5]}")
    vote_rows = {(r.username, "a" if r.answer_id else "q", r.answer_id or r.question_id) for r in inst.rows(
        "SELECT u.username, v.answer_id, v.question_id FROM votes v JOIN users u ON u.id = v.user_id WHERE v.value = 1")}
    found.check(vote_rows == votes["pairs"], f"{len(votes['pairs'])} acknowledged votes, {len(vote_rows)} vote rows; "
                                             f"lost {sorted(votes['pairs'] - vote_rows)[:3]}, "
                                             f"unexpected {sorted(vote_rows - votes['pairs'])[:3]}")
    found.check(votes["refused"] == [], f"{len(votes['refused'])} votes refused: {votes['refused'][:3]}")

    # --- the kit: what nginx and the nodes show an operator ------------------------------------------
    _check_kit(inst, api, found)

    # --- the lockout holds across nodes (issue 18, item 9) --------------------------------------------
    lockout = _lockout_across_nodes(inst, names[-1], found)

    # --- Redis gone: a fresh node pointed at a closed port ---------------------------------------------
    checks_seconds = time.monotonic() - load_started - load_seconds - settle_seconds
    redis_started = time.monotonic()
    redis_down = _redis_down(inst, tokens, names, questions, found, next_word)
    redis_seconds = time.monotonic() - redis_started

    figures = {
        "boot (migrate twice, 2 nodes, indexer, worker, nginx)": f"{booted:.1f} s",
        "load / mail and index settling / checks / Redis-down node": (
            f"{load_seconds:.1f} s", f"{settle_seconds:.1f} s", f"{checks_seconds:.1f} s", f"{redis_seconds:.1f} s"),
        "requests through nginx": stats.requests,
        "retries": stats.retries,
        "statuses": dict(sorted(stats.statuses.items(), key=str)),
        "answers acknowledged / attempted / stored": (len(acknowledged), len(attempted),
                                                      sum(len(v) for v in stored.values())),
        "lost / doubled / stored without acknowledgement": (len(lost), len(doubled), len(unacknowledged_stored)),
        "replays with the same key: sent / same answer": (replays["sent"], replays["same"]),
        "votes acknowledged / vote rows": (len(votes["pairs"]), len(vote_rows)),
        "e-mails in the outbox / received by the worker's SMTP / distinct Message-IDs": (
            len(outbox), len(received), len(set(message_ids))),
        "received more than once (same Message-ID)": duplicates,
        "e-mail attempts > 1": sum(1 for row in outbox if row.attempts > 1),
        "leases ended by the test": lease_ends,
        "kills": kills,
        "requests per upstream (nginx log)": _upstreams(inst),
        "lockout across nodes (wrong passwords at once, half on each node)": lockout,
        "Redis down": redis_down,
        "total": f"{time.monotonic() - started:.1f} s",
    }
    with capsys.disabled():
        print("\n== fault test figures")
        for name, value in figures.items():
            print(f"  {name}: {value}")
    if found.failures:
        for name in ("node-a", "node-b", "jobs", "indexer"):
            print(f"--- {name} log tail\n{inst.processes.log_tail(name, 2000)}")
    assert found.failures == [], "\n".join(found.failures)


def _lockout_across_nodes(inst: Installation, name: str, found: Findings) -> dict:
    """Wrong passwords for one member sent at once, half straight to each node: the account locks
    after FORUM_LOCKOUT_ATTEMPTS of them, whichever node counted them (the count is one database row,
    claimed atomically), and then refuses even the right password on both nodes."""
    attempts = config.Config.FORUM_LOCKOUT_ATTEMPTS
    nodes = [Client(inst.ports["a"], tls=False), Client(inst.ports["b"], tls=False)]

    def wrong(i: int) -> int:
        return nodes[i % 2].send("POST", "/api/v1/tokens", {"username": name, "password": f"wrong-{i}"}).status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(wrong, range(attempts * 3)))
    right = [node.send("POST", "/api/v1/tokens", {"username": name, "password": PASSWORD}).status for node in nodes]
    refused = statuses.count(401)
    found.check(set(statuses) <= {401, 423} and 0 < refused <= attempts,
                f"{len(statuses)} wrong passwords at once across two nodes: {refused} counted as wrong (401), "
                f"at most {attempts} may be; statuses {sorted(statuses)}")
    found.check(right == [423, 423], f"after the lockout the right password answered {right} on nodes a and b")
    return {"wrong passwords sent": len(statuses), "answered 401": refused, "answered 423": statuses.count(423),
            "right password then, node a / b": right}


def _last_error(log: str) -> str:
    lines = [line.strip() for line in log.splitlines() if re.match(r"\s*[\w.]+(Error|Exception|Violation)\b", line)]
    return lines[-1][:300] if lines else log.strip()[-300:]


def _outbox_message_ids(inst: Installation) -> dict[int, str] | None:
    """The Message-ID each outbox row is sent with, as the forum computes it (forum.notifications.mail.
    outbox_message_id, in the nodes' configuration); None when this forum has no stable Message-IDs."""
    script = ("import json, sys\n"
              "from forum import create_app\n"
              "from forum.notifications import mail\n"
              "if not hasattr(mail, 'outbox_message_id'): sys.exit(3)\n"
              "from forum.extensions import db\n"
              "from forum.notifications.models import OutgoingEmail\n"
              "app = create_app()\n"
              "with app.app_context():\n"
              "    ids = db.session.scalars(db.select(OutgoingEmail.id)).all()\n"
              "    print(json.dumps({i: mail.outbox_message_id(i) for i in ids}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=inst.env("check"), capture_output=True,
                          text=True, timeout=120)
    if done.returncode == 3:
        return None
    assert done.returncode == 0, done.stderr[-2000:]
    return {int(k): v.strip() for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def _upstreams(inst: Installation) -> dict:
    counts: dict[str, int] = {}
    log = inst.base / "nginx" / "logs" / "forum.access.log"
    for line in log.read_text().splitlines() if log.exists() else []:
        match = re.search(r"upstream=(\S+) ust=(\S+)", line)
        if match:
            key = f"{match.group(1)} {match.group(2)}"
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:8])


def _check_kit(inst: Installation, api: Client, found: Findings) -> None:
    """What deploy/ promises: static files from nginx, /metrics closed to the public but open on each
    node's own address, health answers, large bodies refused by the forum in its own form, HTTP sent to
    HTTPS, the request id passed through, and one control socket per gunicorn instance."""
    static = api.call("GET", "/static/css/forum.css")
    found.check(static.status == 200 and static.body == (STATIC / "css" / "forum.css").read_bytes()
                and "max-age=3600" in static.headers.get("cache-control", ""),
                f"static file not served by nginx from the package: {static.status} {static.headers}")
    public_metrics = api.call("GET", "/metrics")
    found.check(public_metrics.status == 404, f"/metrics through nginx answered {public_metrics.status}")
    plain = Client(inst.http, tls=False).call("GET", "/api/v1/questions")
    found.check(plain.status == 301 and plain.headers.get("location", "").startswith("https://"),
                f"plain HTTP was not sent to HTTPS: {plain.status}")
    large = api.call("POST", "/api/v1/questions", raw=b'{"title": "' + b"x" * 1_500_000 + b'"}',
                     headers={"Content-Type": "application/json"})
    found.check(large.status == 413 and "json" in large.headers.get("content-type", ""),
                f"a 1.5 MB body: {large.status} {large.headers.get('content-type')} (the forum's JSON 413 expected)")
    rid = "fault-test-request-0001"
    echoed = api.call("GET", "/api/v1/questions?per_page=1", headers={"X-Request-ID": rid})
    found.check(echoed.headers.get("x-request-id") == rid,
                f"X-Request-ID through nginx: sent {rid}, got {echoed.headers.get('x-request-id')!r} [redis: request id]")
    for name in ("a", "b"):
        node = Client(inst.ports[name], tls=False)
        for path in ("/healthz", "/readyz"):
            answer = node.call("GET", path)
            found.check(answer.status == 200 and "json" in answer.headers.get("content-type", ""),
                        f"node {name} {path}: {answer.status} [ops]")
        readiness = node.call("GET", "/readyz")
        ready = readiness.json() if "json" in readiness.headers.get("content-type", "") else {}
        if isinstance(ready, dict) and ready:
            found.check({"database", "search", "redis", "mail"} <= set(ready),
                        f"node {name} /readyz lacks some of database, search, redis, mail: {sorted(ready)} [ops]")
        metrics = node.call("GET", "/metrics")
        found.check(metrics.status == 200 and b"# TYPE" in metrics.body,
                    f"node {name} /metrics from loopback: {metrics.status} [ops]")
        sockets = subprocess.run([*_gunicornc(), "-s", str(inst.base / f"run-{name}" / "gunicorn.ctl"),
                                  "-c", "show workers", "-j"], capture_output=True, text=True, timeout=30)
        found.check(sockets.returncode == 0 and '"count": 2' in sockets.stdout,
                    f"node {name}: its control socket does not show its 2 workers: {sockets.stdout[-300:]} "
                    f"{sockets.stderr[-300:]}")


def _gunicornc() -> list[str]:
    return [sys.executable, "-c", "import sys; from gunicorn.ctl.cli import main; sys.exit(main())"]


def _redis_down(inst, tokens, names, questions, found: Findings, next_word) -> dict:
    """A fresh node whose Redis is a closed port: reads, sign-in and writes still answer 2xx, and the
    e-mail its answer queues is still sent (by the node itself, to the web sink)."""
    closed = free_port()
    inst.ports["c"] = free_port()
    inst.start_node("c", FORUM_REDIS_URL=f"redis://127.0.0.1:{closed}/0", FORUM_REDIS_TIMEOUT="1")
    node = Client(inst.ports["c"], tls=False)
    # Serving at all (whatever the status: that is what is checked next).
    try:
        wait_for(node, "/healthz", lambda: inst.processes.alive("node-c"), seconds=60, any_status=True,
                 what="node c (Redis down)")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{inst.processes.log_tail('node-c')}") from None
    question_id, (asker, word) = next(iter(questions.items()))
    answerer = next(n for n in names if n != asker)
    before = len(inst.web_sink.snapshot())
    answers = {}
    for label, method, path, body, token in (
            ("list questions", "GET", "/api/v1/questions", None, None),
            ("show a question", "GET", f"/api/v1/questions/{question_id}", None, None),
            ("search", "GET", f"/api/v1/search?q={word}", None, None),
            ("sign in", "POST", "/api/v1/tokens", {"username": answerer, "password": PASSWORD}, None),
            ("answer", "POST", f"/api/v1/questions/{question_id}/answers",
             {"body": f"Answer {next_word()}: written while Redis is gone, and still stored."}, tokens[answerer]),
            ("vote", "PUT", f"/api/v1/questions/{question_id}/vote", {"value": 1}, tokens[answerer])):
        started = time.monotonic()
        try:
            response = node.call(method, path, body, token=token, key=str(uuid.uuid4()) if method == "POST" else None)
            status = response.status
        except OSError as error:
            status = f"{type(error).__name__}"
        answers[label] = (status, f"{time.monotonic() - started:.2f} s")
        found.check(isinstance(status, int) and 200 <= status < 300,
                    f"Redis down: {label} answered {status} [redis: fallbacks]")
    deadline = time.monotonic() + 30
    while len(inst.web_sink.snapshot()) == before and time.monotonic() < deadline:
        time.sleep(0.3)
    mailed = len(inst.web_sink.snapshot()) - before
    found.check(mailed > 0, "Redis down: the answer's e-mails were not sent by the in-process sender within 30 s "
                            "[redis: jobs fall back]")
    answers["e-mails sent in-process"] = mailed
    return answers
