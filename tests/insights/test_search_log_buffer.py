"""Issue 15: searches are logged through a buffer in each process (forum.insights.logging.SearchLog),
so that a search served from the page cache writes nothing to the database in its request. The
buffer is written by a thread of the process within FORUM_SEARCH_LOG_SECONDS, at once when it is
full, before the insights read the log, and its events survive a database that cannot take them."""
from __future__ import annotations

import time
import urllib.parse
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum.core import page_cache
from forum.core.db import utcnow
from forum.extensions import db
from forum.insights import logging as search_log
from forum.insights import services
from forum.insights.models import SearchEvent


def _queries() -> list[str]:
    db.session.rollback()  # a fresh snapshot (SQLite): the buffer writes on its own connection
    queries = list(db.session.scalars(sa.select(SearchEvent.query).where(SearchEvent.kind == "search")
                                      .order_by(SearchEvent.id)))
    db.session.rollback()  # and no lock held (outside a request, SQLite begins IMMEDIATE)
    return queries


def _search(client, words: str, **headers):
    response = client.get("/search?q=" + urllib.parse.quote(words), headers=headers)
    assert response.status_code == 200
    return response


@pytest.fixture
def buffered(ctx):
    """The production setting: a buffer written a while after its first search (30 s: never during
    the test unless the test makes it)."""
    ctx.config["FORUM_SEARCH_LOG_SECONDS"] = 30.0
    search_log._logs.pop(id(ctx), None)  # a buffer of this test's own (its thread not yet started)
    buffer = search_log.search_log(ctx)
    yield buffer
    ctx.config["FORUM_SEARCH_LOG_SECONDS"] = 0.0
    # Every buffer the test made (a "forked child's" too) is emptied and its thread ended: no
    # thread of a test goes on writing into a database that a later test drops.
    for made in {buffer, search_log._logs.pop(id(ctx), buffer)}:
        made.rows.clear()
        made.stop()
        if made.thread is not None:
            made.thread.join(timeout=10)
            assert not made.thread.is_alive()


def test_a_search_is_kept_in_the_buffer_and_counted_by_the_insights(buffered, client):
    _search(client, "没有这种东西")
    _search(client, "nothing like this")
    assert _queries() == []  # nothing written in the requests
    assert [row["query"] for row in buffered.rows] == ["没有这种东西", "nothing like this"]
    found = services.insights(days=1, now=utcnow() + timedelta(seconds=1))
    assert {"query": "nothing like this", "count": 1} in found.zero_result_searches
    assert _queries() == ["没有这种东西", "nothing like this"]
    assert buffered.rows == []


def test_the_insights_count_a_search_made_a_moment_before(buffered, client, create_user, token_for, login):
    """The staff's request has read (the member) before the buffer is written on a connection of its
    own: on SQLite its snapshot would not see the rows, so it reads in a fresh one."""
    staff = create_user(role="staff")
    _search(client, "刚刚搜索过的词")
    body = client.get("/api/v1/staff/insights?days=1", headers=token_for(staff)).get_json()
    assert {"query": "刚刚搜索过的词", "count": 1} in body["zero_result_searches"]
    _search(client, "又一个没有结果的词")
    login(staff)
    page = client.get("/staff/dashboard?days=1").get_data(as_text=True)
    assert "又一个没有结果的词" in page


def test_the_thread_writes_the_buffer_within_the_period(buffered, client):
    buffered.app.config["FORUM_SEARCH_LOG_SECONDS"] = 0.2
    assert buffered.thread is None
    _search(client, "物流查不到")
    deadline = time.monotonic() + 10
    while not _queries() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _queries() == ["物流查不到"]
    assert buffered.thread is not None and buffered.thread.is_alive()


