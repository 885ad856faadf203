"""The vote rules through the service, no HTTP: up, down, change, withdraw; who may vote; the score
and the reputation moving together, in one transaction, by SQL expressions; posts that are deleted,
held or locked; serial voting reversed by the daily job.

(Reputation amounts, the daily cap and voting rings are pinned in tests/reputation/; parallel
requests of one vote in tests/test_concurrency.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.errors import NotFound, PermissionDenied
from forum.extensions import db
from forum.moderation import services as moderation
from forum.moderation.models import ReviewItem
from forum.questions import services as questions
from forum.questions.models import Answer
from forum.reputation import services as reputation
from forum.reputation.models import ReputationEvent
from forum.reputation.rules import Kind
from forum.votes.models import Vote
from forum.votes.services import cast_vote, reverse_serial_votes


def rep(user) -> int:
    return db.session.scalar(sa.select(User.reputation).where(User.id == user.id))


def score(post) -> int:
    model = type(post)
    return db.session.scalar(sa.select(model.score).where(model.id == post.id))


def votes_on(post) -> list[tuple[int, int]]:
    """(voter id, value) of every vote row on the post."""
    column = Vote.answer_id if isinstance(post, Answer) else Vote.question_id
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Vote.user_id, Vote.value).where(column == post.id).order_by(Vote.user_id)
        )
    ]


def live_events(post) -> list[tuple[str, int]]:
    """(kind, user id) of the post's vote events that are not reversed (nor reversals)."""
    column = ReputationEvent.answer_id if isinstance(post, Answer) else ReputationEvent.question_id
    events = db.session.scalars(
        sa.select(ReputationEvent).where(column == post.id).order_by(ReputationEvent.id)
    ).all()
    reversed_ids = {e.reversal_of_id for e in events if e.reversal_of_id is not None}
    return [
        (Kind(e.kind).value, e.user_id)
        for e in events
        if e.reversal_of_id is None and e.id not in reversed_ids and Kind(e.kind) is not Kind.GRANTED
    ]


def ledger_agrees() -> bool:
    return reputation.recompute(fix=False) == []


# --- up, down, change, withdraw -----------------------------------------------------------------------------


def test_a_question_voted_up_changed_to_down_and_withdrawn(create_user, create_question):
    asker = create_user(reputation=50)
    q = create_question(asker)
    voter = create_user(reputation=200)
    assert cast_vote(voter, value=1, question_id=q.id) == (1, 1)
    assert votes_on(q) == [(voter.id, 1)] and rep(asker) == 55
    assert live_events(q) == [("question_upvoted", asker.id)]
    assert cast_vote(voter, value=-1, question_id=q.id) == (-1, -1)
    assert votes_on(q) == [(voter.id, -1)] and rep(asker) == 48 and rep(voter) == 200  # no cost for questions
    assert live_events(q) == [("question_downvoted", asker.id)]
    assert cast_vote(voter, value=0, question_id=q.id) == (0, 0)
    assert votes_on(q) == [] and live_events(q) == [] and rep(asker) == 50
    assert ledger_agrees()


def test_an_answer_voted_down_then_up_moves_the_voters_own_cost_back(
    create_user, create_question, create_answer
):
    helper = create_user(reputation=50)
    a = create_answer(create_question(), helper)
    critic = create_user(reputation=130)
    cast_vote(critic, value=-1, answer_id=a.id)
    assert live_events(a) == [("answer_downvoted", helper.id), ("downvoted_answer", critic.id)]
    assert (score(a), rep(helper), rep(critic)) == (-1, 48, 129)
    assert cast_vote(critic, value=1, answer_id=a.id) == (1, 1)
    assert live_events(a) == [("answer_upvoted", helper.id)]
    assert (score(a), rep(helper), rep(critic)) == (1, 60, 130)
    assert ledger_agrees()


def test_the_score_sums_every_members_vote(create_user, create_question, create_answer, vote):
    a = create_answer(create_question())
    for value in (1, 1, 1, -1, -1):
        vote(a, value)
    assert score(a) == 1 and sorted(v for _u, v in votes_on(a)) == [-1, -1, 1, 1, 1]


def test_withdrawing_a_vote_never_cast_changes_nothing(create_user, create_question):
    q = create_question()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(ReputationEvent))
    assert cast_vote(create_user(), value=0, question_id=q.id) == (0, 0)
    assert votes_on(q) == [] and score(q) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReputationEvent)) == events


