"""Checks that must hold however many requests arrive at once (issue 14, findings 6, 7 and 8):
account lockout, single-use recovery codes, new-member pacing. Each test fires its requests from
threads, each with its own test client, released together by a barrier; PostgreSQL is where they
raced, SQLite must hold too."""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask.testing import FlaskClient

from forum.auth import services as auth_services
from forum.auth.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.questions.models import Answer, Comment, Question
from tests.fixtures.auth import PASSWORD

ATTEMPTS = 5  # FORUM_LOCKOUT_ATTEMPTS


def race(app, count: int, send):
    """Call send(client, i) for i in range(count) at once, each in its own thread with its own test
    client (its own cookies, request context and database session); returns the responses."""
    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    barrier = threading.Barrier(count)

    def one(i):
        client = FlaskClient(app, app.response_class, use_cookies=True)
        prepare = getattr(send, "prepare", None)
        if prepare:
            prepare(client, i)
        barrier.wait()
        return send(client, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        responses = list(pool.map(one, range(count)))
    db.session.expire_all()
    return responses


def from_address(i: int) -> dict:
    """Each guess from an address of its own, as a botnet sends them (the per-address throttle is
    another defence)."""
    return {"REMOTE_ADDR": f"10.14.{i // 250}.{i % 250 + 1}"}


@pytest.fixture
def hash_checks(monkeypatch):
    """Every argon2 verification, as (hash, password)."""
    seen: list[tuple[str, str]] = []
    verify = PasswordHasher.verify

    def counting(self, hash, password):
        seen.append((hash, password))
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return seen


@pytest.fixture
def code_checks(monkeypatch):
    """Every second-step code that reached the TOTP check."""
    seen: list[str] = []
    valid_step = auth_services._valid_step

    def counting(secret, code):
        seen.append(code)
        return valid_step(secret, code)

    monkeypatch.setattr(auth_services, "_valid_step", counting)
    return seen


def _checks_of(user, checks) -> list[str]:
    return [password for hash, password in checks if hash == user.password_hash]


def _sign_in_api(username, password, **extra):
    def send(client, i):
        return client.post("/api/v1/tokens", json={"username": username, "password": password(i), **extra},
                           environ_base=from_address(i))
    return send


def _sign_in_page(username, password):
    def send(client, i):
        return client.post("/login", data={"login": username, "password": password(i)}, environ_base=from_address(i))
    return send


# --- finding 6: lockout ----------------------------------------------------------------------------

def test_forty_parallel_guesses_check_at_most_five_wrong_passwords(app, ctx, create_user, hash_checks):
    user = create_user("parallel_target")
    right = 17
    responses = race(app, 40, _sign_in_api("parallel_target", lambda i: PASSWORD if i == right else f"guess-{i:03d}"))
    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 401, 423}, codes
    wrong = [p for p in _checks_of(user, hash_checks) if p != PASSWORD]
    assert len(wrong) <= ATTEMPTS, len(wrong)
    assert codes.count(201) <= 1
    if codes[right] == 201:
        assert PASSWORD in _checks_of(user, hash_checks)


@pytest.mark.parametrize("entry", ["api", "page"])
def test_a_lock_reached_in_parallel_holds_against_the_right_password(app, ctx, create_user, hash_checks, entry):
    user = create_user(f"locked_{entry}")
    sign_in = (_sign_in_api if entry == "api" else _sign_in_page)(user.username, lambda i: f"guess-{i:03d}")
    responses = race(app, 30, sign_in)
    assert len(_checks_of(user, hash_checks)) == ATTEMPTS
    assert {r.status_code for r in responses} <= {401, 423}
    assert [r.status_code for r in responses].count(423) >= 30 - ATTEMPTS + 1
    # The right password now neither gets in nor lifts the lock, on either way in.
    client = app.test_client()
    assert client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD}).status_code == 423
    assert client.post("/login", data={"login": user.username, "password": PASSWORD}).status_code == 423
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    assert _checks_of(user, hash_checks).count(PASSWORD) == 0


