"""Processes for test_processes.py: writers that post questions, and an indexer that can be killed.

    python -m tests.search._procs writer <user_id> <prefix> <count>
    python -m tests.search._procs indexer
    python -m tests.search._procs searcher <seconds>
The database, index and backend come from FORUM_TEST_PROC_* environment variables.
"""
from __future__ import annotations

import os
import sys

from forum import settings as config
from forum import create_app


def _app():
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=os.environ["FORUM_TEST_PROC_DB"],
                    FORUM_SEARCH_INDEX=os.environ["FORUM_TEST_PROC_INDEX"],
                    FORUM_SEARCH_BACKEND=os.environ["FORUM_TEST_PROC_BACKEND"],
                    FORUM_SEARCH_INDEXER="external", FORUM_SEARCH_BATCH_SIZE=3)
    return create_app(settings)


def writer(user_id: int, prefix: str, count: int) -> None:
    from forum.auth.models import User
    from forum.core.db import unit_of_work
    from forum.extensions import db
    from forum.questions import services

    app = _app()
    with app.app_context():
        user = db.session.get(User, user_id)
        for i in range(count):
            with unit_of_work():  # one post, one command: confirmed once committed
                services.ask_question(user, title=f"多进程写入测试问题 {prefix}x{i}",
                                      body=f"这是第 {i} 个问题，用来检查索引不会丢失任何已经确认的写入。",
                                      tags=["测试"], category="other")
            print(f"{prefix}x{i}", flush=True)


def run_indexer() -> None:
    from forum.search import indexer

    app = _app()
    with app.app_context():
        indexer.run_forever(app, poll=0.05)


def searcher(seconds: float) -> None:
    """Searches through the API for `seconds`, each from a new thread (a new request thread opens
    the index afresh), and prints how many answers were 200 and the others' statuses."""
    import threading
    import time

    app = _app()
    client = app.test_client()
    queries = ["多进程写入测试问题", "问题 p0x1", "索引 确认", "multi process"]
    ok, failed = 0, []

    def one(q: str) -> None:
        nonlocal ok
        response = client.get("/api/v1/search", query_string={"q": q})
        if response.status_code == 200:
            ok += 1
        else:
            failed.append(f"{response.status_code}:{response.get_data(as_text=True)[:200]}")

    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        thread = threading.Thread(target=one, args=(queries[n % len(queries)],))
        thread.start()
        thread.join()
        n += 1
    print(f"ok {ok}", flush=True)
    for line in failed:
        print("failed", line, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        writer(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "searcher":
        searcher(float(sys.argv[2]))
    else:
        run_indexer()
