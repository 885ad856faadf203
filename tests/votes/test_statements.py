"""What a vote costs in SQL (issue 15: "a vote touches the vote, the score, the reputation ledger and
the user total, once each", at most ten statements), through the service, the page and the API, on
each database. Transaction control (BEGIN, COMMIT) is left out of the counts: SQLite's driver
sends it as a statement, PostgreSQL's does not.

The figures are pinned exactly, so that a statement added anywhere on the way (a subscriber of
vote_cast, a reload of an expired copy) fails here and is looked at; lower them when a vote gets
cheaper."""
from __future__ import annotations

import re

import pytest

from forum.auth.models import User
from forum.core.db import unit_of_work
from forum.core.permissions import Privilege, threshold
from forum.extensions import db
from forum.reputation.badges import BadgeKind
from forum.reputation.models import Badge
from forum.search.models import SearchOutbox
from forum.votes.services import cast_vote

MOST = 10
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def sql(statements) -> list[str]:
    return [" ".join(s.split()) for s in statements if not s.lstrip().upper().startswith(CONTROL)]


def writes(statements) -> dict[str, int]:
    """How many statements wrote each table."""
    found: dict[str, int] = {}
    for statement in statements:
        match = re.match(r"(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", statement)
        if match:
            found[match.group(1)] = found.get(match.group(1), 0) + 1
    return found


def reads(statements, table: str) -> int:
    return sum(1 for s in statements if s.startswith("SELECT") and re.search(rf"\bFROM {table}\b", s))


@pytest.fixture
def measure(count_queries):
    """measure(voter_id, value, **target) -> the service's statements, the voter loaded first as a
    request's sign-in has it (that read is the request's, not the vote's)."""
    def run(voter_id: int, value: int, **target) -> list[str]:
        with count_queries() as counter:
            voter = db.session.get(User, voter_id)
            assert voter.reputation is not None
            start = len(counter.statements)
            with unit_of_work():
                cast_vote(voter, value=value, **target)
        return sql(counter.statements[start:])

    return run


@pytest.fixture
def thread(create_user, create_question, create_answer):
    asker, helper = create_user(reputation=50), create_user(reputation=50)
    question = create_question(asker)
    answer = create_answer(question, helper)
    voter = create_user(reputation=threshold(Privilege.DOWNVOTE) + 100)
    return {"question": question.id, "answer": answer.id, "voter": voter.id, "helper": helper.id}


# The votes one member casts on one answer in turn: (value, statements, of which on votes, what).
HISTORY = [
    (1, 8, 1, "a new upvote: post, vote, score, members, today's gains, events, totals, outbox"),
    (1, 3, 2, "the same vote again: post, vote (kept by its conflict), vote (unchanged): nothing else"),
    (-1, 9, 2, "changed to down: the vote kept by its conflict, then changed; the earlier events read"),
    (1, 9, 2, "changed back up: the earlier events and today's gains read in one statement"),
    (0, 8, 1, "withdrawn: the vote deleted in one statement"),
    (0, 2, 1, "withdrawn again: post, vote: nothing to change"),
    (-1, 7, 1, "a new downvote: no daily cap to read"),
]


def test_every_vote_on_an_answer_stays_within_ten_statements(ctx, thread, measure):
    for value, expected, on_votes, what in HISTORY:
        statements = measure(thread["voter"], value, answer_id=thread["answer"])
        assert len(statements) == expected <= MOST, (what, statements)
        changed = {"answers": 1, "reputation_events": 1, "users": 1, "search_outbox": 1} if expected > 3 else {}
        # Each touched once: the vote, the score, the ledger, the totals (every member's in one
        # UPDATE), the search outbox; the post read once, with its thread, under its lock.
        assert writes(statements) == {"votes": on_votes, **changed}, what
        assert reads(statements, "answers") == 1 and reads(statements, "questions") == 0, what


def test_a_question_vote_reads_the_question_once(ctx, thread, measure):
    statements = measure(thread["voter"], 1, question_id=thread["question"])
    assert len(statements) == 8
    assert reads(statements, "questions") == 1 and "FROM tags" not in " ".join(statements)
    assert writes(statements) == {"votes": 1, "questions": 1, "reputation_events": 1, "users": 1,
                                  "search_outbox": 1}


def test_a_badge_is_checked_with_the_post_and_written_only_when_earned(ctx, thread, measure, create_user):
    """The author's score badges are read with the post (no statement of their own): an answer at
    5 or more costs a badge INSERT only for a badge the author lacks."""
    from forum.questions.models import Answer

    db.session.execute(db.update(Answer).where(Answer.id == thread["answer"]).values(score=6))
    db.session.commit()
    voters = [create_user(reputation=200).id for _ in range(2)]
    earned = measure(voters[0], 1, answer_id=thread["answer"])
    assert writes(earned).get("badges") == 1
    assert BadgeKind.ANSWER_SCORE_5.value in db.session.scalars(
        db.select(Badge.kind).where(Badge.user_id == thread["helper"])).all()
    held = measure(voters[1], 1, answer_id=thread["answer"])
    assert "badges" not in writes(held) and len(held) == 8


def test_the_page_and_the_api_add_only_the_sign_in(ctx, client, thread, login, token_for, create_user,
                                                    count_queries):
    """The page: the signed-in member (1) + the vote; the form's redirect reads where the thread is
    (1); the page's script asks for JSON and needs no redirect. The API: the token and its member (2)
    + the vote (the token's use is written at most once a minute, outside the vote)."""
    answer_id = thread["answer"]
    members = [create_user(reputation=200) for _ in range(3)]
    headers = token_for(members[2])
    assert client.get("/api/v1/questions?per_page=1", headers=headers).status_code == 200  # the token's use noted
    login(members[0])
    db.session.commit()
    with count_queries() as form:
        assert client.post(f"/answers/{answer_id}/vote", data={"value": "1"}).status_code == 302
    login(members[1])
    db.session.commit()
    with count_queries() as script:
        response = client.post(f"/answers/{answer_id}/vote", data={"value": "1"},
                               headers={"Accept": "application/json"})
        assert response.get_json() == {"score": 2, "my_vote": 1}
    with count_queries() as api:
        response = client.put(f"/api/v1/answers/{answer_id}/vote", json={"value": 1}, headers=headers)
        assert response.get_json() == {"score": 3, "my_vote": 1}
    assert (len(sql(form.statements)), len(sql(script.statements)), len(sql(api.statements))) == (10, 9, 10), (
        sql(form.statements), sql(script.statements), sql(api.statements))
    for counter in (form, script, api):
        assert writes(sql(counter.statements)) == {"votes": 1, "answers": 1, "reputation_events": 1, "users": 1,
                                                   "search_outbox": 1}


def test_a_vote_queues_a_score_not_the_thread(ctx, thread, vote):
    from forum.questions.models import Answer

    vote(db.session.get(Answer, thread["answer"]))
    rows = db.session.execute(db.select(SearchOutbox.question_id, SearchOutbox.answer_id, SearchOutbox.scope)
                              .order_by(SearchOutbox.id)).all()
    assert rows[-1] == (thread["question"], thread["answer"], "score")
