"""The ledger writes once per command (issue 15, lean writes): however many events an acceptance
moves, they go in with one INSERT and the members' totals with one UPDATE, after one locking read
of the members and one read of their history."""
from __future__ import annotations

import re

from forum.auth.models import User
from forum.core.db import unit_of_work
from forum.extensions import db
from forum.questions import services as questions
from tests.votes.test_statements import sql, writes


def _accept(count_queries, asker_id: int, answer_id: int) -> list[str]:
    with count_queries() as counter:
        asker = db.session.get(User, asker_id)
        assert asker.reputation is not None  # loaded, as a request's sign-in has it
        start = len(counter.statements)
        with unit_of_work():
            questions.accept_answer(asker, answer_id)
    return sql(counter.statements[start:])


def test_an_acceptance_moves_the_ledger_once(ctx, create_user, create_question, create_answer, count_queries):
    asker = create_user()
    q = create_question(asker)
    first, second = create_answer(q), create_answer(q)
    ids = (asker.id, first.id, second.id, first.author_id, second.author_id)
    accepted = _accept(count_queries, ids[0], ids[1])
    moved = _accept(count_queries, ids[0], ids[2])  # reverses two events, records two
    for statements in (accepted, moved):
        assert writes(statements)["reputation_events"] == 1 and writes(statements)["users"] == 1, statements
        locks = [s for s in statements if re.match(r"SELECT users\.id, users\.reputation_total FROM users", s)]
        assert len(locks) == 1
        # The question is read once (under its lock), its tags not at all.
        assert sum(1 for s in statements if s.startswith("SELECT questions.id, questions.title, questions.body")) == 1
        assert not any("FROM tags" in s or "JOIN tags" in s for s in statements)
    reputation = dict(db.session.execute(db.select(User.id, User.reputation).where(User.id.in_(ids))).all())
    assert (reputation[ids[3]], reputation[ids[4]], reputation[ids[0]]) == (1, 16, 3)