def test_repeating_a_downvote_charges_once(create_user, create_question, create_answer):
    helper = create_user(reputation=50)
    a = create_answer(create_question(), helper)
    critic = create_user(reputation=200)
    for _ in range(3):
        assert cast_vote(critic, value=-1, answer_id=a.id) == (-1, -1)
    assert (rep(helper), rep(critic)) == (48, 199) and len(live_events(a)) == 2


# --- who may vote -------------------------------------------------------------------------------------------


def test_nobody_votes_on_their_own_answer_and_the_score_stays(create_user, create_question, create_answer):
    a = create_answer(create_question())
    for value in (1, -1, 0):
        with pytest.raises(PermissionDenied) as err:
            cast_vote(a.author, value=value, answer_id=a.id)
        assert err.value.code == "own_post"
    assert score(a) == 0 and votes_on(a) == []


def test_thresholds_come_from_the_privilege_settings(app, monkeypatch, create_user, create_question):
    monkeypatch.setitem(app.config, "FORUM_PRIVILEGES", {"upvote": 15, "downvote": 50})
    q = create_question()
    with pytest.raises(PermissionDenied) as err:
        cast_vote(create_user(reputation=14), value=1, question_id=q.id)
    assert err.value.code == "privilege"
    assert cast_vote(create_user(reputation=15), value=1, question_id=q.id) == (1, 1)
    with pytest.raises(PermissionDenied) as err:
        cast_vote(create_user(reputation=49), value=-1, question_id=q.id)
    assert err.value.code == "privilege" and "50" in err.value.message
    assert cast_vote(create_user(reputation=50), value=-1, question_id=q.id) == (0, -1)
    assert len(votes_on(q)) == 2


def test_withdrawing_needs_no_privilege(app, monkeypatch, create_user, create_question):
    """A member who lost the reputation for a downvote can still take it back."""
    q = create_question()
    critic = create_user(reputation=125)
    cast_vote(critic, value=-1, question_id=q.id)
    db.session.execute(sa.update(User).where(User.id == critic.id).values(reputation=10))
    db.session.commit()
    db.session.refresh(critic)
    assert cast_vote(critic, value=0, question_id=q.id) == (0, 0)
    assert votes_on(q) == []


def test_moderators_hold_every_voting_privilege(create_user, create_question, moderator):
    q = create_question()
    assert moderator.reputation == 1
    assert cast_vote(moderator, value=-1, question_id=q.id) == (-1, -1)


def test_a_suspended_member_cannot_vote(create_user, create_question, moderator):
    q = create_question()
    member = create_user(reputation=500)
    moderation.suspend_member(
        moderator,
        member.username,
        reason="repeated rude replies to other members",
        until=(utcnow() + timedelta(days=3)).isoformat(),
    )
    db.session.refresh(member)
    with pytest.raises(PermissionDenied) as err:
        cast_vote(member, value=1, question_id=q.id)
    assert err.value.code == "suspended"
    assert votes_on(q) == []


def test_a_locked_thread_takes_votes_from_moderators_only(
    create_user, create_question, create_answer, moderator
):
    q = create_question()
    a = create_answer(q)
    moderation.set_locked(moderator, q.id, True, note="heated argument about refunds")
    for target in ({"question_id": q.id}, {"answer_id": a.id}):
        with pytest.raises(PermissionDenied) as err:
            cast_vote(create_user(), value=1, **target)
        assert err.value.code == "locked"
    assert cast_vote(moderator, value=1, answer_id=a.id) == (1, 1)
    assert score(q) == 0 and score(a) == 1


# --- deleted and held posts ---------------------------------------------------------------------------------


def test_deleted_posts_take_no_votes(create_user, create_question, create_answer, moderator):
    q = create_question()
    a = create_answer(q)
    gone = create_answer(q)
    questions.delete_answer(gone.author, gone.id)
    voter = create_user()
    with pytest.raises(NotFound):
        cast_vote(voter, value=1, answer_id=gone.id)
    questions.delete_question(moderator, q.id)  # a thread with answers: only moderators delete it
    for target in ({"question_id": q.id}, {"answer_id": a.id}):  # an answer in a deleted thread too
        with pytest.raises(NotFound):
            cast_vote(voter, value=1, **target)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0


def test_a_vote_on_a_post_deleted_later_cannot_be_changed(create_user, create_question, create_answer, vote):
    a = create_answer(create_question())
    voter = vote(a)
    questions.delete_answer(a.author, a.id)
    with pytest.raises(NotFound):
        cast_vote(voter, value=0, answer_id=a.id)
    assert rep(a.author) == 1  # the deletion took the vote's reputation back
    assert ledger_agrees()


