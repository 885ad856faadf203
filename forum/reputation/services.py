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
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from forum.auth.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.reputation import rules
from forum.reputation.models import ReputationEvent
from forum.reputation.rules import Kind

log = logging.getLogger(__name__)


def _day_start(now: datetime) -> datetime:
    """Midnight in the forum's time zone (Beijing by default), when the daily cap starts again."""
    from flask import current_app

    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


_CAPPED = frozenset(k.value for k in rules.CAPPED_GAINS)
# The columns of an event that reversing it needs (active_events' objects and Ledger.history's rows).
_EVENT_COLUMNS = ("id", "user_id", "kind", "delta", "nominal", "actor_id", "question_id", "answer_id", "created_at")


def _gained_query(user_ids, start: datetime):
    """What votes and acceptances earned each member since `start` (reversals of those gains
    included; taking back an earlier day's gain does not make room under today's cap): rows of
    (user_id, gained)."""
    original = aliased(ReputationEvent)
    return (sa.select(ReputationEvent.user_id,
                      sa.func.coalesce(sa.func.sum(ReputationEvent.delta), 0).label("gained"))
            .select_from(ReputationEvent)
            .outerjoin(original, original.id == ReputationEvent.reversal_of_id)
            .where(ReputationEvent.user_id.in_(list(user_ids)), ReputationEvent.created_at >= start,
                   ReputationEvent.kind.in_(sorted(_CAPPED)),
                   sa.or_(ReputationEvent.reversal_of_id.is_(None), original.created_at >= start))
            .group_by(ReputationEvent.user_id))


