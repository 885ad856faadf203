"""Benchmark of the pages under load (issue 15): req/s of each page served by gunicorn, as a ratio to a
bare Flask app served the same way in the same run, plus the SQL statements of the main pages and a vote.

    python tests/benchmarks/bench_pages.py [--questions 10000] [--database postgresql://…] [--duration 5]

Needs `wrk` (apt-get install wrk). Seeds a fresh instance with `flask seed`, rebuilds the search index,
starts `gunicorn -w 2` for the forum and for the bare app, and drives each with `wrk -t2 -c4`. Not a test:
these machines are shared and noisy, so it prints figures and the goals beside them; it asserts nothing.
With --database the given PostgreSQL database is wiped first.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
HELLO = Path(__file__).with_name("hello_app.py")
MEMBER = "xiaoming"  # a demo member (forum/demo/content.py)
QUERIES = ["支付失败", "退款", "修改地址", "账号被盗", "发票", "优惠券", "物流", "订单取消", "银行卡", "验证码",
           "客服电话", "积分", "会员", "投诉", "退货", "密码", "登录", "实名认证", "快递", "红包",
           "refund", "payment failed", "password", "order", "delivery", "invoice", "account locked",
           "coupon", "address", "complaint"]

# (name, goal as a ratio of the bare app, path or paths, signed in)
ROWS = [
    ("/ anonymous", 0.35, ["/"], False),
    ("question page anonymous, one thread", 0.35, ["/questions/{q}"], False),
    ("question page anonymous, 200 threads", 0.30, "threads", False),
    ("GET /api/v1/questions/<id>", 0.45, ["/api/v1/questions/{q}"], False),
    ("search, one popular query", 0.25, ["/search?q=" + urllib.parse.quote("支付失败")], False),
    ("search, 30 rotating queries", 0.04, [f"/search?q={urllib.parse.quote(q)}" for q in QUERIES], False),
    ("/ signed in", 0.10, ["/"], True),
    ("question page signed in", 0.10, ["/questions/{q}"], True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(args: list[str], env: dict) -> str:
    done = subprocess.run([str(BIN / "flask"), "--app", "forum", *args], env=env, cwd=ROOT, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return done.stdout


def serve(app: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", app], env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()
            return server, base
        except OSError:
            time.sleep(0.2)
    stop(server)  # else its workers keep this script's output open
    raise SystemExit(f"{app} did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(30)


def wrk(base: str, paths: list[str], duration: int, cookie: str = "") -> tuple[float, float]:
    """Requests per second and the 99th percentile latency in ms, paths taken in turn."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    quoted = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    header = f'wrk.headers["Cookie"] = "{cookie}"\n' if cookie else ""
    script.write_text(header + "local paths = {" + quoted + "}\nlocal i = 0\n"
                      "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
    done = subprocess.run(["wrk", "-t2", "-c4", f"-d{duration}s", "--latency", "-s", str(script), base],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True)
    script.unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", done.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    if errors:
        print(f"  warning: {errors.group(1)} responses were not 2xx/3xx", file=sys.stderr)
    return rate, float(p99.group(1)) * scale


def session_cookie(base: str, login: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"login": login, "password": password, **({"csrf_token": token.group(1)} if token else {})}
    opener.open(base + "/login", data=urllib.parse.urlencode(form).encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def statement_counts(env: dict) -> list[tuple[str, int]]:
    """SQL statements of the main pages and of a vote, through the test client in this process."""
    os.environ.update(env)
    import sqlalchemy as sa

    from forum import create_app
    from forum.auth.models import User
    from forum.extensions import db
    from forum.questions.models import Answer

    app = create_app()
    statements: list[str] = []

    me = threading.get_ident()

    def record(*args):
        # This thread's statements only (the search indexer's thread polls beside it), and no
        # transaction control (BEGIN: SQLite's BEGIN IMMEDIATE is sent as a statement here).
        if threading.get_ident() == me and not args[2].lstrip().upper().startswith(("BEGIN", "COMMIT")):
            statements.append(args[2])

    results = []
    with app.app_context():
        answer = db.session.scalar(sa.select(Answer).order_by(Answer.id.desc()).limit(1))
        voter = db.session.scalar(sa.select(User).where(User.id != answer.author_id, User.reputation >= 125)
                                  .order_by(User.id).limit(1))
        question_id, answer_id, voter_id = answer.question_id, answer.id, voter.id
    client = app.test_client()
    with app.app_context():
        from forum.auth.services import issue_token

        token = issue_token(db.session.get(User, voter_id), name="bench")
        db.session.commit()
    checks = [("GET / anonymous", lambda: client.get("/")),
              ("GET question page anonymous", lambda: client.get(f"/questions/{question_id}")),
              ("GET /api/v1/questions/<id>", lambda: client.get(f"/api/v1/questions/{question_id}")),
              ("a vote over the API (PUT /api/v1/answers/<id>/vote)",
               lambda: client.put(f"/api/v1/answers/{answer_id}/vote", json={"value": 1},
                                  headers={"Authorization": f"Bearer {token}"}))]
    with app.app_context():
        engine = db.engine
    for name, call in checks:
        call()  # warm
        if "vote" in name:
            client.put(f"/api/v1/answers/{answer_id}/vote", json={"value": 0},
                       headers={"Authorization": f"Bearer {token}"})
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        response = call()
        sa.event.remove(engine, "before_cursor_execute", record)
        results.append((f"{name} [{response.status_code}]", len(statements)))
    return results


def search_latency(env: dict, rounds: int = 5) -> tuple[float, float, int]:
    """Search without any cache in front: the 30 queries through the search service in this
    process, `rounds` times each (the first round warms the index readers). p50 and p95 in ms, and
    the number of posts in the index."""
    os.environ.update(env)
    from forum import create_app
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.questions.models import Answer, Question
    from forum.search import services

    app = create_app()
    timings: list[float] = []
    with app.test_request_context("/"):
        for query in QUERIES:
            services.search(query)
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                services.search(query)
                timings.append((time.perf_counter() - started) * 1000)
                db.session.remove()  # as a request ends
        posts = sum(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Question, Answer))
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.95)], posts


