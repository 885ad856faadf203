"""Benchmark of the foundation: seeding at scale, list and thread pages. Prints figures.

    python tests/benchmarks/bench_foundation.py [--questions 10000] [--answers 3] [--database URL]

Runs the real commands (`flask --app forum db upgrade`, `seed`) in a fresh instance folder, then
times pages through the test client and counts their SQL queries. Not a test: machines here are
shared and noisy, so it reports, it does not assert.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def run(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--database", default="", help="FORUM_DATABASE_URL (default: a fresh SQLite file)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="forum-bench-")
    env = {**os.environ, "FORUM_INSTANCE_PATH": instance, "FORUM_RATE_LIMITS": "off"}
    if args.database:
        env["FORUM_DATABASE_URL"] = args.database
    flask = [sys.executable, "-m", "flask", "--app", "forum"]
    print(f"database: {args.database or 'sqlite (instance folder)'}")
    print(f"db upgrade: {run(flask + ['db', 'upgrade'], env):.1f} s")
    seconds = run(flask + ["seed", "--questions", str(args.questions), "--answers", str(args.answers)], env)
    print(f"seed --questions {args.questions} --answers {args.answers}: {seconds:.1f} s (target: under 60 s)")

    os.environ.update(env)
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db
    from forum.questions.models import Question

    app = create_app()
    client = app.test_client()
    with app.app_context():
        busiest = db.session.scalar(sa.select(Question.id).order_by(Question.answer_count.desc()).limit(1))
        counts = db.session.execute(sa.select(sa.func.count(), sa.func.sum(Question.answer_count))).one()
    print(f"rows: {counts[0]} questions, {counts[1]} answers")

    def measure(url: str) -> None:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client.get(url)  # warm
        statements.clear()
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        per_request = len(statements) // args.repeat
        timings.sort()
        print(f"GET {url:<32} median {statistics.median(timings):6.1f} ms  p90 {timings[int(len(timings) * .9)]:6.1f} ms"
              f"  SQL statements per request: {per_request}")

    for url in ("/", "/?per_page=50", "/?tab=votes&per_page=50", "/?tab=unanswered", "/?page=400",
                f"/questions/{busiest}", "/api/v1/questions?per_page=50", f"/api/v1/questions/{busiest}"):
        measure(url)


if __name__ == "__main__":
    main()
