"""The indexer: the only thing that writes the search index.

Requests never touch the index. A change writes a row to `search_outbox` in the same
transaction (forum.search.subscribers), and after the commit wakes the indexer. The indexer takes
a batch of rows, builds what they name from the database (whole threads; single posts; or just
scores: see SearchOutbox), commits it to the index, and only then deletes the rows. A crash in
between leaves the rows, which are applied again (writing the same documents twice gives the same
result): no confirmed post is ever missing.

Where it runs (FORUM_SEARCH_INDEXER):
- "thread" (default): a daemon thread in each application process. Several processes are safe
  (the writer lock lets one work at a time), just wasteful.
- "external": no thread; run `flask --app forum search indexer` as one process beside the web
  workers (recommended under gunicorn).
- "inline" (tests that search): the batch runs right after each commit, before the request returns.
- "manual" (the other tests): nothing runs; the rows wait in the outbox until `process_all()`.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app

from forum.core import signals
from forum.core.db import database_unavailable, insert_ignoring_conflicts, unit_of_work
from forum.extensions import db
from forum.search import analysis
from forum.search.backends import get_backend
from forum.search.documents import SearchDoc, post_documents, post_scores, thread_documents
from forum.search.models import SearchOutbox, SearchWord

log = logging.getLogger(__name__)
BATCH_SIZE = 200
POLL_SECONDS = 1.0
DOWN_SECONDS = 5  # between tries while the database is unreachable


SCOPES = ("thread", "post", "score")


def enqueue(question_id: int, *, answer_id: int | None = None, scope: str = "thread") -> None:
    """Queue a change for the indexer, in the caller's transaction: the thread, or with scope
    "post" / "score" the document of one post (the answer `answer_id`, else the question)."""
    assert scope in SCOPES, scope
    db.session.add(SearchOutbox(question_id=question_id, answer_id=answer_id if scope != "thread" else None,
                                scope=scope))


@dataclass
class Plan:
    """What one batch of the outbox asks: each change once, and nothing a wider one covers (a
    post's document in a thread being rebuilt, a score in a document being re-written)."""

    threads: list[int]
    posts: list[str]
    scores: list[str]

    @classmethod
    def of(cls, rows) -> Plan:
        threads = {row.question_id for row in rows if row.scope == "thread"}
        posts = {_key(row) for row in rows if row.scope == "post" and row.question_id not in threads}
        scores = {_key(row) for row in rows if row.scope == "score" and row.question_id not in threads} - posts
        return cls(sorted(threads), sorted(posts), sorted(scores))


def _key(row) -> str:
    return f"a{row.answer_id}" if row.answer_id is not None else f"q{row.question_id}"


def record_words(docs: list[SearchDoc]) -> None:
    words = set()
    for doc in docs:
        for text in (doc.title, doc.body):
            words.update(w for w in analysis.words(text) if w.isalpha() and 3 <= len(w) <= 40)
    if words:
        insert_ignoring_conflicts(SearchWord, [{"word": w} for w in sorted(words)], ["word"])


def process_batch(backend=None, limit: int | None = None) -> int | None:
    """Apply one batch of the outbox. Returns the number of rows applied, or None when another
    process holds the writer lock."""
    backend = backend or get_backend()
    limit = limit or current_app.config.get("FORUM_SEARCH_BATCH_SIZE", BATCH_SIZE)
    with backend.writer_lock(blocking=False) as acquired:
        if not acquired:
            return None
        with unit_of_work():  # a job step: its own transaction
            rows = db.session.execute(sa.select(SearchOutbox.id, SearchOutbox.question_id, SearchOutbox.answer_id,
                                                SearchOutbox.scope)
                                      .order_by(SearchOutbox.id).limit(limit)).all()
            if not rows:
                db.session.rollback()
                return 0
            row_ids = [row.id for row in rows]
            plan = Plan.of(rows)
            apply(plan, backend)
            db.session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
    if plan.threads:
        _announce(plan.threads)
    return len(rows)


def _announce(question_ids: list[int]) -> None:
    """Tell the features to the right that these threads are searchable now (threads_indexed). A
    receiver that fails is logged: the batch is applied, and the next one must not wait on it."""
    try:
        signals.threads_indexed.send(None, question_ids=question_ids)
    except Exception:
        log.exception("a receiver of threads_indexed failed")
    finally:
        db.session.rollback()


def apply(plan: Plan, backend) -> int:
    """Write what the plan asks to the index; returns how many documents were written whole (a
    score the backend changes in place counts none)."""
    docs = thread_documents(plan.threads) + post_documents(plan.posts)
    rewritten = list(plan.posts)
    scores: dict[str, int] = {}
    if plan.scores:
        if backend.scores_in_place:
            scores = post_scores(plan.scores)
        else:  # the backend re-writes a document to change its score: these ones alone
            docs += post_documents(plan.scores)
            rewritten += plan.scores
    if not backend.transactional:
        # End the read before the (slower) index write, so SQLite writers are not held up;
        # a transactional backend writes documents and deletes the rows in one transaction.
        db.session.rollback()
    if plan.threads or rewritten:
        backend.replace(plan.threads, docs, keys=rewritten)
    if scores:
        backend.update_scores(scores)
    # New words come with new text only: a score re-written by Whoosh brings none.
    record_words([doc for doc in docs if doc.key not in plan.scores])
    return len(docs)


def process_all(backend=None) -> int:
    """Apply the whole outbox (tests, the CLI, start-up). Returns the rows applied."""
    total = 0
    while True:
        applied = process_batch(backend)
        if not applied:
            return total
        total += applied


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) or 0


