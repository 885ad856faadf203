"""Idempotency-Key on the API's POSTs (issue 18, item 8): a retry with the same key and body gets the
first response again and creates nothing twice, on whichever node it lands (the key is kept in the
database); another body with the key is 422; a failed first attempt leaves the key free."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from forum.api import idempotency
from forum.api.models import IdempotencyKey
from forum.core.db import utcnow
from forum.extensions import db
from forum.moderation.models import Flag
from forum.questions.models import Answer, Comment, Question
from forum.tickets.models import Ticket, TicketMessage
from tests.waiting import wait_until

API = "/api/v1"
ANSWER = {"body": "Refunds to cards take 3–7 working days; ask your bank for the reference number."}
QUESTION = {"title": "Refund has not arrived after 7 days", "category": "payments", "tags": ["refund"],
            "body": "I returned the parcel last week and the refund still has not reached my card."}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def keyed(headers: dict, key: str | None = None) -> dict:
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


def assert_replay(first, again):
    assert again.status_code == first.status_code
    assert again.get_data() == first.get_data()  # byte for byte
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers.get("Idempotency-Replayed") == "true"
    assert "Idempotency-Replayed" not in first.headers


@pytest.fixture
def thread(create_user, create_question, token_for):
    """A question, its asker and a helper, with their token headers."""
    asker, helper = create_user("asker"), create_user("helper")
    question = create_question(asker)
    db.session.commit()
    return question, token_for(asker), token_for(helper)


# --- each creating call, retried ----------------------------------------------------------------

def _answer(thread, create_user, token_for):
    question, _asker, helper = thread
    return f"{API}/questions/{question.id}/answers", ANSWER, helper, Answer


def _question(thread, create_user, token_for):
    return f"{API}/questions", QUESTION, thread[2], Question


def _comment(thread, create_user, token_for):
    question, _asker, helper = thread
    return f"{API}/questions/{question.id}/comments", {"body": "Which bank was it?"}, helper, Comment


def _escalation(thread, create_user, token_for):
    question, asker, _helper = thread
    body = {"category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。"}
    return f"{API}/questions/{question.id}/escalations", body, asker, Ticket


def _ticket_message(thread, create_user, token_for):
    from forum.tickets import services as ticket_services

    question, asker, _helper = thread
    ticket = ticket_services.escalate_question(question.author, question.id, category="payments",
                                               description="扣款成功但订单显示未支付，请帮忙核实。")
    db.session.commit()
    return f"{API}/tickets/{ticket.id}/messages", {"body": "补充：扣款时间是昨天下午。"}, asker, TicketMessage


def _flag(thread, create_user, token_for):
    question, _asker, helper = thread
    return f"{API}/questions/{question.id}/flags", {"kind": "off_topic"}, helper, Flag


CALLS = [_answer, _question, _comment, _escalation, _ticket_message, _flag]


@pytest.mark.parametrize("call", CALLS, ids=[c.__name__.strip("_") for c in CALLS])
def test_a_retry_replays_the_first_response_and_creates_nothing(client, thread, create_user, token_for, call):
    url, body, headers, model = call(thread, create_user, token_for)
    before = count(model)
    headers = keyed(headers)
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert count(model) == before + 1
    for _ in range(2):
        again = client.post(url, json=body, headers=headers)
        assert_replay(first, again)
    assert count(model) == before + 1
    assert count(IdempotencyKey) == 1


def test_without_the_header_nothing_changes(client, thread):
    question, _asker, helper = thread
    first = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=helper)
    second = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=helper)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert "Idempotency-Replayed" not in second.headers
    assert count(Answer) == 2 and count(IdempotencyKey) == 0


def test_the_key_with_another_body_or_path_is_422(client, thread, create_question):
    question, asker, helper = thread
    headers = keyed(helper)
    assert client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers).status_code == 201
    other = client.post(f"{API}/questions/{question.id}/answers", headers=headers,
                        json={"body": ANSWER["body"] + " Or call them."})
    assert other.status_code == 422
    error = other.get_json()["error"]
    assert error["code"] == "idempotency_key_reused" and "Idempotency-Key" in error["fields"]
    second_question = create_question(title="Another question about refunds to bank cards")
    db.session.commit()
    elsewhere = client.post(f"{API}/questions/{second_question.id}/answers", json=ANSWER, headers=headers)
    assert elsewhere.status_code == 422 and elsewhere.get_json()["error"]["code"] == "idempotency_key_reused"
    assert count(Answer) == 1


def test_keys_belong_to_the_member(client, thread):
    question, asker, helper = thread
    key = str(uuid.uuid4())
    first = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=keyed(helper, key))
    second = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=keyed(asker, key))
    assert first.status_code == second.status_code == 201
    assert "Idempotency-Replayed" not in second.headers
    assert first.get_json()["author"]["username"] == "helper" and second.get_json()["author"]["username"] == "asker"
    assert count(Answer) == 2 and count(IdempotencyKey) == 2


def test_a_failed_first_attempt_leaves_the_key_free(client, thread):
    question, _asker, helper = thread
    headers = keyed(helper)
    url = f"{API}/questions/{question.id}/answers"
    refused = client.post(url, json={"body": "short"}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] != "idempotency_key_reused"
    assert count(IdempotencyKey) == 0
    created = client.post(url, json=ANSWER, headers=headers)
    assert created.status_code == 201 and "Idempotency-Replayed" not in created.headers
    assert_replay(created, client.post(url, json=ANSWER, headers=headers))
    assert count(Answer) == 1


def test_a_refusal_by_the_service_leaves_the_key_free(client, thread):
    """The key's row is flushed before the view runs; a service that refuses (and rolls back) takes
    it with it: a second escalation of the question is 409, and its key is not kept."""
    question, asker, _helper = thread
    url = f"{API}/questions/{question.id}/escalations"
    body = {"category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。"}
    assert client.post(url, json=body, headers=asker).status_code == 201
    headers = keyed(asker)
    refused = client.post(url, json=body, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "ticket_exists"
    assert count(IdempotencyKey) == 0 and count(Ticket) == 1
    assert client.post(url, json=body, headers=headers).get_json()["error"]["code"] == "ticket_exists"


def test_a_key_older_than_a_day_is_taken_afresh(client, thread, runner):
    question, _asker, helper = thread
    headers = keyed(helper)
    url = f"{API}/questions/{question.id}/answers"
    first = client.post(url, json=ANSWER, headers=headers)
    db.session.execute(sa.update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    again = client.post(url, json=ANSWER, headers=headers)
    assert again.status_code == 201 and "Idempotency-Replayed" not in again.headers
    assert again.get_json()["id"] != first.get_json()["id"] and count(Answer) == 2
    assert count(IdempotencyKey) == 1
    assert_replay(again, client.post(url, json=ANSWER, headers=headers))


def test_purge_deletes_only_expired_keys(client, thread, runner):
    question, _asker, helper = thread
    url = f"{API}/questions/{question.id}/answers"
    old, fresh = keyed(helper), keyed(helper)
    client.post(url, json=ANSWER, headers=old)
    client.post(url, json={"body": ANSWER["body"] + " (2)"}, headers=fresh)
    db.session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.key == old["Idempotency-Key"])
                       .values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    result = runner.invoke(args=["api", "purge-idempotency-keys"])
    assert result.exit_code == 0 and "deleted 1 " in result.output
    assert db.session.scalars(sa.select(IdempotencyKey.key)).all() == [fresh["Idempotency-Key"]]


def test_a_key_whose_request_is_running_is_409(client, thread):
    """A row without a response: the first request is still running (409, Retry-After: 1), or
    stopped after its commit and before its response was kept (409, no point in waiting)."""
    question, _asker, helper = thread
    url = f"{API}/questions/{question.id}/answers"
    headers = keyed(helper)
    assert client.post(url, json=ANSWER, headers=headers).status_code == 201
    db.session.execute(sa.update(IdempotencyKey).values(status_code=None, response_body=None,
                                                         response_headers=None, completed_at=None))
    db.session.commit()
    running = client.post(url, json=ANSWER, headers=headers)
    assert running.status_code == 409 and running.headers["Retry-After"] == "1"
    assert running.get_json()["error"]["code"] == "idempotency_key_in_flight"
    db.session.execute(sa.update(IdempotencyKey).values(created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    stopped = client.post(url, json=ANSWER, headers=headers)
    assert stopped.status_code == 409 and "Retry-After" not in stopped.headers
    assert stopped.get_json()["error"]["code"] == "idempotency_key_unsettled"
    assert count(Answer) == 1


def test_the_key_is_committed_with_what_the_request_created(client, thread, monkeypatch):
    """The answer, the key and the stored response commit in one transaction: when keeping the
    response fails (a node dying at that moment, simulated), nothing of the request stands, and the
    retry with the same key posts the answer once and is answered 201 (never a 409 that lasts)."""
    question, _asker, helper = thread
    url = f"{API}/questions/{question.id}/answers"
    headers = keyed(helper)

    def dies(*args, **kwargs):
        raise sa.exc.OperationalError("UPDATE idempotency_keys", {}, Exception("connection lost"))

    monkeypatch.setattr(idempotency, "settle", dies)
    failed = client.post(url, json=ANSWER, headers=headers)
    assert failed.status_code == 503 and count(Answer) == 0
    assert count(IdempotencyKey) == 0
    monkeypatch.undo()
    retry = client.post(url, json=ANSWER, headers=headers)
    assert retry.status_code == 201 and count(Answer) == 1
    again = client.post(url, json=ANSWER, headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotency-Replayed") == "true"
    assert again.get_json()["id"] == retry.get_json()["id"] and count(Answer) == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "订单", "tab\there"])
def test_a_malformed_key_is_400(client, thread, key):
    question, _asker, helper = thread
    response = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER,
                           headers={**helper, "Idempotency-Key": key})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert count(Answer) == 0


def test_any_sane_token_is_a_key(client, thread):
    question, _asker, helper = thread
    url = f"{API}/questions/{question.id}/answers"
    for key in ("a", "x" * 255, "01JD3ZQ7X8M4K2P9B6W5N0RTYV", "Zm9vYmFy+/=="):
        first = client.post(url, json={"body": f"{ANSWER['body']} {key[:10]}"}, headers={**helper, "Idempotency-Key": key})
        assert first.status_code == 201
    assert count(Answer) == 4


def test_anonymous_and_sign_in_calls_ignore_the_header(client, thread):
    question, _asker, _helper = thread
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers).status_code == 401
    body = {"username": "helper", "password": "correct-horse-42"}
    tokens = [client.post(f"{API}/tokens", json=body, headers=headers) for _ in range(2)]
    assert [t.status_code for t in tokens] == [201, 201]
    assert tokens[0].get_json()["token"] != tokens[1].get_json()["token"]  # never stored, never replayed
    assert count(IdempotencyKey) == 0


def test_the_document_names_the_header(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    answer = paths["/questions/{question_id}/answers"]["post"]
    header = [p for p in answer["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["Idempotency-Key"] and header[0]["required"] is False
    assert {"409", "422"} <= set(answer["responses"])
    assert not [p for p in paths["/tokens"]["post"]["parameters"] if p["in"] == "header"]
    assert not [p for p in paths["/questions/{question_id}/answers"].get("get", {}).get("parameters", [])
                if p["in"] == "header"]


# --- races -----------------------------------------------------------------------------------------

def _waiting_on_a_lock(app, timeout: float) -> None:
    """Until another PostgreSQL session waits on a lock (the duplicate's INSERT behind our
    uncommitted key), or the timeout: the overlap is then merely likely, and the test holds anyway."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            wait_until(lambda: conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar(), timeout, interval=0.02, strict=False)
    finally:
        engine.dispose()


