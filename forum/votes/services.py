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
from sqlalchemy.orm import aliased, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from forum.auth.models import Role, User
from forum.core import signals
from forum.core.db import insert_ignoring_conflicts, is_row_id, utcnow
from forum.core.errors import NotFound, PermissionDenied
from forum.core.permissions import Privilege, can, ensure_not_suspended, is_moderator, signed_in, threshold
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.questions.services import may_see
from forum.reputation import services as reputation
from forum.reputation.badges import SCORE_BADGES, award_all
from forum.reputation.models import Badge
from forum.reputation.rules import CAPPED_GAINS, VOTE_EVENTS, VOTE_KINDS, vote_reputation_min
from forum.votes.models import Vote
from forum.votes.schemas import CastVote

log = logging.getLogger(__name__)


def _locked_post(model, post_id):
    """The post, its thread and which score badges its author holds, in one statement that locks
    the post's row: a deletion, or another vote on it, that committed meanwhile is seen (votes on
    one post run one after the other). NotFound for unknown, deleted or held posts (as
    questions.services.get_answer_in_thread says it for any visitor)."""
    missing = NotFound(_("This answer does not exist or was deleted.") if model is Answer
                       else _("This question does not exist or was deleted."))
    if not is_row_id(post_id):
        raise missing
    if model is Answer:
        held = [sa.exists().where(Badge.user_id == Answer.author_id, Badge.kind == kind.value).label(kind.value)
                for _minimum, kind in SCORE_BADGES]
        query = (sa.select(Answer, Question, *held).join(Question, Question.id == Answer.question_id)
                 .options(lazyload(Answer.author), lazyload(Question.author), lazyload(Question.tags)))
    else:
        query = sa.select(Question).options(lazyload(Question.author), lazyload(Question.tags))
    row = db.session.execute(query.where(model.id == post_id).with_for_update(of=model, key_share=True)
                             .execution_options(populate_existing=True)).first()
    if row is None:
        raise missing
    post, question = (row[0], row[1]) if model is Answer else (row[0], row[0])
    for shown in {post, question}:
        if shown.is_deleted or not may_see(None, shown):
            raise missing
    held = row[2:] if model is Answer else ()
    return post, question, {kind for (_minimum, kind), has in zip(SCORE_BADGES, held) if has}


def _write_vote(voter_id: int, target: dict, value: int, now) -> int:
    """Make the member's vote on the post `value`; returns what it was (0: none). The caller holds
    the post's lock, so nothing else changes this vote meanwhile; the unique constraints stay the
    guard (ON CONFLICT). One statement for a new vote or a withdrawal, two for a change."""
    key = Vote.answer_id if "answer_id" in target else Vote.question_id
    mine = sa.and_(Vote.user_id == voter_id, key == next(iter(target.values())))
    if value == 0:
        return db.session.scalar(sa.delete(Vote).where(mine).returning(Vote.value)
                                 .execution_options(synchronize_session=False)) or 0
    conflict = ["user_id", next(iter(target))]
    if insert_ignoring_conflicts(Vote, {"user_id": voter_id, "value": value, "created_at": now, "updated_at": now,
                                        **target}, conflict, returning=Vote.id) is not None:
        return 0
    changed = db.session.scalar(sa.update(Vote).where(mine, Vote.value != value)
                                .values(value=value, updated_at=now).returning(Vote.id))
    return value if changed is None else -value  # a vote is 1 or -1: one that changed was the other


def cast_vote(actor, *, value, question_id=None, answer_id=None) -> tuple[int, int]:
    """Set the actor's vote on a post to 1, -1 or 0 (withdraw); returns (score, my_vote).

    Any signed-in member may vote up; voting down needs the downvote privilege; nobody votes on
    their own posts. Repeating a vote changes nothing. Reputation follows the vote in the same
    transaction. Raises NotFound, PermissionDenied (code own_post / privilege), ValidationFailed.

    It runs at most ten SQL statements (tests/votes/test_statements.py): the post read and locked
    with its thread, the vote, the score, the members' rows locked, their vote history, the
    events, the totals, a missing score badge, the search outbox.
    """
    vote = CastVote.parse({"value": value, "question_id": question_id, "answer_id": answer_id})
    value, question_id, answer_id = vote.value, vote.question_id, vote.answer_id
    is_answer = answer_id is not None
    model = Answer if is_answer else Question
    post, question, badges = _locked_post(model, answer_id if is_answer else question_id)
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
    now = utcnow()
    old = _write_vote(actor.id, target, value, now)
    if old == value:  # nothing to change (the lock is released with the transaction)
        return post.score, value
    # The new score comes back from the UPDATE and is set on the locked copy (nothing else may
    # have changed the row meanwhile), rather than the copy being expired and read again.
    score = db.session.scalar(sa.update(model).where(model.id == post.id).values(score=model.score + (value - old))
                              .returning(model.score).execution_options(synchronize_session=False))
    set_committed_value(post, "score", score)
    _move_reputation(actor.id, post, is_answer, old, value, now=now,
                     moves_reputation=_vote_moves_reputation(actor, value))
    if is_answer and value == 1:
        reached = [badge for minimum, badge in SCORE_BADGES if score >= minimum and badge not in badges]
        if reached:
            award_all(post.author_id, reached, question_id=post.question_id, answer_id=post.id)
    signals.vote_cast.send(post, actor=actor, value=value, previous=old, score=score)
    db.session.flush()
    return score, value


def _vote_moves_reputation(actor, value: int) -> bool:
    """An upvote from a member below FORUM_VOTE_REPUTATION_MIN counts in the score (an asker keeps
    voting for the answer that helped) but gives the author nothing: new sock-puppet accounts
    cannot farm reputation. Moderators and staff always count."""
    return value != 1 or actor.role.is_moderator or actor.reputation >= vote_reputation_min()


def _move_reputation(voter_id: int, post, is_answer: bool, old: int, new: int, *, now,
                     moves_reputation: bool = True) -> None:
    """The voter's earlier events on the post reversed and the new vote's recorded, in four
    statements (reputation.services.Ledger); both members' rows are locked in id order, so that
    two members voting on each other's posts at the same moment cannot deadlock (PostgreSQL)."""
    post_ref = {"answer_id": post.id} if is_answer else {"question_id": post.id}
    events = VOTE_EVENTS[("answer" if is_answer else "question", new)] if new != 0 and moves_reputation else []
    ledger = reputation.Ledger([voter_id, post.author_id], now=now)
    gainers = [post.author_id if whose == "author" else voter_id for kind, whose in events if kind in CAPPED_GAINS]
    previous = ledger.history(active=dict(kinds=VOTE_KINDS, actor_id=voter_id, **post_ref) if old != 0 else None,
                              gained_by=gainers)
    ledger.reverse(previous, note="vote changed" if new else "vote withdrawn")
    for kind, whose in events:
        ledger.record(post.author_id if whose == "author" else voter_id, kind, actor_id=voter_id, **post_ref)
    ledger.write()


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
