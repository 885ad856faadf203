"""Support business time: opening hours, working days and SLA due times.

Pure functions and small frozen dataclasses; no Flask, no database, no configuration reading.
Callers build a :class:`BusinessCalendar` from their own settings and pass it in.

Rules
-----
* A day is a working day if (in this order): it is in ``extra_closed`` -> closed; it is in
  ``extra_open`` -> open; it is a public holiday of ``country`` (``holidays`` package) -> closed;
  it is a make-up working day (``weekend_workdays``, e.g. China's 调休) -> open; otherwise its
  weekday is in ``workdays``.
* On a working day the desk is open on ``[opens, closes)`` local time: ``closes`` is exclusive.
* All datetimes going in must be timezone-aware (any zone); all datetimes coming out are aware and
  in the calendar's zone. Durations are real elapsed time (computed in UTC), so a DST change inside
  opening hours is counted correctly.
* ``add_business_time`` lands *on* the closing time when the budget runs out exactly at close
  (10:00 + 8 h = 18:00 the same day, not 09:00 the next working day).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


__all__ = [
    "BusinessCalendar",
    "NoOpeningError",
    "OpenStatus",
    "open_status",
    "parse_days",
]

#: How many consecutive days are scanned for an opening before giving up.
MAX_SCAN_DAYS = 400

_UTC = dt_timezone.utc
_ZERO = timedelta(0)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class NoOpeningError(ValueError):
    """The calendar has no opening within :data:`MAX_SCAN_DAYS` days of the moment asked about."""


@lru_cache(maxsize=256)
def _holidays_for(country: str, year: int) -> Any | None:
    """The ``holidays`` object for one country and year, or None when the library cannot give one.

    ``expand=False`` keeps the cached object immutable: looking up a date of another year does not
    silently add that year to it.
    """
    # Imported by the first deadline computed (a ticket written), not by every worker: the library
    # and a country's calendars take several MiB that a process serving pages never uses.
    import holidays as holidays_lib

    try:
        return holidays_lib.country_holidays(country, years=year, expand=False)
    except Exception:  # unknown country, unsupported year, library bug: fall back to weekdays
        return None


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "Asia/Shanghai"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    country: str | None = "CN"  # holidays country code; None = no public holidays
    extra_closed: frozenset[date] = frozenset()  # days closed by configuration
    extra_open: frozenset[date] = frozenset()  # days open by configuration (added make-up days)

    def __post_init__(self) -> None:
        _zone(self.timezone)  # validates the name
        # Accept any iterable from callers but keep the instance hashable and immutable.
        for name in ("workdays", "extra_closed", "extra_open"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.workdays):
            raise ValueError(f"workdays must be weekday numbers 0 (Monday) .. 6, got {sorted(self.workdays)!r}")
        if self.opens.replace(tzinfo=None) >= self.closes.replace(tzinfo=None):
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")

    # -- days -------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        if day in self.extra_closed:
            return False
        if day in self.extra_open:
            return True
        if self.country is not None:
            known = _holidays_for(self.country, day.year)
            if known is not None:
                try:
                    if day in known:
                        return False
                    if day in getattr(known, "weekend_workdays", ()):
                        return True
                except Exception:  # never let the library break due-time computation
                    pass
        return day.weekday() in self.workdays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing instants of ``day`` (assumed a working day), in UTC."""
        zone = self.zone
        start = datetime.combine(day, self.opens, tzinfo=zone).astimezone(_UTC)
        end = datetime.combine(day, self.closes, tzinfo=zone).astimezone(_UTC)
        return start, end

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment.isoformat()} : pass a timezone-aware datetime")
        return moment.astimezone(self.zone)

    # -- moments ----------------------------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        local = self._local(moment)
        if not self.is_working_day(local.date()):
            return False
        start, end = self._window(local.date())
        return start <= local < end

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself if open now, else the next opening time; aware, in the calendar's zone."""
        local = self._local(moment)
        first = local.date()
        for offset in range(MAX_SCAN_DAYS):
            day = first + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            start, end = self._window(day)
            if local < end:
                return max(local, start).astimezone(self.zone)
        raise NoOpeningError(
            f"no opening within {MAX_SCAN_DAYS} days after {local.isoformat()}: check workdays/extra_closed"
        )

    def closing_time(self, moment: datetime) -> datetime | None:
        """Today's closing time if open at ``moment``, else None."""
        local = self._local(moment)
        if not self.is_open(local):
            return None
        return self._window(local.date())[1].astimezone(self.zone)

    # -- durations --------------------------------------------------------------------------

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment ``delta`` of business time after ``start``; aware, in the calendar's zone.

        A ``start`` outside opening hours counts from the next opening (so ``delta == 0`` gives
        the next opening). Raises ValueError for a negative delta and NoOpeningError (a
        ValueError) when the calendar never opens.
        """
        if delta < _ZERO:
            raise ValueError(f"delta must not be negative, got {delta}")
        cursor = self.next_opening(start)
        remaining = delta
        while True:
            end = self._window(cursor.date())[1]
            available = end - cursor  # aware minus aware: real elapsed time
            if remaining <= available:
                return (cursor.astimezone(_UTC) + remaining).astimezone(self.zone)
            remaining -= available
            cursor = self.next_opening(end)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end`` (zero if ``end <= start``)."""
        begin = self._local(start)
        finish = self._local(end)
        if finish <= begin:
            return _ZERO
        total = _ZERO
        day = begin.date()
        last = finish.date()
        while day <= last:
            if self.is_working_day(day):
                opens_at, closes_at = self._window(day)
                lo = max(opens_at, begin)
                hi = min(closes_at, finish)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def parse_days(values: Iterable[str]) -> frozenset[date]:
    """``"2027-02-06"`` strings -> dates. Blank entries are skipped; anything else that is not
    a real ``YYYY-MM-DD`` date raises ValueError naming the value."""
    if isinstance(values, str):
        raise ValueError(f"expected a list of dates, got the single string {values!r}")
    days: set[date] = set()
    for value in values:
        if isinstance(value, date) and not isinstance(value, datetime):
            days.add(value)
            continue
        if not isinstance(value, str):
            raise ValueError(f"invalid day {value!r}: expected a 'YYYY-MM-DD' string")
        text = value.strip()
        if not text:
            continue
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(f"invalid day {value!r}: expected 'YYYY-MM-DD'")
        try:
            days.add(date.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"invalid day {value!r}: {exc}") from None
    return frozenset(days)


@dataclass(frozen=True)
class OpenStatus:
    open_now: bool
    until: datetime | None  # closing time today when open
    next_open: datetime | None  # next opening when closed


def open_status(calendar: BusinessCalendar, now: datetime) -> OpenStatus:
    """Whether the desk is open at ``now``, and until when / from when.

    ``next_open`` is None when closed and the calendar has no opening in the next
    :data:`MAX_SCAN_DAYS` days.
    """
    until = calendar.closing_time(now)
    if until is not None:
        return OpenStatus(open_now=True, until=until, next_open=None)
    try:
        upcoming = calendar.next_opening(now)
    except NoOpeningError:
        upcoming = None
    return OpenStatus(open_now=False, until=None, next_open=upcoming)
