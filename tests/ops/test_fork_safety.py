"""A connection pool inherited across fork() is never used by the child (issue 18, items 1 and 2).

RQ's worker forks a work-horse per job and gunicorn --preload forks its workers after create_app
has used the database: without disposing the pool in the child, every process talks over the same
PostgreSQL connection (DuplicatePreparedStatement "_pg3_0", InFailedSqlTransaction, another
request's rows).
"""
from __future__ import annotations

import signal
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from forum.extensions import db
from tests.ops._db_support import ROOT, forum_env, redis_url
from tests.serving import free_port, wait_until_serving

JOBS = 40  # many more than psycopg's prepare_threshold (5 runs of one statement per connection)


@pytest.mark.postgresql_only
def test_one_rq_worker_runs_forty_jobs_on_postgresql(app, ctx, create_user, tmp_path):
    url = redis_url()
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    for _ in range(3):
        create_user()
    db.session.commit()
    connection = Redis.from_url(url)
    queue = Queue("forum", connection=connection)
    queue.empty()
    failed = FailedJobRegistry(queue=queue)
    for job_id in failed.get_job_ids():
        failed.remove(job_id, delete_job=True)
    jobs = [queue.enqueue("forum.notifications.jobs.rq_job", "tests.ops._fork_jobs.read_members", n)
            for n in range(JOBS)]

    env = forum_env(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], FORUM_REDIS_URL=url)
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "jobs", "worker", "--burst"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert worker.returncode == 0, worker.stderr[-3000:]
    failures = [[line for line in (job.latest_result().exc_string or "").splitlines() if "Error" in line][-1:]
                for job in jobs if job.get_status(refresh=True) != "finished"]
    assert failures == [] and failed.count == 0, f"{len(failures)} of {JOBS} jobs failed: {failures[:3]}"


def _get(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # a worker stuck on a connection another process broke
        return type(error).__name__


@pytest.mark.postgresql_only
def test_gunicorn_preload_workers_never_share_a_connection(app, ctx, create_question, tmp_path):
    ids = [create_question().id for _ in range(5)]
    db.session.commit()
    port = free_port()
    env = forum_env(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    # create_app uses the database before gunicorn forks (the search index check), so the pool the
    # workers inherit holds a connection.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "forum:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, f"{base}/api/v1/questions")
        paths = [f"/api/v1/questions/{ids[n % 5]}" if n % 3 else "/api/v1/questions" for n in range(200)]
        paths += [f"/questions/{ids[n % 5]}" for n in range(20)]
        with ThreadPoolExecutor(max_workers=24) as pool:
            codes = list(pool.map(lambda path: _get(base + path), paths))
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    errors = [code for code in codes if code != 200]
    assert errors == [], f"{len(errors)} of {len(codes)} failed: {sorted(set(map(str, errors)))}\n{output[-3000:]}"


def test_a_connection_from_another_process_is_never_checked_out(app, tmp_path):
    """The second recipe, for a pool that survived a fork some other way: at checkout a connection
    opened by another process is dropped (not closed: it is the other process's) and replaced."""
    from tests.ops._db_support import side_app

    side = side_app(app, tmp_path, FORUM_DB_POOL_SIZE=1, FORUM_DB_MAX_OVERFLOW=0)
    with side.app_context():
        engine = db.engine
    first = engine.raw_connection()
    inherited = first.dbapi_connection
    first._connection_record.info["pid"] = -1  # as if a parent process had opened it
    first.close()  # back to the pool
    second = engine.raw_connection()
    try:
        assert second.dbapi_connection is not inherited
    finally:
        second.close()
        inherited.close()  # in a real child the parent would still own it
        engine.dispose()
