"""Staff verification of answers: verify, verify again after an edit, remove; every step audited.

Only staff and administrators verify, whatever anyone's reputation. A verification names the
answer revision that staff checked; when the answer is edited later the verification is stale
("edited since verification") until staff verify it again.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.auth.models import User
from forum.core import signals
from forum.core.db import utcnow
from forum.core.errors import NotFound, PermissionDenied
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.questions.services import get_answer
from forum.reputation import services as reputation
from forum.reputation.badges import BadgeKind, award
from forum.reputation.rules import Kind
from forum.verification.models import AuditAction, NoteKind, Verification, VerificationAudit
from forum.verification.schemas import NOTE_MAX, RemoveVerification, VerifyAnswer


def _require_staff(actor) -> User:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if not actor.is_active or not actor.role.is_staff:
        raise PermissionDenied(_("Only staff can verify answers."), code="staff_only")
    return actor


def _locked_answer(answer_id) -> Answer:
    get_answer(answer_id)  # NotFound for unknown, malformed or deleted answers
    answer = db.session.scalar(sa.select(Answer).where(Answer.id == answer_id).with_for_update(key_share=True, of=Answer)
                               .execution_options(populate_existing=True))
    if answer.deleted_at is not None:  # deleted while we waited for the lock
        raise NotFound(_("This answer does not exist or was deleted."))
    return answer


def active_verification(answer_id: int) -> Verification | None:
    return db.session.scalar(sa.select(Verification).where(Verification.answer_id == answer_id,
                                                           Verification.ended_at.is_(None)))


def _audit(answer: Answer, actor: User, action: AuditAction, revision_number: int, text: str,
           note_kind: NoteKind | None = None) -> None:
    db.session.add(VerificationAudit(answer_id=answer.id, question_id=answer.question_id, actor_id=actor.id,
                                     action=action.value, revision_number=revision_number, text=text,
                                     note_kind=note_kind, created_at=utcnow()))


def _end(verification: Verification, actor: User | None, reason: str) -> None:
    verification.ended_at = utcnow()
    verification.ended_by_id = actor.id if actor is not None else None
    verification.end_reason = reason[:NOTE_MAX]
    db.session.flush()


def _refresh_question_flag(question_id: int) -> None:
    """has_verified_answer: the question has a live answer with an active verification of its
    current text (an answer edited since verification no longer counts until staff check it)."""
    exists = sa.exists().where(Verification.answer_id == Answer.id, Verification.ended_at.is_(None),
                               Verification.revision_number >= Answer.revision_count,
                               Answer.question_id == question_id, Answer.public())
    db.session.execute(sa.update(Question).where(Question.id == question_id).values(has_verified_answer=exists))


def refresh_after_moderation(answer) -> None:
    """A verified answer held, released or undeleted: the question's verified badge follows it."""
    _refresh_question_flag(answer.question_id)


def verify_answer(actor, answer_id, /, note=None, *, note_kind: NoteKind | None = None, **fields) -> Verification:
    """Mark the answer's current revision as checked by staff, with an optional note (≤ 500): `note`
    is VerifyAnswer's, validated here once (a form's or a body's other fields are ignored). A note
    the forum writes itself is given as `note_kind` instead, stored as such and translated when
    shown; verifying again without a note keeps the previous verification's kind.

    Verifying an answer that is verified already (typically after an edit) ends the old
    verification and records a re-verification. The author gains reputation and the "verified"
    badge the first time. Raises PermissionDenied (anonymous: code unauthorized; others:
    staff_only), NotFound, ValidationFailed.
    """
    _require_staff(actor)
    note = VerifyAnswer.parse({**fields, "note": note}).note
    answer = _locked_answer(answer_id)
    db.session.execute(sa.select(Question.id).where(Question.id == answer.question_id).with_for_update(key_share=True))
    previous = active_verification(answer.id)
    if previous is not None:
        _end(previous, actor, "verified again")
        if not note and note_kind is None:
            note_kind = previous.note_kind
    if note_kind is not None:
        note = ""
    verification = Verification(answer_id=answer.id, verified_by_id=actor.id, revision_number=answer.revision_count,
                                note=note, note_kind=note_kind, created_at=utcnow())
    db.session.add(verification)
    db.session.flush()
    first = previous is None
    _audit(answer, actor, AuditAction.VERIFY if first else AuditAction.REVERIFY, answer.revision_count, note,
           note_kind)
    if first and answer.author_id != actor.id:
        reputation.record(answer.author_id, Kind.ANSWER_VERIFIED, actor_id=actor.id, answer_id=answer.id)
    award(answer.author_id, BadgeKind.VERIFIED, question_id=answer.question_id, answer_id=answer.id)
    _refresh_question_flag(answer.question_id)
    signals.answer_verified.send(answer, actor=actor, verification=verification, first=first)
    db.session.flush()
    return verification


def remove_verification(actor, answer_id, /, reason=None, **fields) -> None:
    """End the answer's verification with a reason (≤ 500): `reason` is RemoveVerification's,
    validated here once (a form's or a body's other fields are ignored). The author's verification
    reputation is taken back. Raises PermissionDenied, NotFound (also when it is not verified),
    ValidationFailed."""
    _require_staff(actor)
    reason = RemoveVerification.parse({**fields, "reason": reason}).reason
    answer = _locked_answer(answer_id)
    db.session.execute(sa.select(Question.id).where(Question.id == answer.question_id).with_for_update(key_share=True))
    verification = active_verification(answer.id)
    if verification is None:
        raise NotFound(_("This answer is not verified."), code="not_verified")
    _end(verification, actor, reason)
    _audit(answer, actor, AuditAction.REMOVE, answer.revision_count, reason)
    reputation.reverse(reputation.active_events(kinds=[Kind.ANSWER_VERIFIED], answer_id=answer.id),
                       note="verification removed")
    _refresh_question_flag(answer.question_id)
    signals.answer_unverified.send(answer, actor=actor, reason=reason)
    db.session.flush()


def end_for_deleted_answer(answer: Answer, actor=None, reason: str = "answer deleted") -> None:
    """A deleted answer is no longer verified: the verification ends and the audit log says so
    (called inside the deletion's transaction)."""
    verification = active_verification(answer.id)
    if verification is not None:
        _end(verification, actor, reason)
        if actor is not None:
            _audit(answer, actor, AuditAction.REMOVE, answer.revision_count, reason)
    _refresh_question_flag(answer.question_id)


def refresh_after_edit(answer: Answer) -> None:
    """An edit can make a verification stale: the question's mark follows."""
    _refresh_question_flag(answer.question_id)


def end_for_deleted_question(question: Question, actor=None) -> None:
    for answer in db.session.scalars(sa.select(Answer).join(Verification, Verification.answer_id == Answer.id)
                                     .where(Answer.question_id == question.id, Verification.ended_at.is_(None))):
        end_for_deleted_answer(answer, actor, "question deleted")