def test_the_thread_says_once_why_it_cannot_write_and_writes_when_it_can(buffered, client, monkeypatch, caplog):
    """A failure that is not an outage (a missing table, a bad row) is logged with its traceback
    once until a write succeeds again, not every period (and each logged traceback costs)."""
    buffered.app.config["FORUM_SEARCH_LOG_SECONDS"] = 0.05
    attempts = []

    def refuse(_table):
        attempts.append(1)
        raise sa.exc.ProgrammingError("INSERT", {}, Exception('relation "search_events" does not exist'))

    monkeypatch.setattr(search_log, "sa", SimpleNamespace(insert=refuse))
    with caplog.at_level("WARNING", logger=search_log.log.name):
        _search(client, "表不见了")
        deadline = time.monotonic() + 10
        while len(attempts) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(attempts) >= 4
        assert len([r for r in caplog.records if "could not write the search log" in r.getMessage()]) == 1
        monkeypatch.undo()
        deadline = time.monotonic() + 10
        while not _queries() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _queries() == ["表不见了"] and buffered.rows == [] and not buffered.reported
    buffered.stop()
    buffered.thread.join(timeout=10)
    assert not buffered.thread.is_alive()


def test_a_full_buffer_is_written_by_the_request_that_filled_it(buffered, client, monkeypatch):
    monkeypatch.setattr(search_log, "FLUSH_ROWS", 3)
    _search(client, "一")
    _search(client, "二")
    assert _queries() == []
    _search(client, "三")
    assert _queries() == ["一", "二", "三"]


def test_a_search_served_from_the_page_cache_sends_no_statement(buffered, client):
    buffered.app.config["FORUM_PAGE_CACHE"] = True
    page_cache.init_app(buffered.app)  # an embedded store in the test's instance folder
    try:
        page_cache.invalidate(buffered.app)
        first = _search(client, "退款")
        assert first.headers["X-Page-Cache"] == "miss"
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            second = _search(client, "退款", **{"Accept-Encoding": "gzip"})  # sent as kept: compressed
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        assert second.headers["X-Page-Cache"] == "hit" and second.headers["Content-Encoding"] == "gzip"
        assert statements == []
        assert [(row["query"], row["result_count"]) for row in buffered.rows] == [("退款", 0), ("退款", 0)]
    finally:
        buffered.app.config["FORUM_PAGE_CACHE"] = False
        page_cache.init_app(buffered.app)


def test_events_wait_while_the_database_cannot_take_them(buffered, client, monkeypatch):
    _search(client, "first")

    def refuse(_table):
        raise sa.exc.OperationalError("INSERT", {}, Exception("the database is restarting"))

    monkeypatch.setattr(search_log, "sa", SimpleNamespace(insert=refuse))
    with pytest.raises(sa.exc.OperationalError):
        buffered.write()
    _search(client, "second")  # the visitor still gets their results
    assert [row["query"] for row in buffered.rows] == ["first", "second"]
    # While writes fail, a full buffer is not written by the requests (the thread tries again):
    # they do not queue behind the database's timeouts.
    attempts = []
    monkeypatch.setattr(search_log, "sa", SimpleNamespace(insert=lambda table: attempts.append(1) or refuse(table)))
    monkeypatch.setattr(search_log, "FLUSH_ROWS", 1)
    _search(client, "third")
    assert attempts == [] and [row["query"] for row in buffered.rows] == ["first", "second", "third"]
    buffered.rows.pop()
    monkeypatch.setattr(search_log, "MAX_PENDING", 1)
    with pytest.raises(sa.exc.OperationalError):
        buffered.write()
    assert [row["query"] for row in buffered.rows] == ["second"]  # the oldest dropped past the cap
    monkeypatch.undo()
    assert buffered.write() == 1
    assert _queries() == ["second"]


def test_a_forked_process_starts_with_a_buffer_of_its_own(buffered, client, monkeypatch):
    _search(client, "父进程")
    monkeypatch.setattr(search_log.os, "getpid", lambda: -1)
    child = search_log.search_log(buffered.app)
    assert child is not buffered and child.rows == [] and child.thread is None
    buffered.close()  # at the child's exit: the parent's rows are the parent's to write
    assert [row["query"] for row in buffered.rows] == ["父进程"] and _queries() == []
    monkeypatch.undo()
    assert search_log.search_log(buffered.app) is not child  # back in the parent: a buffer of its pid
