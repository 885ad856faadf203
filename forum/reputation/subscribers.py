"""What the reputation ledger and the badges do when posts change (connected by the feature's init_app)."""
from __future__ import annotations

import sqlalchemy as sa

from forum.core import signals
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.reputation import services
from forum.reputation.badges import BadgeKind, award
from forum.reputation.rules import ACCEPT_KINDS, Kind


def _on_registered(user, initial_reputation: int = 1, **_):
    services.grant(user, initial_reputation - 1, note="initial reputation")


def _on_answer_posted(answer, actor, **_):
    award(answer.author_id, BadgeKind.FIRST_ANSWER, question_id=answer.question_id, answer_id=answer.id)


def _on_accepted(answer, actor, previous_answer_id=None, **_):
    """The acceptance's reputation in one Ledger (four statements, five when it moved): the
    reversal of the moved acceptance and both gains."""
    author_id, actor_id, answer_id = answer.author_id, actor.id, answer.id
    earns = author_id != actor_id  # accepting one's own answer earns nothing
    if previous_answer_id is None and not earns:
        return
    previous = db.session.scalar(sa.select(Answer.author_id).where(Answer.id == previous_answer_id)) \
        if previous_answer_id is not None else None
    ledger = services.Ledger({author_id, actor_id} | ({previous} if previous is not None else set()))
    events = ledger.history(active=dict(kinds=ACCEPT_KINDS, answer_id=previous_answer_id)
                            if previous_answer_id is not None else None,
                            gained_by=[author_id, actor_id] if earns else ())
    ledger.reverse(events, note="acceptance moved")
    if earns:
        ledger.record(author_id, Kind.ANSWER_ACCEPTED, actor_id=actor_id, question_id=None, answer_id=answer_id)
        ledger.record(actor_id, Kind.ACCEPTED_ANSWER, actor_id=actor_id, answer_id=answer_id)
    ledger.write()
    if not earns:
        return
    award(author_id, BadgeKind.FIRST_ACCEPTED, question_id=answer.question_id, answer_id=answer_id)
    accepted = db.session.scalar(
        sa.select(sa.func.count()).select_from(Question).join(Answer, Answer.id == Question.accepted_answer_id)
        .where(Answer.author_id == author_id, Question.deleted_at.is_(None), Answer.deleted_at.is_(None),
               Question.author_id != Answer.author_id)
    )
    if accepted >= 10:
        award(author_id, BadgeKind.TEN_ACCEPTED, question_id=answer.question_id, answer_id=answer_id)


def _on_unaccepted(answer, actor, **_):
    services.reverse(services.active_events(kinds=ACCEPT_KINDS, answer_id=answer.id), note="acceptance withdrawn")


def _on_answer_deleted(answer, actor, **_):
    services.reverse(services.active_events(answer_id=answer.id), note="answer deleted")


def _on_question_deleted(question, actor, **_):
    answer_ids = db.session.scalars(sa.select(Answer.id).where(Answer.question_id == question.id)).all()
    events = services.active_events(question_id=question.id)
    if answer_ids:
        events += services.active_events(answer_ids=answer_ids)
    services.reverse(events, note="question deleted")


def _on_post_undeleted(post, actor, **_):
    """Undeleting gives back what the deletion reversed (the reversals written by that deletion,
    recognised by their note and time), as new events, so a later deletion reverses them again."""
    from forum.reputation.models import ReputationEvent

    if isinstance(post, Question):
        answer_ids = db.session.scalars(sa.select(Answer.id).where(Answer.question_id == post.id)).all()
        note = "question deleted"
        scope = sa.or_(ReputationEvent.question_id == post.id, ReputationEvent.answer_id.in_(answer_ids or [-1]))
    else:
        note = "answer deleted"
        scope = ReputationEvent.answer_id == post.id
    base = sa.select(ReputationEvent).where(ReputationEvent.reversal_of_id.is_not(None),
                                            ReputationEvent.note == note, scope)
    found = base.subquery()
    latest = db.session.scalar(sa.select(sa.func.max(found.c.created_at)))
    if latest is None:
        return
    accept_kinds = {k.value for k in ACCEPT_KINDS}
    for reversal in db.session.scalars(base.where(ReputationEvent.created_at == latest)).all():
        original = db.session.get(ReputationEvent, reversal.reversal_of_id)
        if original.kind in accept_kinds:
            continue  # the deletion ended the acceptance; undeleting does not bring it back
        # Exactly what the deletion took back: a gain cut by the daily cap then is not paid in
        # full now, nor counted against today's cap.
        services.record(original.user_id, Kind(original.kind), actor_id=original.actor_id,
                        question_id=original.question_id, answer_id=original.answer_id, amount=-reversal.delta,
                        note="restored: post undeleted", capped=False)


def connect() -> None:
    signals.post_undeleted.connect(_on_post_undeleted)
    signals.user_registered.connect(_on_registered)
    signals.answer_posted.connect(_on_answer_posted)
    signals.answer_accepted.connect(_on_accepted)
    signals.answer_unaccepted.connect(_on_unaccepted)
    signals.answer_deleted.connect(_on_answer_deleted)
    signals.question_deleted.connect(_on_question_deleted)
