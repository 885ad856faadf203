"""The reputation ledger: recording events, reversing them, recomputing totals.

These helpers flush and never commit: they run inside the transaction of the command that caused
them (a vote, an acceptance, a deletion), so the ledger and the totals change together or not at all.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.auth.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.reputation import rules
from forum.reputation.models import ReputationEvent
from forum.reputation.rules import Kind

log = logging.getLogger(__name__)


def _apply(user_id: int, delta: int) -> None:
    if delta == 0:
        return
    total = User.reputation_total + delta
    # The copy of the member in this session, if any, is expired rather than evaluated
    # (forum.core.db._update_in_sql_only): a total read earlier in the unit of work would be stale.
    db.session.execute(sa.update(User).where(User.id == user_id).values(reputation_total=total, reputation=total))


def _clamped(user_id: int, delta: int) -> int:
    """A loss is cut so that the member keeps at least FLOOR: what the ledger records is what was
    taken, so a reversal gives back exactly that and no hidden debt eats later gains."""
    if delta >= 0:
        return delta
    current = db.session.scalar(sa.select(User.reputation_total).where(User.id == user_id)
                                .with_for_update(key_share=True))
    return max(delta, rules.FLOOR - current)


def _day_start(now: datetime) -> datetime:
    """Midnight in the forum's time zone (Beijing by default), when the daily cap starts again."""
    from flask import current_app

    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def _gained_today(user_id: int, now: datetime) -> int:
    """What votes and acceptances earned the member since midnight (reversals of today's gains
    included; taking back an earlier day's gain does not make room under today's cap)."""
    start = _day_start(now)
    original = aliased(ReputationEvent)
    kinds = [k.value for k in rules.CAPPED_GAINS]
    earned = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ReputationEvent.delta), 0))
        .select_from(ReputationEvent)
        .outerjoin(original, original.id == ReputationEvent.reversal_of_id)
        .where(ReputationEvent.user_id == user_id, ReputationEvent.created_at >= start,
               ReputationEvent.kind.in_(kinds),
               sa.or_(ReputationEvent.reversal_of_id.is_(None), original.created_at >= start))
    )
    return int(earned or 0)


def record(user_id: int, kind: Kind, *, actor_id: int | None = None, question_id: int | None = None,
           answer_id: int | None = None, amount: int | None = None, note: str = "",
           now: datetime | None = None, capped: bool = True) -> ReputationEvent:
    """Add one event to the ledger and to the member's total (flushes, does not commit).

    Vote and acceptance gains are cut to what is left of the daily cap; the event keeps both the
    rule's value (`nominal`) and what was applied (`delta`), so that reversing it takes back
    exactly that.
    """
    now = now or utcnow()
    nominal = rules.delta(kind) if amount is None else int(amount)
    applied = nominal
    if capped and kind in rules.CAPPED_GAINS and nominal > 0:
        # Lock the member's row so that concurrent votes see each other's gains (PostgreSQL;
        # SQLite writers are serialised already).
        db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update(key_share=True))
        applied = max(0, min(nominal, rules.daily_cap() - _gained_today(user_id, now)))
    applied = _clamped(user_id, applied)
    event = ReputationEvent(user_id=user_id, kind=kind.value, delta=applied, nominal=nominal, actor_id=actor_id,
                            question_id=question_id, answer_id=answer_id, note=note[:200], created_at=now)
    db.session.add(event)
    db.session.flush()
    _apply(user_id, applied)
    return event


