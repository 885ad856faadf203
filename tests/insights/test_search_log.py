"""Issue 22: searches are logged without the member, from the page and the API; the session hash
changes every day; a search is tied to the question asked right after it (SQLite and PostgreSQL)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work, utcnow
from forum.extensions import db
from forum.insights import logging as search_log
from forum.insights import services
from forum.insights.models import SearchEvent


def _events(kind="search"):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SearchEvent).where(SearchEvent.kind == kind).order_by(SearchEvent.id)))


@pytest.mark.search_index
def test_page_and_api_searches_are_logged(client, ctx, create_question, token_for, create_user):
    create_question(title="退款一直显示处理中怎么办", tags=["退款"], category="payments")
    assert client.get("/search?q=%E9%80%80%E6%AC%BE").status_code == 200  # 退款: found
    client.get("/search?q=%EF%BC%B8%EF%BC%B9%EF%BC%BA%20%20Unknown")  # full-width "ＸＹＺ  Unknown"
    client.get("/search?q=xyz+unknown&page=2")  # the next page of a search is not another search
    client.get("/search")  # the empty search page is no search
    client.get("/api/v1/search?q=nothing-like-this")
    client.get("/api/v1/search?q=%E9%80%80%E6%AC%BE", headers=token_for(create_user()))
    rows = _events()
    assert [(r.query, r.result_count, r.source) for r in rows] == [
        ("退款", 1, "page"), ("xyz unknown", 0, "page"), ("nothing-like-this", 0, "api"), ("退款", 1, "api")]
    assert all(len(r.session_hash) == 32 for r in rows)
    assert services.zero_result_searches(utcnow() - timedelta(days=1), utcnow() + timedelta(seconds=1)) == [
        {"query": "nothing-like-this", "count": 1}, {"query": "xyz unknown", "count": 1}]


def test_filters_given_as_parameters_are_part_of_the_query(client, ctx):
    client.get("/search?q=Refund&tag=%E9%80%80%E6%AC%BE&is=verified")
    assert [r.query for r in _events()] == ["refund tag:退款 is:verified"]


def test_session_hash_rotates_daily_and_names_no_member(client, ctx, create_user, login):
    member = create_user("小明同学")
    login(member)
    client.get("/search?q=password+reset", headers={"User-Agent": "phone browser"})
    row = _events()[0]
    # No column of the log refers to a member, and the hash is not made from one.
    assert not any(c.foreign_keys for c in SearchEvent.__table__.columns)
    assert set(SearchEvent.__table__.columns.keys()) == {"id", "kind", "query", "result_count", "source",
                                                         "session_hash", "created_at"}
    assert member.username not in row.session_hash
    visitor = "127.0.0.1\nphone browser"
    assert row.session_hash == search_log.session_hash(visitor, row.created_at)
    for candidate in (str(member.id), member.username, member.email):
        assert row.session_hash != search_log.session_hash(candidate, row.created_at)
    # The same visitor: the same hash all day, another one the next day; another secret, another hash.
    morning = datetime(2026, 12, 3, 0, 5, tzinfo=UTC)
    evening = datetime(2026, 12, 3, 23, 55, tzinfo=UTC)
    assert search_log.session_hash(visitor, morning) == search_log.session_hash(visitor, evening)
    assert search_log.session_hash(visitor, morning) != search_log.session_hash(visitor, morning + timedelta(days=1))
    assert search_log.session_hash(visitor, morning, "another secret") != search_log.session_hash(visitor, morning)
    assert search_log.session_hash("127.0.0.2\nphone browser", morning) != search_log.session_hash(visitor, morning)


def test_a_search_then_a_question_is_a_content_gap(client, ctx, create_user, login):
    member = create_user()
    login(member)
    client.get("/search?q=invoice+pdf")
    csrf = client.get("/ask").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', csrf).group(1)
    response = client.post("/ask", data={"csrf_token": token, "title": "电子发票在哪里下载 PDF 版本",
                                         "body": "我找了订单详情页也没有看到发票的下载按钮，请问在哪里？", "tags": "发票",
                                         "category": "orders"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    asked = _events("question")
    assert len(asked) == 1 and asked[0].session_hash == _events()[0].session_hash and asked[0].query == ""
    now = utcnow()
    gaps = services.searches_before_asking(now - timedelta(days=1), now + timedelta(seconds=1))
    assert gaps == [{"query": "invoice pdf", "count": 1, "zero_results": 1}]
    # Eleven minutes apart: not tied.
    with unit_of_work():
        db.session.execute(sa.update(SearchEvent).where(SearchEvent.kind == "search")
                           .values(created_at=asked[0].created_at - timedelta(minutes=11)))
    assert services.searches_before_asking(now - timedelta(days=1), now + timedelta(seconds=1)) == []


def test_an_escalation_is_logged_with_the_visitors_hash(client, ctx, create_question, login):
    question = create_question(category="payments")
    login(question.author)
    client.get("/search?q=refund+stuck")
    response = client.post(f"/questions/{question.id}/escalate", data={
        "category": "payments", "description": "退款显示处理中已经超过十天了，请帮忙查一下。"})
    assert response.status_code == 302
    escalations = _events("escalation")
    assert len(escalations) == 1 and escalations[0].session_hash == _events()[0].session_hash



def test_searches_before_asking_are_read_from_the_follow_ups(ctx):
    """Issue 15: each follow-up (a question, an escalation: few) looks at its visitor's searches of
    the minutes before it, through the index on (session hash, time); each search counts once. Before,
    each search of the period looked through all of its visitor's later events: one visitor with
    100,000 searches (a script) held the staff dashboard for minutes on SQLite."""
    now = utcnow()
    rows = [dict(kind="search", query=f"q{i % 7}", result_count=i % 2, source="page", session_hash="a" * 32,
                 created_at=now - timedelta(minutes=30) + timedelta(seconds=i)) for i in range(1200)]
    rows += [dict(kind=kind, query="", result_count=None, source="page", session_hash="a" * 32,
                  created_at=now - timedelta(minutes=30) + timedelta(seconds=1170.5 + n))
             for n, kind in ((0, "question"), (5, "escalation"))]
    with unit_of_work():
        db.session.execute(sa.insert(SearchEvent), rows)
    statements = []
    record = lambda _c, _cur, statement, parameters, *_rest: statements.append((statement, parameters))  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        gaps = services.searches_before_asking(now - timedelta(days=1), now)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    # The searches of the ten minutes before the question (and, five seconds later, the escalation):
    # seconds 571 to 1,175 of the 1,200, each once.
    window = [i for i in range(1200) if 571 <= i <= 1175]
    expected = {}
    for i in window:
        count, zero = expected.get(f"q{i % 7}", (0, 0))
        expected[f"q{i % 7}"] = (count + 1, zero + (i % 2 == 0))
    assert {g["query"]: (g["count"], g["zero_results"]) for g in gaps} == expected
    if ctx.config["TEST_BACKEND"] == "sqlite":  # (PostgreSQL's plan follows its statistics)
        statement, parameters = statements[-1]
        plan = " | ".join(row[-1] for row in
                          db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        # The follow-ups first, then for each a bounded window of its visitor's events.
        assert "CORRELATED" not in plan and "MATERIALIZE followups" in plan, plan
        assert "ix_search_events_session (session_hash=? AND created_at>? AND created_at<?)" in plan, plan