def _with_two_step(user) -> tuple[pyotp.TOTP, list[str]]:
    secret, _uri = auth_services.start_totp(user)
    totp = pyotp.TOTP(secret)
    codes = auth_services.confirm_totp(user, totp.now())
    return totp, codes


def _second_step_page(user, code):
    pending = {"user": user.get_id(), "remember": False, "next": "/"}

    def send(client, i):
        return client.post("/login/2fa", data={"code": code(i)}, environ_base=from_address(i))

    def prepare(client, i):
        with client.session_transaction() as session:
            session["2fa"] = pending

    send.prepare = prepare
    return send


def _wrong_codes(totp: pyotp.TOTP, count: int) -> list[str]:
    now = int(time.time())
    valid = {totp.at(now + drift) for drift in (-60, -30, 0, 30, 60)}
    return [code for code in (f"{n:06d}" for n in range(count + len(valid))) if code not in valid][:count]


@pytest.mark.parametrize("entry", ["api", "page"])
def test_parallel_second_step_guesses_reach_the_check_a_bounded_number_of_times(app, ctx, create_user, code_checks, entry):
    user = create_user(f"two_step_{entry}")
    totp, _codes = _with_two_step(user)
    wrong, username = _wrong_codes(totp, 30), user.username
    code_checks.clear()  # the enrolment's own code
    if entry == "api":
        responses = race(app, 30, lambda client, i: client.post(
            "/api/v1/tokens", json={"username": username, "password": PASSWORD, "otp": wrong[i]},
            environ_base=from_address(i)))
    else:
        responses = race(app, 30, _second_step_page(user, lambda i: wrong[i]))
    # Strangers' window allows ATTEMPTS; whoever knows the password has, once, the lockout
    # exemption's own budget of ATTEMPTS more (renewed only by a complete sign-in): never more.
    assert len(code_checks) <= 2 * ATTEMPTS, len(code_checks)
    assert {r.status_code for r in responses} <= {401, 423}
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


# --- finding 7: recovery codes ----------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["api", "page"])
def test_a_recovery_code_signs_in_once_however_many_requests_bring_it(app, ctx, create_user, entry):
    user = create_user(f"recovering_{entry}")
    _totp, codes = _with_two_step(user)
    code, username = codes[3], user.username
    if entry == "api":
        responses = race(app, 8, lambda client, i: client.post(
            "/api/v1/tokens", json={"username": username, "password": PASSWORD, "otp": code},
            environ_base=from_address(i)))
        signed_in = [r for r in responses if r.status_code == 201]
        assert {r.status_code for r in responses} - {201} <= {401, 423}
    else:
        responses = race(app, 8, _second_step_page(user, lambda i: code))
        signed_in = [r for r in responses if r.status_code == 302]
        assert {r.status_code for r in responses} - {302} <= {401, 423}
    # Exactly one gets in; the seven repeats are wrong codes, and count toward the lockout.
    assert len(signed_in) == 1, [r.status_code for r in responses]
    db.session.expire_all()
    left = db.session.get(User, user.id).recovery_codes.split()
    assert len(left) == len(codes) - 1 and auth_services._token_digest(code) not in left
    db.session.execute(sa.update(User).where(User.id == user.id).values(locked_until=utcnow()))  # the lock ran out
    db.session.commit()
    # The other codes still work, once each.
    auth_services.check_second_factor(user, codes[0])
    with pytest.raises(auth_services.AuthenticationFailed):
        auth_services.check_second_factor(user, codes[0])


# --- finding 8: new-member pacing --------------------------------------------------------------------