def active_events(*, kinds=None, actor_id: int | None = None, question_id: int | None = None,
                  answer_id: int | None = None, answer_ids=None, user_id: int | None = None):
    """Events matching the filters that have not been reversed (and are not reversals)."""
    reversal = aliased(ReputationEvent)
    query = sa.select(ReputationEvent).where(
        ReputationEvent.reversal_of_id.is_(None),
        ~sa.exists().where(reversal.reversal_of_id == ReputationEvent.id),
    )
    if kinds is not None:
        query = query.where(ReputationEvent.kind.in_([k.value for k in kinds]))
    if actor_id is not None:
        query = query.where(ReputationEvent.actor_id == actor_id)
    if user_id is not None:
        query = query.where(ReputationEvent.user_id == user_id)
    if question_id is not None:
        query = query.where(ReputationEvent.question_id == question_id)
    if answer_id is not None:
        query = query.where(ReputationEvent.answer_id == answer_id)
    if answer_ids is not None:
        query = query.where(ReputationEvent.answer_id.in_(list(answer_ids)))
    return list(db.session.scalars(query.order_by(ReputationEvent.id)))


def reverse(events, *, note: str = "", now: datetime | None = None) -> int:
    """Undo events: one reversal row each, and the members' totals move back. Returns the count."""
    now = now or utcnow()
    for event in events:
        delta = _clamped(event.user_id, -event.delta)
        db.session.add(ReputationEvent(
            user_id=event.user_id, kind=event.kind, delta=delta, nominal=-event.nominal,
            actor_id=event.actor_id, question_id=event.question_id, answer_id=event.answer_id,
            reversal_of_id=event.id, note=note[:200], created_at=now,
        ))
        _apply(event.user_id, delta)
    db.session.flush()
    return len(events)


def grant(user: User, amount: int, note: str = "") -> None:
    """Give or take reputation by hand (command line, demo); recorded in the ledger like any event."""
    if amount:
        record(user.id, Kind.GRANTED, amount=amount, note=note)


@dataclass
class Drift:
    user_id: int
    username: str
    cached: int
    ledger: int


def recompute(*, fix: bool = True) -> list[Drift]:
    """Compare every cached total with 1 + the sum of the ledger; reset the ones that differ.

    Returns the drifts found (before fixing). Commits when it fixed anything.
    """
    sums = (sa.select(ReputationEvent.user_id, sa.func.sum(ReputationEvent.delta).label("total"))
            .group_by(ReputationEvent.user_id).subquery())
    rows = db.session.execute(
        sa.select(User.id, User.username, User.reputation, User.reputation_total,
                  (1 + sa.func.coalesce(sums.c.total, 0)).label("ledger"))
        .outerjoin(sums, sums.c.user_id == User.id).order_by(User.id)
    ).all()
    drifts = []
    for row in rows:
        expected = max(rules.FLOOR, row.ledger)
        if row.reputation_total != row.ledger or row.reputation != expected:
            drifts.append(Drift(row.id, row.username, row.reputation, expected))
            if fix:
                db.session.execute(sa.update(User).where(User.id == row.id)
                                   .values(reputation_total=row.ledger, reputation=expected))
    if fix and drifts:
        for drift in drifts:
            log.warning("reputation drift fixed: %s cached %s, ledger %s", drift.username, drift.cached, drift.ledger)
        db.session.flush()
    return drifts


def history(user: User, *, days: int = 365, tz: str = "UTC") -> list[tuple[datetime, int]]:
    """The member's reputation at the end of each day (in time zone `tz`) with events, over the
    last `days` days; the first point is the day before, so the line starts where it stood."""
    zone = ZoneInfo(tz)
    rows = db.session.execute(
        sa.select(ReputationEvent.created_at, ReputationEvent.delta)
        .where(ReputationEvent.user_id == user.id).order_by(ReputationEvent.created_at, ReputationEvent.id)
    ).all()
    since = utcnow() - timedelta(days=days)
    total = 1
    points: dict = {}
    start_total = None
    for created_at, delta in rows:
        total += delta
        if created_at < since:
            continue
        if start_total is None:
            start_total = total - delta
        points[created_at.astimezone(zone).date()] = max(rules.FLOOR, total)
    series = [(datetime.combine(day, datetime.min.time(), tzinfo=zone), value) for day, value in sorted(points.items())]
    if series and start_total is not None:
        first_day = series[0][0] - timedelta(days=1)
        series.insert(0, (first_day, max(rules.FLOOR, start_total)))
    return series