def worker_memory(server: subprocess.Popen) -> list[float]:
    """Resident memory (MiB) of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def soak(base: str, ids: list[int], cookie: str, seconds: int) -> None:
    """`seconds` of mixed load: visitors over 200 threads, lists, searches and the API, and at the
    same time a member's pages."""
    paths = [f"/questions/{i}" for i in ids] + ["/", "/?tab=votes", "/kb", "/leaderboard"] + \
        [f"/search?q={urllib.parse.quote(q)}" for q in QUERIES] + [f"/api/v1/questions/{i}" for i in ids[:50]]
    half = max(1, seconds // 2)
    visitors = threading.Thread(target=wrk, args=(base, paths, seconds))
    visitors.start()
    wrk(base, ["/", *[f"/questions/{i}" for i in ids[:20]]], half, cookie)
    visitors.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--database", default="", help="a PostgreSQL URL to wipe and use (default: SQLite)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load on a row's pages before "
                        "it is measured (0: from cold; 200 threads take each worker 200 renders to cache)")
    parser.add_argument("--instance", default="", help="an instance folder to seed (kept), or to reuse as it is "
                        "when it holds a seeded SQLite database (with --database: when that database is seeded)")
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load before the workers' memory "
                        "is read (the goal is after 600)")
    parser.add_argument("--only", default="", help="run only the rows whose name holds this text")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    instance = args.instance or tempfile.mkdtemp(prefix="forum-bench-")
    reuse = bool(args.instance) and (Path(instance) / "search-index").exists()
    env = {**os.environ, "FORUM_INSTANCE_PATH": instance, "FORUM_RATE_LIMITS": "off", "FORUM_LOG_LEVEL": "WARNING"}
    if args.database and reuse:
        env["FORUM_DATABASE_URL"] = args.database
    elif args.database:
        # forum is imported only once the environment names this database (its settings read it then).
        import sqlalchemy as sa

        engine = sa.create_engine(re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", args.database))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        env["FORUM_DATABASE_URL"] = args.database
    os.environ.update(env)
    backend = "PostgreSQL" if args.database else "SQLite"
    if reuse:
        flask(["db", "upgrade"], env)  # an instance seeded by an older version of the forum
        print(f"# {backend}, the instance seeded before in {instance}; gunicorn -w {args.workers}, "
              f"wrk -t2 -c4 -d{args.duration}s after {args.warmup} s of warm-up")
    else:
        started = time.perf_counter()
        flask(["db", "upgrade"], env)
        flask(["demo"], env)
        seeding = flask(["seed", "--questions", str(args.questions), "--answers", str(args.answers)], env)
        seeded = time.perf_counter() - started
        print(f"# {backend}, {args.questions} questions × ~{args.answers} answers: seeded in {seeded:.0f} s "
              f"and indexed ({seeding.strip().splitlines()[-1]}); gunicorn -w {args.workers}, "
              f"wrk -t2 -c4 -d{args.duration}s after {args.warmup} s of warm-up")

    hello, hello_base = serve("hello_app:app", {**env, "PYTHONPATH": str(HELLO.parent)}, args.workers)
    ceiling, _ = wrk(hello_base, ["/"], args.duration)
    stop(hello)
    forum, base = serve("forum:create_app()", env, args.workers)
    try:
        cookie = session_cookie(base, MEMBER, "demo-member-2026")  # a member: no page cache
        import sqlalchemy as sa

        os.environ.update(env)
        from forum import create_app
        from forum.extensions import db
        from forum.questions.models import Question

        app = create_app()
        with app.app_context():
            ids = list(db.session.scalars(sa.select(Question.id).order_by(Question.id.desc()).limit(200)))
        print(f"{'page':44} {'req/s':>8} {'ratio':>7} {'goal':>6} {'p99 ms':>8}")
        print(f"{'bare Flask (the ceiling)':44} {ceiling:8.0f} {1:7.3f}")
        for name, goal, paths, signed in ROWS:
            if args.only and args.only not in name:
                continue
            if paths == "threads":
                paths = [f"/questions/{i}" for i in ids]
            paths = [p.format(q=ids[0]) for p in paths]
            if args.warmup:  # steady state: every worker has met these pages (each keeps its own copy)
                wrk(base, paths, args.warmup, cookie if signed else "")
            rate, p99 = wrk(base, paths, args.duration, cookie if signed else "")
            ratio = rate / ceiling
            print(f"{name:44} {rate:8.0f} {ratio:7.3f} {goal:6.2f} {p99:8.1f}  {'met' if ratio >= goal else 'NOT met'}")
        if args.soak:
            before = worker_memory(forum)
            soak(base, ids, cookie, args.soak)
            after = worker_memory(forum)
            print(f"# worker memory (RSS, MiB; goal < 150 after 600 s): before {', '.join(f'{m:.0f}' for m in before)}"
                  f"; after {args.soak} s of mixed load {', '.join(f'{m:.0f}' for m in after)}")
    finally:
        stop(forum)
    p50, p95, posts = search_latency(env)
    print(f"# search without a cache, 30 queries × 5 in one process, {posts} posts indexed: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal p95 < 50 ms at 100,000 posts)")
    print("# SQL statements per request, BEGIN and COMMIT aside (goal for a vote: at most 10)")
    for name, count in statement_counts(env):
        print(f"{name:60} {count:4d}")


if __name__ == "__main__":
    main()
