"""Casting votes. One vote per member per post (a database constraint); the post's score changes by
an SQL expression in the same transaction, so concurrent votes are never lost."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.core.db import utcnow
from forum.core.errors import PermissionDenied, ValidationFailed
from forum.core.permissions import Privilege, can
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.questions.services import get_answer, get_question
from forum.votes.models import Vote


def cast_vote(actor, *, value: int, question_id=None, answer_id=None) -> tuple[int, int]:
    """Set the actor's vote on a post to +1, -1 or 0 (withdraw); returns (score, my_vote).

    No votes on one's own posts; downvotes need the downvote privilege. Repeating a vote changes
    nothing. Raises NotFound, PermissionDenied, ValidationFailed.
    """
    if value not in (-1, 0, 1) or isinstance(value, bool):
        raise ValidationFailed({"value": [_("A vote is 1, -1 or 0.")]})
    post = get_answer(answer_id) if answer_id is not None else get_question(question_id)
    model = Answer if answer_id is not None else Question
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if post.author_id == actor.id:
        raise PermissionDenied(_("You cannot vote on your own post."), code="own_post")
    if value == 1 and not can(actor, Privilege.UPVOTE):
        raise PermissionDenied(_("You do not have the privilege to vote up yet."), code="privilege")
    if value == -1 and not can(actor, Privilege.DOWNVOTE):
        raise PermissionDenied(_("Voting down needs more reputation."), code="privilege")
    target = {"answer_id": post.id} if answer_id is not None else {"question_id": post.id}
    key = Vote.answer_id if answer_id is not None else Vote.question_id
    existing = db.session.scalar(
        sa.select(Vote).where(Vote.user_id == actor.id, key == post.id).with_for_update()
    )
    old = existing.value if existing else 0
    if old == value:
        db.session.rollback()
        return post.score, value
    if existing is None:
        db.session.add(Vote(user_id=actor.id, value=value, created_at=utcnow(), updated_at=utcnow(), **target))
    elif value == 0:
        db.session.delete(existing)
    else:
        existing.value = value
        existing.updated_at = utcnow()
    db.session.execute(sa.update(model).where(model.id == post.id).values(score=model.score + (value - old)))
    db.session.commit()
    return db.session.scalar(sa.select(model.score).where(model.id == post.id)), value
