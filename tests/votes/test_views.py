"""Voting over HTTP: the thread page's form (plain POST or JSON for its script) and the API's
PUT /api/v1/.../vote. The rules themselves are in test_services.py; here, that each way in applies
them and answers with the right status, code and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.moderation import services as moderation
from forum.questions import services as questions
from forum.questions.models import Answer, Question
from forum.reputation import services as reputation
from forum.votes.models import Vote
from tests.test_races import race

JSON = {"Accept": "application/json", "Accept-Language": "en"}


def score(model, post_id) -> int:
    return db.session.scalar(sa.select(model.score).where(model.id == post_id))


def my_vote(user, answer) -> int | None:
    return db.session.scalar(
        sa.select(Vote.value).where(Vote.user_id == user.id, Vote.answer_id == answer.id)
    )


# --- the thread page ---------------------------------------------------------------------------------


def test_the_page_votes_up_changes_and_withdraws(client, create_user, create_question, create_answer, login):
    q = create_question()
    a = create_answer(q)
    voter = create_user(reputation=200)
    login(voter)
    url = f"/answers/{a.id}/vote"
    assert client.post(url, data={"value": "1"}, headers=JSON).get_json() == {"score": 1, "my_vote": 1}
    assert client.post(url, data={"value": "-1"}, headers=JSON).get_json() == {"score": -1, "my_vote": -1}
    assert my_vote(voter, a) == -1
    page = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert 'class="vote-button vote-down is-on"' in page
    assert client.post(url, data={"value": "0"}, headers=JSON).get_json() == {"score": 0, "my_vote": 0}
    assert my_vote(voter, a) is None and score(Answer, a.id) == 0
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/questions/{q.id}#question"
    )
    assert score(Question, q.id) == 1


def test_the_page_refuses_a_vote_below_the_threshold_and_says_why(
    app, monkeypatch, client, create_user, create_question, login
):
    monkeypatch.setitem(app.config, "FORUM_PRIVILEGES", {"upvote": 20})
    q = create_question()
    login(create_user(reputation=19))
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"}, headers=JSON)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "privilege"
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You cannot vote yet." in page
    assert score(Question, q.id) == 0


def test_the_page_answers_404_for_deleted_and_held_posts(
    client, create_user, create_question, create_answer, create_held_answer, login
):
    q = create_question()
    gone = create_answer(q)
    questions.delete_answer(gone.author, gone.id)
    held = create_held_answer(q)
    login(create_user())
    for post in (gone, held):
        assert client.post(f"/answers/{post.id}/vote", data={"value": "1"}).status_code == 404
        assert client.post(f"/answers/{post.id}/vote", data={"value": "1"}, headers=JSON).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0


def test_the_page_explains_a_locked_thread(client, create_user, create_question, moderator, login):
    q = create_question()
    moderation.set_locked(moderator, q.id, True, note="heated argument about refunds")
    login(create_user())
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "it takes no new votes" in page
    assert score(Question, q.id) == 0


# --- the API -------------------------------------------------------------------------------------------


def test_the_api_changes_a_vote_and_moves_reputation_with_it(
    client, create_user, create_question, create_answer, token_for
):
    helper = create_user(reputation=50)
    a = create_answer(create_question(), helper)
    critic = create_user(reputation=200)
    headers = token_for(critic)
    url = f"/api/v1/answers/{a.id}/vote"
    assert client.put(url, json={"value": 1}, headers=headers).get_json() == {"score": 1, "my_vote": 1}
    assert client.get(f"/api/v1/users/{helper.username}").get_json()["reputation"] == 60
    assert client.put(url, json={"value": -1}, headers=headers).get_json() == {"score": -1, "my_vote": -1}
    assert client.get(f"/api/v1/users/{helper.username}").get_json()["reputation"] == 48
    assert client.get(f"/api/v1/users/{critic.username}").get_json()["reputation"] == 199
    assert client.put(url, json={"value": 0}, headers=headers).get_json() == {"score": 0, "my_vote": 0}
    assert client.get(f"/api/v1/users/{helper.username}").get_json()["reputation"] == 50
    assert reputation.recompute(fix=False) == []


@pytest.mark.parametrize("state", ["deleted", "held"])
def test_the_api_answers_404_for_a_post_that_is_gone_or_held(
    client, create_user, create_question, create_held_question, moderator, token_for, state
):
    if state == "deleted":
        q = create_question()
        questions.delete_question(q.author, q.id)
    else:
        q = create_held_question()
    for who in (create_user(), moderator):
        response = client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=token_for(who))
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert score(Question, q.id) == 0


def test_the_api_refuses_suspended_members_and_locked_threads(
    client, create_user, create_question, moderator, token_for
):
    q = create_question()
    member = create_user(reputation=500)
    moderation.suspend_member(
        moderator,
        member.username,
        reason="repeated rude replies to other members",
        until=(utcnow() + timedelta(days=3)).isoformat(),
    )
    response = client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=token_for(member))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "suspended"
    moderation.set_locked(moderator, q.id, True, note="heated argument about refunds")
    response = client.put(
        f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=token_for(create_user())
    )
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "locked"
    response = client.put(f"/api/v1/questions/{q.id}/vote", json={"value": -1}, headers=token_for(moderator))
    assert response.status_code == 200 and response.get_json() == {"score": -1, "my_vote": -1}


# --- at once ---------------------------------------------------------------------------------------------


def test_one_member_sending_up_down_and_withdraw_at_once_leaves_a_consistent_state(
    app, ctx, create_user, create_question, create_answer, token_for
):
    """Twelve requests of one member, changing the vote every way at once: whichever order they
    commit in, the score is the one remaining vote and the reputation matches the ledger.
    (The same vote fired many times is tests/test_concurrency.py's.)"""
    helper = create_user(reputation=50)
    a = create_answer(create_question(), helper)
    critic = create_user(reputation=300)
    headers, aid = token_for(critic), a.id
    values = [1, -1, 0] * 4
    responses = race(
        app,
        len(values),
        lambda client, i: client.put(
            f"/api/v1/answers/{aid}/vote", json={"value": values[i]}, headers=headers
        ),
    )
    assert [r.status_code for r in responses] == [200] * len(values), [r.get_data() for r in responses]
    remaining = my_vote(critic, a) or 0
    assert score(Answer, aid) == remaining
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == (1 if remaining else 0)
    expected_helper = {1: 60, -1: 48, 0: 50}[remaining]
    assert db.session.scalar(sa.select(User.reputation).where(User.id == helper.id)) == expected_helper
    assert reputation.recompute(fix=False) == []


def test_two_members_voting_on_each_others_posts_at_once(
    app, ctx, create_user, create_question, create_answer, token_for
):
    """Each vote locks both members' rows; in id order, so crossing votes never deadlock (PostgreSQL)."""
    alice, bob = create_user(reputation=300), create_user(reputation=300)
    q = create_question()
    answers = {alice.id: create_answer(q, alice).id, bob.id: create_answer(q, bob).id}
    pairs = [(token_for(alice), answers[bob.id]), (token_for(bob), answers[alice.id])] * 4

    def send(client, i):
        headers, answer_id = pairs[i]
        return client.put(f"/api/v1/answers/{answer_id}/vote", json={"value": 1}, headers=headers)

    responses = race(app, len(pairs), send)
    assert [r.status_code for r in responses] == [200] * len(pairs), [r.get_data() for r in responses]
    assert sorted(score(Answer, aid) for aid in answers.values()) == [1, 1]
    assert db.session.scalar(sa.select(User.reputation).where(User.id == alice.id)) == 310
    assert reputation.recompute(fix=False) == []
