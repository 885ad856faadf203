"""List totals come from the question tallies (kept by triggers, migration 0020), and the tallies
always equal a real count of the questions, after every kind of change that moves a question
between lists: asked, held and released, answered, accepted, verified, recategorised, deleted and
restored, and changed by SQL that bypasses the ORM."""
from __future__ import annotations

import itertools

import pytest

import sqlalchemy as sa

from forum.core.db import unit_of_work
from forum.extensions import db
from forum.moderation import services as moderation
from forum.questions import queries, services
from forum.questions.models import Category, Question
from forum.questions.queries import Tab


def real_count(tab: Tab, category: Category | None, verified: bool | None) -> int:
    where = [Question.public()]
    if category is not None:
        where.append(Question.category == category)
    if verified is not None:
        where.append(Question.has_verified_answer.is_(verified))
    if tab is Tab.UNANSWERED:
        where.append(Question.answer_count == 0)
    elif tab is Tab.UNSOLVED:
        where += [Question.accepted_answer_id.is_(None), Question.has_verified_answer.is_(False)]
    return db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(*where))


def assert_tallies_are_true() -> None:
    db.session.commit()
    for tab, category, verified in itertools.product(list(Tab), [None, *Category], [None, True, False]):
        expected = real_count(tab, category, verified)
        assert queries.tally(tab=tab, category=category, verified=verified) == expected, (tab, category, verified)


def test_tallies_follow_every_change(ctx, create_user, create_question, create_answer, create_held_question,
                                     verify):
    asker, moderator = create_user(reputation=500), create_user(role="moderator")
    first = create_question(asker, category="orders")
    second = create_question(asker, category="payments")
    assert_tallies_are_true()
    assert queries.tally() == 2

    held = create_held_question()
    assert_tallies_are_true()
    assert queries.tally() == 2, "a held question is not listed"

    answer = create_answer(first)
    create_answer(first)  # a second answer leaves the question where it was
    assert_tallies_are_true()
    assert queries.tally(tab=Tab.UNANSWERED) == 1

    with unit_of_work():
        services.accept_answer(asker, answer.id)
    assert_tallies_are_true()
    verify(create_answer(second))
    assert_tallies_are_true()
    assert queries.tally(tab=Tab.UNSOLVED) == 0 and queries.tally(verified=True) == 1

    with unit_of_work():
        services.edit_question(asker, second.id, category="account")
    assert_tallies_are_true()
    assert queries.tally(category=Category.ACCOUNT) == 1 and queries.tally(category=Category.PAYMENTS) == 0

    with unit_of_work():
        services.release_post(db.session.get(Question, held.id), actor=moderator)
    assert_tallies_are_true()
    assert queries.tally() == 3

    with unit_of_work():
        services.delete_question(moderator, first.id, reason="test")
    assert_tallies_are_true()
    assert queries.tally() == 2
    with unit_of_work():
        moderation.undelete_post(moderator, "question", first.id)
    assert_tallies_are_true()
    assert queries.tally() == 3

    # SQL that bypasses the ORM (a bulk fix, the seeder) is counted alike.
    with unit_of_work():
        db.session.execute(sa.text("UPDATE questions SET answer_count = 0, accepted_answer_id = NULL"))
    assert_tallies_are_true()
    with unit_of_work():
        db.session.execute(sa.text("DELETE FROM question_tags"))
        db.session.execute(sa.text("UPDATE questions SET accepted_answer_id = NULL"))
        db.session.execute(sa.delete(Question).where(Question.id == held.id))
    assert_tallies_are_true()


def test_the_list_total_reads_no_questions_count(ctx, client, create_question, count_queries):
    for _ in range(3):
        create_question()
    db.session.commit()
    with count_queries() as counter:
        page = client.get("/?tab=unanswered", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "3 questions" in page.get_data(as_text=True)
    counts = [s for s in counter.statements if "count(" in s.lower() and "from questions" in s.lower()]
    assert counts == [], counts


@pytest.mark.parametrize("category", [None, Category.ORDERS], ids=["all", "category"])
@pytest.mark.parametrize("tab", list(Tab))
def test_each_list_reads_its_rows_in_order_from_an_index(ctx, create_question, tab, category):
    """No list page scans or sorts the questions table: the plan walks a listing index (with the
    planner told to avoid sequential scans, since a test database is small enough to scan)."""
    create_question()
    db.session.commit()
    seen: list[tuple] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT QUESTIONS.ID") and "LIMIT" in statement.upper():
            seen.append((statement, parameters))

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        queries.list_questions(tab=tab, category=category)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 1, seen
    statement, parameters = seen[0]
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if engine.dialect.name == "postgresql":
        cursor = raw.cursor()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "ix_questions_public_" in plan and "Sort" not in plan, plan
    else:
        plan = "\n".join(str(row) for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall())
        assert "ix_questions_public_" in plan and "TEMP B-TREE" not in plan, plan
