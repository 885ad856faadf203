"""Search benchmark: indexing throughput, full rebuild, query latency, and quality on the judged set.

    python tests/benchmarks/bench_search.py [--questions 25000] [--answers 3] [--database URL]
                                            [--backend whoosh|postgresql] [--repeat 5]

Seeds about questions × (1 + answers) posts (25,000 × 4 ≈ 100,000) with `flask seed` in a fresh
instance folder, then measures, with the real services:
- full rebuild (`search reindex`): seconds and documents per second (target: under 2 minutes);
- incremental indexing: 2,000 threads queued in the outbox and applied by the indexer;
- query latency p50/p95 over a fixed set of Chinese, English, mixed and filtered queries
  (target: p95 under 50 ms);
- recall@5 and MRR on the judged set (tests/search/judged.py), with the same backend on a database
  of its own (PostgreSQL: <database>_judged, dropped and created afresh).
Prints figures; asserts nothing (the machines are shared and noisy).
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

QUERIES = [
    "支付失败", "退款", "收货地址", "修改收货地址", "我的订单无法修改收货地址", "忘记密码", "账号被锁定",
    "验证码收不到", "发票", "优惠券", "银行卡扣款", "微信支付", "退款多久到账", "物流", "客服电话",
    "refund", "payment failed", "cannot log in", "password reset", "delivery address", "invoice",
    "微信支付 failed", "refund 退款", "密碼", "帳號", "tag:退款", "category:payments 退款", "is:unanswered 订单",
    "is:verified 支付", '"收货地址"', "退款 -发票", "refun*", "支付 订单 退款 地址 密码 银行卡",
]
# Sentences as members type them (issue 21): most find little strictly and run again relaxed.
NATURAL = [
    "我的快递被邻居拿走了怎么办", "银行卡扣了两遍钱", "密码输错被锁住了", "帐号被锁住了怎么弄", "钱包的钱转不出来",
    "退款成功了钱一直没到", "app老是秒退咋整", "开了VIP买东西还收运费", "my package says delivered but I never got it",
    "I got charged two times for one order", "下完单发现地址写错了还能改吗", "微信付不了款老提示支付异常",
]


def run(cmd: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return time.perf_counter() - started, done.stdout


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=25_000)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--database", default="", help="FORUM_DATABASE_URL (default: a fresh SQLite file)")
    parser.add_argument("--backend", default="whoosh", choices=["whoosh", "postgresql"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="forum-bench-search-")
    env = {**os.environ, "FORUM_INSTANCE_PATH": instance, "FORUM_RATE_LIMITS": "off",
           "FORUM_SEARCH_BACKEND": args.backend, "FORUM_SEARCH_INDEXER": "external"}
    if args.database:
        env["FORUM_DATABASE_URL"] = args.database
    flask = [sys.executable, "-m", "flask", "--app", "forum"]
    print(f"database: {args.database or 'sqlite (instance folder)'}; search backend: {args.backend}")
    run(flask + ["db", "upgrade"], env)
    seconds, out = run(flask + ["seed", "--questions", str(args.questions), "--answers", str(args.answers)], env)
    print(f"seed: {out.strip().splitlines()[0]} ({seconds:.1f} s including the index build)")

    os.environ.update(env)
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db
    from forum.questions.models import Question
    from forum.search import indexer, services

    app = create_app()
    with app.app_context():
        documents = services.get_backend().document_count()
        count, seconds = services.reindex()
        print(f"full rebuild: {count} documents in {seconds:.1f} s = {count / seconds:,.0f} documents/s "
              f"(target: under 120 s); index held {documents} before")

        ids = list(db.session.scalars(sa.select(Question.id).order_by(Question.id).limit(2000)))
        for question_id in ids:
            indexer.enqueue(question_id)
        db.session.commit()
        started = time.perf_counter()
        indexer.process_all()
        seconds = time.perf_counter() - started
        print(f"incremental: {len(ids)} threads from the outbox in {seconds:.1f} s = {len(ids) / seconds:,.0f} threads/s")

        for q in QUERIES:  # warm caches once
            services.search(q)
        timings: dict[str, list[float]] = {q: [] for q in QUERIES}
        totals: dict[str, str] = {}
        for _ in range(args.repeat):
            for q in QUERIES:
                started = time.perf_counter()
                result = services.search(q)
                timings[q].append((time.perf_counter() - started) * 1000)
                totals[q] = f"{result.total}" if result.total_is_exact else f"about {result.total}"
                db.session.remove()  # as a request ends (the hits' rows kept in one session slowed later searches)
        every = [t for values in timings.values() for t in values]
        print(f"queries: {len(QUERIES)} × {args.repeat}: p50 {percentile(every, .5):.1f} ms, "
              f"p95 {percentile(every, .95):.1f} ms, max {max(every):.1f} ms (target: p95 under 50 ms)")
        slowest = sorted(QUERIES, key=lambda q: -statistics.median(timings[q]))[:5]
        for q in slowest:
            print(f"  slowest: {q!r}: median {statistics.median(timings[q]):.1f} ms, {totals[q]} hits")
        for q in NATURAL:
            services.search(q)
        natural: list[float] = []
        relaxed = 0
        for _ in range(args.repeat):
            for q in NATURAL:
                started = time.perf_counter()
                result = services.search(q)
                natural.append((time.perf_counter() - started) * 1000)
                relaxed += result.relaxed
                db.session.remove()
        print(f"natural sentences: {len(NATURAL)} × {args.repeat} ({relaxed} relaxed): p50 {percentile(natural, .5):.1f} ms, "
              f"p95 {percentile(natural, .95):.1f} ms, max {max(natural):.1f} ms (target: p95 under 50 ms)")
        similar = []
        for title in ("我的订单无法修改收货地址", "支付失败了怎么办", "How do I get a refund"):
            started = time.perf_counter()
            services.similar(title)
            similar.append((time.perf_counter() - started) * 1000)
        print(f"similar titles: {', '.join(f'{t:.1f} ms' for t in similar)}")
        services.get_backend().close()
    judged(args)


def judged(args) -> None:
    """Recall@5 and MRR on the judged set, in a fresh database of its own, with the same backend."""
    instance = tempfile.mkdtemp(prefix="forum-bench-judged-")
    env = {**os.environ, "FORUM_INSTANCE_PATH": instance, "FORUM_SEARCH_INDEX": str(Path(instance) / "index"),
           "FORUM_SEARCH_INDEXER": "inline", "FORUM_SEARCH_BACKEND": args.backend}
    env.pop("FORUM_DATABASE_URL", None)
    where = "SQLite"
    if args.backend == "postgresql":
        env["FORUM_DATABASE_URL"] = judged_database(args.database)
        where = "PostgreSQL"
    code = (
        "import json; from forum import create_app; from flask_migrate import upgrade; "
        "from tests.search import judged; "
        "app = create_app({'FORUM_RATE_LIMITS': False, 'FORUM_SEARCH_INDEXER': 'inline', 'FORUM_JOBS_INLINE': True}); ctx = app.app_context(); ctx.push(); upgrade(); "
        "from forum.search import services; from forum.questions import services as qs; "
        "from forum.auth.services import register_user; "
        "keys = judged.seed(qs, register_user('asker', 'a@example.com', 'password-123456'), "
        "register_user('helper', 'h@example.com', 'password-123456')); "
        "from forum.extensions import db; db.session.commit(); "  # the seeding's boundary: indexed after it
        "report = judged.evaluate(services.search, keys); "
        "print(json.dumps({k: round(report[k], 3) for k in ('recall_at_5', 'mrr')}))"
    )
    _seconds, out = run([sys.executable, "-c", code], env)
    print(f"judged set ({args.backend} backend over {where}): {out.strip().splitlines()[-1]}")


def judged_database(url: str) -> str:
    """An empty database beside the benchmark's (<name>_judged), created afresh."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from forum import settings as config

    target = make_url(config.normalise_database_url(url))
    name = f"{target.database}_judged"
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
