"""Pinning (issue 22's "link to act: pin"): moderators and staff pin a few questions to the top of
the home list, as on Discourse and Stack Overflow; the service, the pages, the API and the log."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work
from forum.core.errors import Conflict, PermissionDenied
from forum.extensions import db
from forum.moderation import services as mod
from forum.moderation.models import ModAction, ModerationLogEntry
from forum.questions import queries
from forum.questions.models import Category, HoldReason

API = "/api/v1"


def pin(actor, question, pinned=True, **kw):
    with unit_of_work():
        return mod.set_pinned(actor, question.id, pinned, **kw)


def titles(client, path="/") -> list[str]:
    page = client.get(path).get_data(as_text=True)
    return re.findall(r'<h3 class="question-title">\s*(?:<span class="badge badge-pinned">.*?</span>\s*)?'
                      r'<a href="/questions/\d+[^"]*">([^<]+)</a>', page)


def test_moderators_and_staff_pin_members_may_not(create_user, create_question, moderator):
    question = create_question()
    with pytest.raises(PermissionDenied):
        pin(create_user(), question)
    pin(moderator, question, note="常见问题")
    pin(create_user(role="staff"), create_question())
    with pytest.raises(Conflict) as err:
        pin(moderator, question)
    assert err.value.code == "already_pinned"
    pin(moderator, question, False)
    with pytest.raises(Conflict) as err:
        pin(moderator, question, False)
    assert err.value.code == "not_pinned"
    log = db.session.execute(sa.select(ModerationLogEntry.action, ModerationLogEntry.reason)
                             .where(ModerationLogEntry.question_id == question.id)
                             .order_by(ModerationLogEntry.id)).all()
    assert log == [(ModAction.PIN, "常见问题"), (ModAction.UNPIN, "")]


def test_at_most_five_pinned_at_a_time(create_question, moderator):
    questions = [create_question() for _ in range(mod.MAX_PINNED + 1)]
    for question in questions[:-1]:
        pin(moderator, question)
    with pytest.raises(Conflict) as err:
        pin(moderator, questions[-1])
    assert err.value.code == "too_many_pinned" and "5" in err.value.message
    pin(moderator, questions[0], False)
    pin(moderator, questions[-1])  # a place is free again


def test_pinned_questions_come_first_and_pages_stay_exact(create_question, moderator):
    questions = [create_question(category="payments" if i % 2 else "orders") for i in range(7)]
    oldest_payments, old_orders = questions[1], questions[0]
    pin(moderator, old_orders)
    pin(moderator, oldest_payments)
    first = queries.list_questions(page=1, per_page=3, pinned_first=True)
    assert [q.id for q in first.items][:2] == [oldest_payments.id, old_orders.id]  # newest pin first
    every = [q.id for p in range(1, 4) for q in queries.list_questions(page=p, per_page=3, pinned_first=True).items]
    assert sorted(every) == sorted(q.id for q in questions) and len(every) == 7 and first.total == 7
    payments = queries.list_questions(category=Category.PAYMENTS, pinned_first=True).items
    assert payments[0].id == oldest_payments.id and old_orders.id not in [q.id for q in payments]
    # Other tabs, and the API's list (no pinned_first), keep their own order.
    assert queries.list_questions(page=1, per_page=3).items[0].id == questions[-1].id
    votes = queries.list_questions(tab=queries.Tab.UNANSWERED, pinned_first=True).items
    assert votes[0].id == questions[-1].id


@pytest.mark.parametrize("per_page", [1, 2, 3, 5, 7])
def test_pages_smaller_than_the_pins_show_every_question_once_in_order(create_question, moderator, per_page):
    questions = [create_question() for _ in range(8)]
    for question in questions[:mod.MAX_PINNED]:
        pin(moderator, question)
    pinned = [q.id for q in reversed(questions[:mod.MAX_PINNED])]  # newest pin first
    others = [q.id for q in reversed(questions[mod.MAX_PINNED:])]  # newest first
    pages = [queries.list_questions(page=p, per_page=per_page, pinned_first=True) for p in range(1, 10)]
    assert [q.id for page in pages for q in page.items] == pinned + others
    # The badge goes on the rows shown as pins, on whichever page they fall.
    assert [q.id for page in pages for q in page.items if q.id in page.pinned_ids] == pinned


def test_a_question_out_of_sight_loses_its_pin_so_bringing_it_back_keeps_the_limit(create_question, moderator):
    from forum.questions import services as posts

    questions = [create_question() for _ in range(mod.MAX_PINNED + 1)]
    for question in questions[:mod.MAX_PINNED]:
        pin(moderator, question)
    with unit_of_work():
        mod._delete(moderator, questions[0], "spam")
    pin(moderator, questions[-1])  # the deleted one's place is free
    with unit_of_work():
        mod.undelete_post(moderator, "question", questions[0].id)
    db.session.expire_all()
    assert questions[0].pinned_at is None
    assert len(queries.pinned_questions()) == mod.MAX_PINNED
    with unit_of_work():
        assert posts.hide_post(questions[1], HoldReason.SPAM)
    db.session.expire_all()
    assert questions[1].pinned_at is None


def test_the_home_page_shows_pins_first_with_a_badge(client, create_question, create_user, login):
    old = create_question(title="置顶测试：退款多久到账")
    create_question(title="新问题：订单地址怎么改")
    assert titles(client)[0] == "新问题：订单地址怎么改"
    login(create_user("版主小王", role="moderator"))
    response = client.post(f"/questions/{old.id}/pin", data={"note": "高频问题"})
    assert response.status_code == 302
    thread = client.get(f"/questions/{old.id}").get_data(as_text=True)
    assert "badge-pinned" in thread and "取消置顶" in thread
    page = client.get("/").get_data(as_text=True)
    assert titles(client)[0] == "置顶测试：退款多久到账" and "置顶" in page and "badge-pinned" in page
    assert titles(client, "/?category=orders")[0] == "置顶测试：退款多久到账"
    assert "badge-pinned" not in client.get("/?tab=votes").get_data(as_text=True)
    log = client.get("/review/log").get_data(as_text=True)
    assert "版主小王" in log and "置顶" in log
    client.post(f"/questions/{old.id}/unpin")
    assert titles(client)[0] == "新问题：订单地址怎么改"


def test_pin_api(client, create_user, token_for, create_question, moderator):
    questions = [create_question() for _ in range(mod.MAX_PINNED + 1)]
    q = questions[0]
    url = f"{API}/questions/{q.id}/pin"
    member_h, mod_h = token_for(create_user()), token_for(moderator)
    assert client.get(f"{API}/questions/{q.id}").get_json()["pinned"] is False
    assert client.put(url, json={}, headers=member_h).status_code == 403
    assert client.put(url, json={}).status_code == 401
    response = client.put(url, json={"note": "高频问题"}, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["pinned"] is True
    assert client.get(f"{API}/questions/{q.id}").get_json()["pinned"] is True
    assert client.put(url, json={}, headers=mod_h).status_code == 409
    staff_h = token_for(create_user(role="staff"))
    for other in questions[1:-1]:
        assert client.put(f"{API}/questions/{other.id}/pin", json={}, headers=staff_h).status_code == 200
    refused = client.put(f"{API}/questions/{questions[-1].id}/pin", json={}, headers=staff_h)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "too_many_pinned"
    assert client.delete(url, headers=member_h).status_code == 403
    response = client.delete(url, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["pinned"] is False
    assert client.delete(url, headers=mod_h).status_code == 409
    assert client.put(f"{API}/questions/999999/pin", json={}, headers=mod_h).status_code == 404
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    operations = next(ops for path, ops in paths.items() if path.endswith("/questions/{question_id}/pin"))
    assert {"put", "delete"} <= set(operations)
    schema = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    assert any("pinned" in s.get("properties", {}) for s in schema.values())


def _plans(statements) -> list[str]:
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    plans = []
    for statement, parameters in statements:
        if db.engine.dialect.name == "postgresql":
            cursor = raw.cursor()
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        else:
            rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append("\n".join(str(row) for row in rows))
    return plans


@pytest.mark.parametrize("category", [None, Category.ORDERS], ids=["all", "category"])
@pytest.mark.parametrize("page", [1, 2])
def test_the_pinned_list_reads_its_rows_from_indexes(ctx, create_question, moderator, category, page):
    """Issue 15: a list page stays index-served and constant-work with pins: the pins from their
    own partial index, the others from the list's index, neither sorting the table."""
    questions = [create_question() for _ in range(3)]
    pin(moderator, questions[0])
    seen: list[tuple] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT QUESTIONS.ID") and "LIMIT" in statement.upper():
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        queries.list_questions(category=category, page=page, per_page=2, pinned_first=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 2, seen
    pins, others = _plans(seen)
    assert "ix_questions_pinned" in pins and "Sort" not in pins and "TEMP B-TREE" not in pins, pins
    assert "ix_questions_public_" in others and "Sort" not in others and "TEMP B-TREE" not in others, others