@pytest.fixture
def pacing(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_RATE_LIMITS", True)


def _posts_by(user) -> int:
    return sum(db.session.query(model).filter(model.author_id == user.id).count()
               for model in (Question, Answer, Comment))


def _api_write(kind: str, q, headers):
    qid = q.id if q is not None else None

    def send(client, i):
        if kind == "question":
            return client.post("/api/v1/questions", headers=headers, json={
                "title": f"并发提问的标题，第 {i} 个问题", "body": f"并发提问的正文：订单一直显示处理中，第 {i} 次。",
                "tags": ["订单"], "category": "orders"})
        if kind == "answer":
            return client.post(f"/api/v1/questions/{qid}/answers", headers=headers,
                               json={"body": f"并发回答：先在订单详情里申请退款，第 {i} 个回答。"})
        return client.post(f"/api/v1/questions/{qid}/comments", headers=headers, json={"body": f"并发评论第 {i} 条"})
    return send


@pytest.mark.parametrize("kind", ["question", "answer", "comment"])
def test_a_new_member_posts_once_per_interval_however_many_arrive(app, ctx, pacing, create_user, create_question,
                                                                  token_for, kind):
    q = create_question()
    newcomer = create_user(reputation=1)
    responses = race(app, 15, _api_write(kind, q, token_for(newcomer)))
    assert sorted(r.status_code for r in responses) == [201] + [429] * 14
    assert _posts_by(newcomer) == 1


def test_restricted_members_are_paced_in_parallel(app, ctx, pacing, create_user, token_for):
    member = create_user(reputation=50)  # past the new-member pace; a moderator restricted their posting
    db.session.execute(sa.update(User).where(User.id == member.id).values(
        posting_restricted_until=utcnow() + timedelta(days=1), posting_restriction_reason="刷屏"))
    responses = race(app, 12, _api_write("question", None, token_for(member)))
    assert sorted(r.status_code for r in responses) == [201] + [429] * 11
    assert db.session.query(Question).filter(Question.author_id == member.id).count() == 1


def test_the_daily_question_budget_holds_in_parallel(app, ctx, pacing, monkeypatch, create_user, token_for):
    monkeypatch.setitem(app.config, "FORUM_POST_INTERVAL_SECONDS", 0)  # the budget alone
    monkeypatch.setitem(app.config, "FORUM_NEW_MEMBER_QUESTIONS_PER_DAY", 3)
    newcomer = create_user(reputation=1)
    responses = race(app, 12, _api_write("question", None, token_for(newcomer)))
    assert sorted(r.status_code for r in responses) == [201] * 3 + [429] * 9
    assert db.session.query(Question).filter(Question.author_id == newcomer.id).count() == 3


def test_pages_and_api_mixed_make_one_post_per_interval(app, ctx, pacing, create_user, create_question, token_for):
    q = create_question()
    newcomer = create_user(reputation=1)
    api = [_api_write(kind, q, token_for(newcomer)) for kind in ("question", "answer", "comment")]
    qid, session_id = q.id, newcomer.get_id()

    def page(client, i):
        if i % 2:
            return client.post(f"/questions/{qid}/answers", data={"body": f"页面并发回答：第 {i} 个回答的内容。"})
        return client.post(f"/questions/{qid}/comments", data={"body": f"页面并发评论 {i}"})

    def send(client, i):
        return api[i % 3](client, i) if i < 9 else page(client, i)

    def signed_in_browser(client, i):
        with client.session_transaction() as session:
            session["_user_id"] = session_id

    send.prepare = signed_in_browser
    responses = race(app, 16, send)
    assert {r.status_code for r in responses} <= {201, 302, 422, 429}  # pages show the wait on the form (422)
    assert _posts_by(newcomer) == 1


def test_at_most_five_questions_are_pinned_however_many_pins_arrive_at_once(app, ctx, create_user, create_question,
                                                                             token_for):
    from forum.moderation.services import MAX_PINNED

    ids = [create_question().id for _ in range(MAX_PINNED + 3)]
    headers = token_for(create_user(role="staff"))
    responses = race(app, len(ids), lambda client, i: client.put(
        f"/api/v1/questions/{ids[i]}/pin", json={}, headers=headers))
    assert sorted(r.status_code for r in responses) == [200] * MAX_PINNED + [409] * 3
    assert all(r.get_json()["error"]["code"] == "too_many_pinned" for r in responses if r.status_code == 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                             .where(Question.pinned_at.is_not(None))) == MAX_PINNED