class _Worker:
    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self.run, name="forum-search-indexer", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while True:
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
            try:
                with self.app.app_context():
                    try:
                        process_all()
                    finally:
                        db.session.remove()
            except Exception as exc:  # the indexer must outlive a bad batch; the rows stay for the next try
                if database_unavailable(exc):  # expected while the database restarts: no traceback
                    log.warning("search indexer: the database is unavailable; retrying in %d s", DOWN_SECONDS)
                    time.sleep(DOWN_SECONDS)
                    continue
                log.exception("search indexer batch failed; retrying")
                time.sleep(POLL_SECONDS)


_workers: dict[int, _Worker] = {}
_workers_lock = threading.Lock()
_inline_lock = threading.Lock()
_inline_pending = threading.Event()


def ensure_worker(app: Flask) -> _Worker | None:
    if app.config.get("FORUM_SEARCH_INDEXER", "thread") != "thread":
        return None
    with _workers_lock:
        worker = _workers.get(id(app))
        if worker is None:
            worker = _workers[id(app)] = _Worker(app)
        return worker


def _apply_inline(app: Flask) -> None:
    """One writer at a time, as with the indexer thread (a request and a background job may commit
    at once). A caller that finds the writer busy leaves a flag and returns instead of waiting: it
    still holds its own database connection here, and waiting for a writer that needs one from the
    pool could exhaust it. The writer runs again while the flag is set, so no change is left behind."""
    _inline_pending.set()
    while _inline_pending.is_set():
        if not _inline_lock.acquire(blocking=False):
            return
        try:
            _inline_pending.clear()
            with app.app_context():
                try:
                    process_all()
                finally:
                    db.session.remove()
        finally:
            _inline_lock.release()


def notify() -> None:
    """After a commit: apply the outbox now (tests) or wake the indexer."""
    app = current_app._get_current_object()
    mode = app.config.get("FORUM_SEARCH_INDEXER")
    if mode == "inline":
        _apply_inline(app)
        return
    if mode == "manual":
        return
    worker = ensure_worker(app)
    if worker is not None:
        worker.wake.set()


def run_forever(app: Flask, poll: float = 0.5) -> None:
    """The external indexer process (`flask --app forum search indexer`). It writes a heartbeat every
    few seconds from its loop, between batches and outside their transactions (so /readyz sees a
    stuck loop too), and a failed beat never stops it."""
    from forum.ops import heartbeats

    log.info("search indexer started (pid %s)", __import__("os").getpid())
    heartbeat = heartbeats.Pacer(heartbeats.INDEXER)
    total = 0
    while True:
        heartbeat({"applied": total})
        try:
            applied = process_batch() or 0  # one batch per turn, so a busy queue still lets it beat
            total += applied
        except Exception:
            log.exception("search indexer batch failed; retrying")
            applied = 0
        finally:
            db.session.remove()
        if not applied:
            time.sleep(poll)
