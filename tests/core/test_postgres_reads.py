"""Issue 15: on PostgreSQL a request that only reads runs its statements outside a transaction (no
BEGIN and no COMMIT: two of the round trips of a member's question page), and whatever needs a
transaction begins one before its first statement: a writing request from the start; in a reading
one, a write, a savepoint, a lock or a setting local to the transaction (forum.core.db.configure_postgresql).
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from forum.core.db import needs_transaction, unit_of_work
from forum.extensions import db
from forum.questions.models import Question


@pytest.mark.parametrize("statement", [
    "SELECT questions.id FROM questions WHERE questions.id = %(id)s",
    "  select 1",
    "WITH ranked AS (SELECT 1 AS n) SELECT n FROM ranked",
    "SHOW statement_timeout",
    "SELECT questions.updated_at, questions.deleted_at FROM questions",  # words that hold UPDATE, DELETE
])
def test_plain_reads_need_no_transaction(statement):
    assert needs_transaction(statement) is False


@pytest.mark.parametrize("statement", [
    "INSERT INTO votes (user_id) VALUES (%(user_id)s)",
    "UPDATE questions SET score = score + 1",
    "DELETE FROM votes",
    "SAVEPOINT sa_savepoint_1",
    "SELECT questions.id FROM questions WHERE questions.id = 1 FOR UPDATE",
    "SELECT answers.id FROM answers FOR NO KEY UPDATE OF answers",
    "SELECT tickets.id FROM tickets FOR KEY SHARE",
    "SELECT pg_advisory_xact_lock(%(key)s)",
    "SELECT set_config('statement_timeout', %(ms)s, true)",
    "SELECT nextval('questions_id_seq')",
    "WITH gone AS (DELETE FROM votes RETURNING id) SELECT count(*) FROM gone",
    "LOCK TABLE votes",
    "CREATE TABLE t (id int)",
])
def test_what_needs_a_transaction_is_told_apart(statement):
    assert needs_transaction(statement) is True


def _watch(engine, texts: list[str] | None = None):
    """(first word, autocommit, transaction status) of each statement as it is sent (and its text
    in `texts`)."""
    seen: list[tuple[str, bool, int]] = []

    def record(_conn, cursor, statement, *_args):
        seen.append((statement.split()[0].upper(), cursor.connection.autocommit,
                     int(cursor.connection.info.transaction_status)))
        if texts is not None:
            texts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", record)


IDLE = 0  # psycopg.pq.TransactionStatus


@pytest.mark.postgresql_only
def test_a_members_question_page_reads_outside_a_transaction_and_a_vote_writes_in_one(
        ctx, client, login, create_user, create_question, create_answer, token_for):
    question = create_question()
    answer = create_answer(question)
    member = create_user()
    login(member)
    path, name, answer_id, headers = f"/questions/{question.id}", member.username, answer.id, token_for(member)
    db.session.rollback()  # the test's own session: nothing of it in what is watched
    seen, stop = _watch(db.engine)
    try:
        page = client.get(path)
    finally:
        stop()
    assert page.status_code == 200 and name in page.get_data(as_text=True)
    assert seen and all(autocommit and status == IDLE for _word, autocommit, status in seen), seen

    seen, stop = _watch(db.engine)
    try:
        vote = client.put(f"/api/v1/answers/{answer_id}/vote", json={"value": 1}, headers=headers)
    finally:
        stop()
    assert vote.status_code == 200, vote.get_json()
    assert seen and all(not autocommit for _word, autocommit, _status in seen), seen
    assert db.session.scalar(sa.select(sa.text("score")).select_from(sa.text("answers"))
                             .where(sa.text("id = :id")).params(id=answer_id)) == 1
    db.session.rollback()
    # Every pooled connection is back at rest in autocommit, whatever its last request did.
    with db.engine.connect() as connection:
        assert connection.connection.dbapi_connection.autocommit is True


@pytest.mark.postgresql_only
def test_a_reading_request_begins_a_transaction_for_what_needs_one(ctx: Flask, create_question):
    question_id = create_question(title="读的请求里写一笔").id
    db.session.remove()
    with ctx.test_request_context(f"/questions/{question_id}", method="GET"):
        texts: list[str] = []
        seen, stop = _watch(db.engine, texts)
        try:
            with pytest.raises(RuntimeError):
                with unit_of_work():
                    assert db.session.get(Question, question_id).title == "读的请求里写一笔"
                    # A setting local to the transaction takes effect: it runs in one.
                    db.session.execute(sa.text("SELECT set_config('statement_timeout', '4321ms', true)"))
                    assert db.session.scalar(sa.text("SHOW statement_timeout")) == "4321ms"
                    with db.session.begin_nested():  # a savepoint: in the same transaction
                        db.session.get(Question, question_id).title = "改过的标题"
                    raise RuntimeError("the request fails: nothing it wrote stays")
        finally:
            stop()
        db.session.remove()
    words = [word for word, _autocommit, _status in seen]
    first_setting = next(i for i, text in enumerate(texts) if "set_config" in text)
    assert first_setting > 0 and all(autocommit and status == IDLE for _w, autocommit, status in seen[:first_setting])
    assert not any(autocommit for _w, autocommit, _status in seen[first_setting:])  # from there: a transaction
    assert "SAVEPOINT" in words and "UPDATE" in words
    assert db.session.get(Question, question_id).title == "读的请求里写一笔"  # rolled back, as a transaction
    db.session.remove()
    with ctx.test_request_context("/", method="GET"):
        with unit_of_work():  # and a later read on the same pooled connection: no transaction again
            seen, stop = _watch(db.engine)
            try:
                db.session.scalar(sa.select(Question.id).limit(1))
            finally:
                stop()
        db.session.remove()
    assert seen == [("SELECT", True, IDLE)]


@pytest.mark.postgresql_only
def test_a_connection_that_cannot_be_reset_is_closed_not_reused(ctx, monkeypatch):
    from forum.core import db as core_db

    db.session.remove()

    def broken(_dbapi_connection):
        raise RuntimeError("cannot reset")

    with db.engine.connect() as connection:
        monkeypatch.setattr(core_db, "_autocommit", broken)
        connection.exec_driver_sql("SELECT 1")
        record, dbapi_connection = connection.connection._connection_record, connection.connection.dbapi_connection
    monkeypatch.undo()  # giving it back raised nothing: the connection is closed and its place empty
    assert dbapi_connection.closed and record.dbapi_connection is not dbapi_connection


@pytest.mark.postgresql_only
def test_a_streamed_read_in_a_reading_request_runs_in_a_transaction(ctx: Flask, create_question):
    """A server-side cursor (yield_per, stream_results: psycopg declares a cursor) needs one."""
    ids = sorted(create_question().id for _ in range(3))
    db.session.remove()
    with ctx.test_request_context("/", method="GET"):
        with unit_of_work():
            rows = db.session.scalars(sa.select(Question.id).order_by(Question.id),
                                      execution_options={"yield_per": 2})
            assert list(rows) == ids
        db.session.remove()


@pytest.mark.postgresql_only
def test_a_connection_that_asks_for_autocommit_keeps_it(ctx: Flask):
    """VACUUM, Alembic's autocommit_block: what cannot run in a transaction still runs, in a
    request and outside one."""
    db.session.remove()
    for context in (ctx.test_request_context("/", method="GET"), ctx.test_request_context("/", method="POST")):
        with context:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM questions")
                connection.exec_driver_sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS forum_test_ix ON questions (id)")
                connection.exec_driver_sql("DROP INDEX CONCURRENTLY forum_test_ix")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM questions")
    with db.engine.connect() as connection:  # and the pool's connections are themselves again
        connection.exec_driver_sql("SELECT 1")
        assert connection.connection.dbapi_connection.autocommit is False