def test_held_posts_take_no_votes_until_approved(
    create_user, create_question, create_held_question, create_held_answer, moderator
):
    held_q = create_held_question()
    held_a = create_held_answer(create_question())
    for target in ({"question_id": held_q.id}, {"answer_id": held_a.id}):
        for voter in (create_user(), moderator):  # not even a moderator, who can see it
            with pytest.raises(NotFound):
                cast_vote(voter, value=1, **target)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
    item = db.session.scalar(sa.select(ReviewItem).where(ReviewItem.answer_id == held_a.id))
    moderation.resolve_review(moderator, item.id, action="approve")
    assert cast_vote(create_user(), value=1, answer_id=held_a.id) == (1, 1)


# --- one transaction, SQL expressions -----------------------------------------------------------------------


def test_the_score_is_added_in_sql_not_from_a_stale_copy(create_user, create_question, create_answer):
    a = create_answer(create_question())
    assert a.score == 0  # loaded in this session
    db.session.execute(sa.update(Answer).where(Answer.id == a.id).values(score=5))  # as another request did
    assert cast_vote(create_user(), value=1, answer_id=a.id) == (6, 1)
    assert score(a) == 6


def test_a_failure_after_the_score_changed_leaves_nothing_behind(
    monkeypatch, create_user, create_question, create_answer
):
    """The score, the vote row and the reputation change together or not at all."""
    helper = create_user(reputation=50)
    a = create_answer(create_question(), helper)
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr(reputation.Ledger, "write", broken)
    with pytest.raises(RuntimeError):
        cast_vote(create_user(), value=1, answer_id=a.id)
    db.session.rollback()  # what the request boundary does with an error
    assert (score(a), votes_on(a), rep(helper), live_events(a)) == (0, [], 50, [])


def test_score_and_ledger_agree_after_a_mixed_history(create_user, create_question, create_answer):
    q = create_question(create_user(reputation=40))
    a = create_answer(q, create_user(reputation=40))
    voters = [create_user(reputation=300) for _ in range(4)]
    for voter, values in zip(voters, [(1, -1), (-1, 0, 1), (1, 0), (-1,)]):
        for value in values:
            cast_vote(voter, value=value, answer_id=a.id)
            cast_vote(voter, value=-value, question_id=q.id)
    assert score(a) == sum(v for _u, v in votes_on(a)) == -1
    assert score(q) == sum(v for _u, v in votes_on(q)) == 1
    assert ledger_agrees()


# --- serial voting ------------------------------------------------------------------------------------------


def test_serial_downvoting_is_reversed_and_the_critics_cost_refunded(
    create_user, create_question, create_answer, runner
):
    target = create_user(reputation=100)
    critic = create_user(reputation=300)
    answers = [create_answer(create_question(), target) for _ in range(4)]
    for a in answers:
        cast_vote(critic, value=-1, answer_id=a.id)
    assert (rep(target), rep(critic)) == (92, 296)
    result = runner.invoke(args=["votes", "reverse-serial", "--threshold", "4"])
    assert result.exit_code == 0, result.output
    assert f"reversed 4 votes by {critic.username} on posts by {target.username}" in result.output
    assert "1 cases of serial voting reversed" in result.output
    assert (rep(target), rep(critic)) == (100, 300)
    assert [score(a) for a in answers] == [0, 0, 0, 0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
    assert ledger_agrees()


def test_serial_voting_counts_only_votes_inside_the_window(create_user, create_question, create_answer):
    target, fan = create_user(), create_user()
    questions_ = [create_question(target) for _ in range(4)]
    for q in questions_:
        cast_vote(fan, value=1, question_id=q.id)
    db.session.execute(
        sa.update(Vote)
        .where(Vote.question_id == questions_[0].id)
        .values(created_at=utcnow() - timedelta(hours=30))
    )
    db.session.commit()
    assert reverse_serial_votes(hours=24, threshold=4) == []  # three in the last day
    assert [score(q) for q in questions_] == [1, 1, 1, 1]
    [found] = reverse_serial_votes(hours=48, threshold=4)
    assert (found.voter, found.author, found.votes, found.kind) == (
        fan.username,
        target.username,
        4,
        "serial",
    )
    assert [score(q) for q in questions_] == [0, 0, 0, 0]


def test_the_command_says_when_nothing_was_found(runner, create_user, create_question, vote):
    vote(create_question())
    result = runner.invoke(args=["votes", "reverse-serial"])
    assert result.exit_code == 0 and "0 cases of serial voting reversed" in result.output
    assert "voting ring" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 1
