"""Casting votes and reversing serial voting.

One vote per member per post is enforced by the database (unique constraints); the post's score
changes by an SQL expression in the same transaction as the vote and its reputation events, so
concurrent votes are never lost and a repeated vote never counts twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from forum.auth.models import Role, User
from forum.core import signals
from forum.core.db import insert_ignoring_conflicts, utcnow
from forum.core.errors import NotFound, PermissionDenied
from forum.core.permissions import Privilege, can, ensure_not_suspended, is_moderator, signed_in, threshold
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.questions.services import get_answer_in_thread, get_question
from forum.reputation import services as reputation
from forum.reputation.badges import SCORE_BADGES, award
from forum.reputation.rules import VOTE_EVENTS, VOTE_KINDS, vote_reputation_min
from forum.votes.models import Vote
from forum.votes.schemas import CastVote

log = logging.getLogger(__name__)


def _insert_vote(**values) -> bool:
    """Insert unless the (voter, post) row exists; True when this call inserted it."""
    target = ["user_id", "answer_id"] if values.get("answer_id") is not None else ["user_id", "question_id"]
    return insert_ignoring_conflicts(Vote, values, target, returning=Vote.id) is not None


def cast_vote(actor, *, value, question_id=None, answer_id=None) -> tuple[int, int]:
    """Set the actor's vote on a post to 1, -1 or 0 (withdraw); returns (score, my_vote).

    Any signed-in member may vote up; voting down needs the downvote privilege; nobody votes on
    their own posts. Repeating a vote changes nothing. Reputation follows the vote in the same
    transaction. Raises NotFound, PermissionDenied (code own_post / privilege), ValidationFailed.
    """
    vote = CastVote.parse({"value": value, "question_id": question_id, "answer_id": answer_id})
    value, question_id, answer_id = vote.value, vote.question_id, vote.answer_id
    is_answer = answer_id is not None
    if is_answer:
        post, question = get_answer_in_thread(answer_id)
    else:
        post = question = get_question(question_id)
    model = Answer if is_answer else Question
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in to vote."), code="unauthorized")
    if post.author_id == actor.id:
        raise PermissionDenied(_("You cannot vote on your own post."), code="own_post")
    ensure_not_suspended(actor)
    if question.is_locked and not is_moderator(actor):
        raise PermissionDenied(_("This thread is locked by a moderator: it takes no new votes."), code="locked")
    if value == 1 and not can(actor, Privilege.UPVOTE):
        raise PermissionDenied(_("You cannot vote yet."), code="privilege")
    if value == -1 and not can(actor, Privilege.DOWNVOTE):
        raise PermissionDenied(_("Voting down needs %(rep)d reputation.", rep=threshold(Privilege.DOWNVOTE)),
                               code="privilege")
    target = {"answer_id": post.id} if is_answer else {"question_id": post.id}
    key = Vote.answer_id if is_answer else Vote.question_id
    now = utcnow()
    # Lock the post and look again: a deletion that committed meanwhile wins (its reputation
    # reversal must not miss this vote).
    deleted = db.session.scalar(sa.select(model.deleted_at).where(model.id == post.id)
                                .with_for_update(of=model, key_share=True))
    if deleted is not None:
        raise NotFound(_("This post was deleted."))

    def locked_vote():
        return db.session.scalar(sa.select(Vote).where(Vote.user_id == actor.id, key == post.id)
                                 .with_for_update(key_share=True).execution_options(populate_existing=True))

    existing = locked_vote()
    if existing is None and value != 0 and _insert_vote(user_id=actor.id, value=value, created_at=now,
                                                        updated_at=now, **target):
        old = 0
    else:
        if existing is None:
            existing = locked_vote()  # a concurrent request inserted it first
        old = existing.value if existing is not None else 0
        if old == value:  # nothing to change (the locks are released with the transaction)
            score = db.session.scalar(sa.select(model.score).where(model.id == post.id))
            return score, value
        if value == 0:
            db.session.delete(existing)
        else:
            existing.value = value
            existing.updated_at = now
    db.session.execute(sa.update(model).where(model.id == post.id).values(score=model.score + (value - old)))
    _move_reputation(actor.id, post, is_answer, old, value, moves_reputation=_vote_moves_reputation(actor, value))
    db.session.flush()
    score = db.session.scalar(sa.select(model.score).where(model.id == post.id))
    if is_answer and value == 1:
        for minimum, badge in SCORE_BADGES:
            if score >= minimum:
                award(post.author_id, badge, question_id=post.question_id, answer_id=post.id)
    signals.vote_cast.send(post, actor=actor, value=value, previous=old)
    db.session.flush()
    return score, value


def _vote_moves_reputation(actor, value: int) -> bool:
    """An upvote from a member below FORUM_VOTE_REPUTATION_MIN counts in the score (an asker keeps
    voting for the answer that helped) but gives the author nothing: new sock-puppet accounts
    cannot farm reputation. Moderators and staff always count."""
    return value != 1 or actor.role.is_moderator or actor.reputation >= vote_reputation_min()


def _move_reputation(voter_id: int, post, is_answer: bool, old: int, new: int, *,
                     moves_reputation: bool = True) -> None:
    # Lock both members' rows in id order, so that two members voting on each other's posts at
    # the same moment cannot deadlock (PostgreSQL).
    db.session.execute(sa.select(User.id).where(User.id.in_([voter_id, post.author_id])).order_by(User.id)
                       .with_for_update(key_share=True))
    post_ref = {"answer_id": post.id} if is_answer else {"question_id": post.id}
    if old != 0:
        reputation.reverse(reputation.active_events(kinds=VOTE_KINDS, actor_id=voter_id, **post_ref),
                           note="vote changed" if new else "vote withdrawn")
    if new != 0 and moves_reputation:
        for kind, whose in VOTE_EVENTS[("answer" if is_answer else "question", new)]:
            reputation.record(post.author_id if whose == "author" else voter_id, kind, actor_id=voter_id,
                              **post_ref)


@dataclass
class SerialVoting:
    voter: str
    author: str
    votes: int
    kind: str = "serial"  # "serial" (one voter, many votes) or "ring" (several new accounts, one author)


def reverse_serial_votes(*, hours: int | None = None, threshold: int | None = None, now=None) -> list[SerialVoting]:
    """Find and reverse manipulated votes: the votes are removed, the scores and the reputation go
    back, and each reversal is logged. Meant to run daily (`flask --app forum votes reverse-serial`).

    Two patterns, both detected after the fact:
    - serial voting: one member voted on one author's posts `threshold` times or more within `hours`;
    - voting rings: FORUM_VOTE_RING_VOTERS or more accounts younger than FORUM_VOTE_RING_ACCOUNT_DAYS
      each gave one author FORUM_VOTE_RING_VOTES upvotes or more within that time, on posts outside
      their own questions (an asker voting for answers to their own question is not a ring).
    Commits.
    """
    config = current_app.config
    hours = hours or int(config.get("FORUM_SERIAL_VOTE_HOURS", 24))
    threshold = threshold or int(config.get("FORUM_SERIAL_VOTE_THRESHOLD", 10))
    now = now or utcnow()
    since = now - timedelta(hours=hours)
    author = sa.func.coalesce(Question.author_id, Answer.author_id)
    base = (sa.select(Vote.id, Vote.user_id.label("voter_id"), author.label("author_id"))
            .outerjoin(Question, Question.id == Vote.question_id)
            .outerjoin(Answer, Answer.id == Vote.answer_id)
            .where(Vote.created_at >= since)).subquery()
    pairs = db.session.execute(
        sa.select(base.c.voter_id, base.c.author_id, sa.func.count()).group_by(base.c.voter_id, base.c.author_id)
        .having(sa.func.count() >= threshold)
    ).all()
    found = []
    for voter_id, author_id, count in pairs:
        vote_ids = [row.id for row in db.session.execute(
            sa.select(base.c.id).where(base.c.voter_id == voter_id, base.c.author_id == author_id))]
        _reverse_votes(vote_ids, voter_id, "serial voting reversed")
        found.append(_report(voter_id, author_id, count, hours, "serial"))
    for voter_id, author_id, vote_ids in _ring_votes(now):
        _reverse_votes(vote_ids, voter_id, "voting ring reversed")
        found.append(_report(voter_id, author_id, len(vote_ids), hours, "ring"))
    db.session.flush()
    return found


def _ring_votes(now) -> list[tuple[int, int, list[int]]]:
    """(voter, author, vote ids) of every voting ring: see reverse_serial_votes."""
    config = current_app.config
    min_voters = max(2, int(config.get("FORUM_VOTE_RING_VOTERS", 3)))
    min_votes = max(1, int(config.get("FORUM_VOTE_RING_VOTES", 2)))
    new_since = now - timedelta(days=max(1, int(config.get("FORUM_VOTE_RING_ACCOUNT_DAYS", 30))))
    voter = aliased(User)
    thread = aliased(Question)  # an answer's question, to leave out askers' votes on their own thread
    author = sa.func.coalesce(Question.author_id, Answer.author_id)
    asker = sa.func.coalesce(Question.author_id, thread.author_id)
    rows = db.session.execute(
        sa.select(Vote.id, Vote.user_id, author.label("author_id"))
        .join(voter, voter.id == Vote.user_id)
        .outerjoin(Question, Question.id == Vote.question_id)
        .outerjoin(Answer, Answer.id == Vote.answer_id)
        .outerjoin(thread, thread.id == Answer.question_id)
        .where(Vote.value == 1, Vote.created_at >= new_since, voter.created_at >= new_since,
               voter.role == Role.MEMBER, asker != Vote.user_id)
        .order_by(Vote.id)
    ).all()
    by_pair: dict[tuple[int, int], list[int]] = {}
    for vote_id, voter_id, author_id in rows:
        by_pair.setdefault((voter_id, author_id), []).append(vote_id)
    suspects: dict[int, list[tuple[int, list[int]]]] = {}
    for (voter_id, author_id), vote_ids in by_pair.items():
        if len(vote_ids) >= min_votes:
            suspects.setdefault(author_id, []).append((voter_id, vote_ids))
    return [(voter_id, author_id, vote_ids) for author_id, voters in sorted(suspects.items())
            if len(voters) >= min_voters for voter_id, vote_ids in voters]


def _reverse_votes(vote_ids: list[int], voter_id: int, note: str) -> None:
    for vote in db.session.scalars(sa.select(Vote).where(Vote.id.in_(vote_ids))):
        model, post_id = (Answer, vote.answer_id) if vote.answer_id else (Question, vote.question_id)
        db.session.execute(sa.update(model).where(model.id == post_id).values(score=model.score - vote.value))
        ref = {"answer_id": post_id} if vote.answer_id else {"question_id": post_id}
        reputation.reverse(reputation.active_events(kinds=VOTE_KINDS, actor_id=voter_id, **ref), note=note)
        db.session.delete(vote)
    db.session.flush()


def _report(voter_id: int, author_id: int, count: int, hours: int, kind: str) -> SerialVoting:
    voter = db.session.get(User, voter_id)
    target = db.session.get(User, author_id)
    if kind == "ring":
        log.warning("voting ring reversed: %s, a new account, voted %d times for posts by %s", voter.username,
                    count, target.username)
    else:
        log.warning("serial voting reversed: %s voted %d times on posts by %s within %d hours",
                    voter.username, count, target.username, hours)
    return SerialVoting(voter.username, target.username, count, kind)
