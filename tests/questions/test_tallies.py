"""List totals come from the question tallies (kept by triggers, migration 0020), and the tallies
always equal a real count of the questions, after every kind of change that moves a question
between lists: asked, held and released, answered, accepted, verified, recategorised, deleted and
restored, and changed by SQL that bypasses the ORM."""
from __future__ import annotations

import itertools

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