def test_simultaneous_duplicates_create_one_answer(app, client, thread, monkeypatch):
    """Two requests with one key at once (a retry that overtakes its original on another node): one
    answer. On PostgreSQL the first request holds its answer back until the second is seen waiting
    for the key, so the two overlap for certain; on SQLite writers take turns anyway."""
    from forum.questions import services

    question, _asker, helper = thread
    url = f"{API}/questions/{question.id}/answers"
    headers = keyed(helper)
    post_answer = services.post_answer
    first_in = threading.Event()

    def held_back(*args, **kwargs):
        if not first_in.is_set():
            first_in.set()
            if app.config["TEST_BACKEND"] == "postgresql":
                _waiting_on_a_lock(app, 20)
        return post_answer(*args, **kwargs)

    monkeypatch.setattr(services, "post_answer", held_back)
    db.session.commit()
    barrier = threading.Barrier(2)

    def send(_i):
        c = FlaskClient(app, app.response_class)
        barrier.wait()
        return c.post(url, json=ANSWER, headers=headers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(send, range(2)))
    assert count(Answer) == 1
    fresh = [r for r in responses if r.status_code == 201 and "Idempotency-Replayed" not in r.headers]
    assert len(fresh) == 1, [(r.status_code, r.get_data()) for r in responses]
    other = next(r for r in responses if r is not fresh[0])
    if other.status_code == 201:
        assert_replay(fresh[0], other)
    else:
        assert other.status_code == 409 and other.headers["Retry-After"] == "1"
    assert_replay(fresh[0], client.post(url, json=ANSWER, headers=headers))
    assert count(IdempotencyKey) == 1
