"""Badges: a small set that means something, each awarded once per member, with the date."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum.core import signals
from forum.core.db import insert_ignoring_conflicts, utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db
from forum.reputation.models import Badge


class BadgeKind(TitledEnum):
    """Each badge: value, title, what earns it, level (bronze, silver, gold)."""

    FIRST_ANSWER = "first_answer", _l("First answer"), _l("Answered a question for the first time."), "bronze"
    FIRST_ACCEPTED = ("first_accepted", _l("Problem solver"),
                      _l("An answer was accepted for the first time."), "bronze")
    ANSWER_SCORE_5 = "answer_score_5", _l("Good answer"), _l("An answer reached a score of 5."), "bronze"
    ANSWER_SCORE_10 = "answer_score_10", _l("Great answer"), _l("An answer reached a score of 10."), "silver"
    ANSWER_SCORE_25 = ("answer_score_25", _l("Excellent answer"),
                       _l("An answer reached a score of 25."), "gold")
    TEN_ACCEPTED = "ten_accepted", _l("Trusted helper"), _l("Ten answers were accepted."), "silver"
    VERIFIED = "verified", _l("Verified by staff"), _l("Staff checked an answer and verified it."), "gold"

    def __init__(self, _value: str, _title, description, level: str) -> None:
        self._description = description
        self._level = level

    @property
    def description(self) -> str:
        return str(self._description)

    @property
    def level(self) -> str:
        return self._level


SCORE_BADGES = ((25, BadgeKind.ANSWER_SCORE_25), (10, BadgeKind.ANSWER_SCORE_10), (5, BadgeKind.ANSWER_SCORE_5))


def award(user_id: int, kind: BadgeKind, *, question_id: int | None = None, answer_id: int | None = None) -> bool:
    """Award the badge unless the member has it (the database keeps it unique); flushes only.
    Returns True when it was awarded now."""
    awarded = insert_ignoring_conflicts(
        Badge, {"user_id": user_id, "kind": kind.value, "question_id": question_id, "answer_id": answer_id,
                "awarded_at": utcnow()}, ["user_id", "kind"], returning=Badge.id,
    ) is not None
    if awarded:
        signals.badge_awarded.send(kind, user_id=user_id, question_id=question_id, answer_id=answer_id)
    return awarded


def award_all(user_id: int, kinds, *, question_id: int | None = None, answer_id: int | None = None) -> list:
    """Award each of these badges the member lacks, in one statement; flushes only. Returns the
    kinds awarded now, in the order given."""
    kinds = list(kinds)
    if not kinds:
        return []
    now = utcnow()
    awarded = set(insert_ignoring_conflicts(
        Badge, [{"user_id": user_id, "kind": kind.value, "question_id": question_id, "answer_id": answer_id,
                 "awarded_at": now} for kind in kinds], ["user_id", "kind"], returning=Badge.kind, many=True,
    ))
    done = [kind for kind in kinds if kind.value in awarded]
    for kind in done:
        signals.badge_awarded.send(kind, user_id=user_id, question_id=question_id, answer_id=answer_id)
    return done


def badges_of(user_id: int) -> list[tuple[BadgeKind, Badge]]:
    rows = db.session.scalars(sa.select(Badge).where(Badge.user_id == user_id).order_by(Badge.awarded_at))
    known = {k.value: k for k in BadgeKind}
    return [(known[b.kind], b) for b in rows if b.kind in known]


def badge_counts(user_ids) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = db.session.execute(sa.select(Badge.user_id, sa.func.count()).where(Badge.user_id.in_(list(user_ids)))
                              .group_by(Badge.user_id)).all()
    return {row[0]: row[1] for row in rows}