def _active_query(*, kinds=None, actor_id: int | None = None, question_id: int | None = None,
                  answer_id: int | None = None, answer_ids=None, user_id: int | None = None, entity: bool = True):
    """Events matching the filters that have not been reversed (and are not reversals)."""
    reversal = aliased(ReputationEvent)
    columns = [ReputationEvent] if entity else [getattr(ReputationEvent, name) for name in _EVENT_COLUMNS]
    query = sa.select(*columns).where(
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
    return query


class Ledger:
    """The reputation changes of one command, for a few members, in a fixed number of statements
    however many events there are (a vote changed from up to down moves three):

    1. the members' rows are locked, in id order, reading their totals (`Ledger(ids)`): two
       commands touching the same members in opposite roles cannot wait on each other in a
       circle, concurrent gains see each other under the daily cap, and a loss is cut at the floor
       from a total no other command can move meanwhile;
    2. what must be read under that lock, in one statement (`history`): the events to reverse and
       what the members gained today;
    3. the new events, in one INSERT, and each total, moved once by an SQL expression, in one
       UPDATE (`write`).

    Flushes, never commits: the ledger and the totals change with the command that caused them.
    """

    def __init__(self, user_ids, *, now: datetime | None = None):
        self.now = now or utcnow()
        self._start = _day_start(self.now)
        ids = sorted(set(user_ids))
        self._totals: dict[int, int] = dict(db.session.execute(
            sa.select(User.id, User.reputation_total).where(User.id.in_(ids)).order_by(User.id)
            .with_for_update(key_share=True)).all()) if ids else {}
        self._moved: dict[int, int] = dict.fromkeys(ids, 0)
        self._gained: dict[int, int] = {}  # what each member had gained today, as written so far
        self._rows: list[dict] = []

    def history(self, *, active: dict | None = None, gained_by=()) -> list:
        """The events still active under the filters of `active` (those of active_events), read
        under the lock; what each of `gained_by` earned today is kept for record(). One statement."""
        gained_by = [u for u in dict.fromkeys(gained_by) if u not in self._gained]
        parts = []
        if active is not None:
            parts.append(_active_query(**active, entity=False).add_columns(sa.null().label("gained")))
        if gained_by:
            gained = _gained_query(gained_by, self._start).subquery()
            parts.append(sa.select(*[gained.c.user_id if name == "user_id" else sa.null().label(name)
                                     for name in _EVENT_COLUMNS], gained.c.gained))
        if not parts:
            return []
        query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
        events = []
        for user_id in gained_by:
            self._gained[user_id] = 0
        for row in db.session.execute(query):
            if row.id is None:
                self._gained[row.user_id] = int(row.gained or 0)
            else:
                events.append(row)
        return sorted(events, key=lambda event: event.id)

    def _loss_cut(self, user_id: int, delta: int) -> int:
        """A loss is cut so that the member keeps at least FLOOR: what the ledger records is what was
        taken, so a reversal gives back exactly that and no hidden debt eats later gains."""
        if delta >= 0 or user_id not in self._totals:  # (an unknown member: the INSERT refuses it)
            return delta
        return max(delta, rules.FLOOR - (self._totals[user_id] + self._moved[user_id]))

    def _gained_today(self, user_id: int) -> int:
        if user_id not in self._gained:
            self.history(gained_by=[user_id])
        pending = sum(row["delta"] for row in self._rows if row["user_id"] == user_id and row["_counts_today"])
        return self._gained[user_id] + pending

    def _add(self, counts_today: bool, **row) -> None:
        row["_counts_today"] = counts_today
        self._moved[row["user_id"]] = self._moved.get(row["user_id"], 0) + row["delta"]
        self._rows.append(row)

    def record(self, user_id: int, kind: Kind, *, actor_id: int | None = None, question_id: int | None = None,
               answer_id: int | None = None, amount: int | None = None, note: str = "", capped: bool = True) -> None:
        """Add one event: vote and acceptance gains are cut to what is left of the daily cap; the
        event keeps both the rule's value (`nominal`) and what was applied (`delta`), so that
        reversing it takes back exactly that."""
        nominal = rules.delta(kind) if amount is None else int(amount)
        applied = nominal
        if capped and kind in rules.CAPPED_GAINS and nominal > 0:
            applied = max(0, min(nominal, rules.daily_cap() - self._gained_today(user_id)))
        applied = self._loss_cut(user_id, applied)
        self._add(kind.value in _CAPPED, user_id=user_id, kind=kind.value, delta=applied, nominal=nominal,
                  actor_id=actor_id, question_id=question_id, answer_id=answer_id, reversal_of_id=None,
                  note=note[:200], created_at=self.now)

    def reverse(self, events, *, note: str = "") -> int:
        """Undo events: one reversal row each, and the members' totals move back."""
        count = 0
        for event in events:
            self._add(event.kind in _CAPPED and event.created_at >= self._start,
                      user_id=event.user_id, kind=event.kind, delta=self._loss_cut(event.user_id, -event.delta),
                      nominal=-event.nominal, actor_id=event.actor_id, question_id=event.question_id,
                      answer_id=event.answer_id, reversal_of_id=event.id, note=note[:200], created_at=self.now)
            count += 1
        return count

    def write(self) -> None:
        """The events in one INSERT, the totals in one UPDATE; flushes."""
        if self._rows:
            db.session.execute(sa.insert(ReputationEvent).values(
                [{k: v for k, v in row.items() if not k.startswith("_")} for row in self._rows]))
        moved = {user_id: delta for user_id, delta in self._moved.items() if delta}
        if moved:
            change = next(iter(moved.values())) if len(moved) == 1 else sa.case(moved, value=User.id)
            total = User.reputation_total + change
            db.session.execute(sa.update(User).where(User.id.in_(list(moved)))
                               .values(reputation_total=total, reputation=total)
                               .execution_options(synchronize_session=False))
        for user_id, delta in moved.items():
            if user_id not in self._totals:
                continue
            self._totals[user_id] += delta
            # The totals were read under the lock, so the new ones are known: the session's copy of
            # the member, if any, gets them rather than being expired and read again (a copy read
            # before the lock would otherwise keep a stale total: forum.core.db._update_in_sql_only).
            copy = db.session.identity_map.get(identity_key(User, user_id))
            if copy is not None:
                for name in ("reputation_total", "reputation"):
                    set_committed_value(copy, name, self._totals[user_id])
        self._rows = []
        self._moved = dict.fromkeys(self._moved, 0)
        self._gained = {}  # read again if needed: what was just written now counts there
        db.session.flush()


def record(user_id: int, kind: Kind, *, actor_id: int | None = None, question_id: int | None = None,
           answer_id: int | None = None, amount: int | None = None, note: str = "",
           now: datetime | None = None, capped: bool = True) -> None:
    """Add one event to the ledger and to the member's total (flushes, does not commit).

    Vote and acceptance gains are cut to what is left of the daily cap (see Ledger.record)."""
    ledger = Ledger([user_id], now=now)
    ledger.record(user_id, kind, actor_id=actor_id, question_id=question_id, answer_id=answer_id, amount=amount,
                  note=note, capped=capped)
    ledger.write()


def active_events(*, kinds=None, actor_id: int | None = None, question_id: int | None = None,
                  answer_id: int | None = None, answer_ids=None, user_id: int | None = None):
    """Events matching the filters that have not been reversed (and are not reversals)."""
    query = _active_query(kinds=kinds, actor_id=actor_id, question_id=question_id, answer_id=answer_id,
                          answer_ids=answer_ids, user_id=user_id)
    return list(db.session.scalars(query.order_by(ReputationEvent.id)))


def reverse(events, *, note: str = "", now: datetime | None = None) -> int:
    """Undo events: one reversal row each, and the members' totals move back. Returns the count."""
    events = list(events)
    if not events:
        return 0
    ledger = Ledger({event.user_id for event in events}, now=now)
    count = ledger.reverse(events, note=note)
    ledger.write()
    return count


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
