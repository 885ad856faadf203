"""Business-time (SLA) arithmetic: pure tests, no application or database fixtures.

Holiday facts relied on (holidays 0.109, ``holidays.China``):
* 2026 Spring Festival: 02-16 (Mon) .. 02-20 (Fri) and 02-23 (Mon) are off; 02-14 and 02-28
  (Saturdays) are make-up working days; work resumes Tuesday 02-24.
* 2026 National Day: 10-01 .. 10-07 off (10-04 is a Sunday); make-up days 09-20 (Sun) and
  10-10 (Sat); work resumes Thursday 10-08.
* 2027: 01-01 (Fri) off; Spring Festival 02-05 (Fri) .. 02-10 (Wed) off, 02-06 (Sat) being the
  festival itself; no make-up days known yet.
"""
from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from forum.tickets.sla import (
    BusinessCalendar,
    NoOpeningError,
    OpenStatus,
    open_status,
    parse_days,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
H = timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def assert_shanghai(actual: datetime, expected: datetime) -> None:
    assert actual == expected, f"{actual.isoformat()} != {expected.isoformat()}"
    assert getattr(actual.tzinfo, "key", None) == "Asia/Shanghai"
    assert actual.utcoffset() == timedelta(hours=8)


# -- plain weeks ------------------------------------------------------------------------------


def test_same_day():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 10), 4 * H), at(2026, 11, 24, 14))


def test_rolls_over_to_next_morning():
    # Tuesday 16:00: 2 h today, 2 h from Wednesday 09:00.
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 16), 4 * H), at(2026, 11, 25, 11))


def test_friday_evening_rolls_over_the_weekend():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 27, 17), 2 * H), at(2026, 11, 30, 10))


@pytest.mark.parametrize("hour", [0, 3, 9, 12, 17, 18, 23])
def test_saturday_counts_from_monday_opening(hour):
    assert_shanghai(CAL.add_business_time(at(2026, 11, 28, hour), H), at(2026, 11, 30, 10))
    assert_shanghai(CAL.add_business_time(at(2026, 11, 29, hour, 30), H), at(2026, 11, 30, 10))


def test_before_opening_counts_from_opening():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 7, 15), 2 * H), at(2026, 11, 24, 11))


def test_after_closing_counts_from_next_opening():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 18), 2 * H), at(2026, 11, 25, 11))
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 22, 40), 2 * H), at(2026, 11, 25, 11))


def test_budget_ending_exactly_at_close_lands_on_close():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 10), 8 * H), at(2026, 11, 24, 18))
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 9), 9 * H), at(2026, 11, 24, 18))
    # One second more spills into the next working day.
    assert_shanghai(
        CAL.add_business_time(at(2026, 11, 24, 9), 9 * H + timedelta(seconds=1)),
        at(2026, 11, 25, 9, 0, 1),
    )


def test_zero_delta_gives_next_opening():
    assert_shanghai(CAL.add_business_time(at(2026, 11, 24, 10, 5), timedelta(0)), at(2026, 11, 24, 10, 5))
    assert_shanghai(CAL.add_business_time(at(2026, 11, 28, 10), timedelta(0)), at(2026, 11, 30, 9))


def test_negative_delta_rejected():
    with pytest.raises(ValueError):
        CAL.add_business_time(at(2026, 11, 24, 10), -H)


def test_forty_hours_is_one_working_week():
    # Monday 09:00 + 40 h = Friday 13:00 (four 9-hour days = 36 h, then 4 h).
    assert_shanghai(CAL.add_business_time(at(2026, 11, 23, 9), 40 * H), at(2026, 11, 27, 13))


# -- Chinese public holidays and make-up days -------------------------------------------------


def test_national_day_2026():
    # Wednesday 09-30 17:00: one hour left that day. 10-01 .. 10-07 are all off (10-01/02/05
    # holidays, 10-03 holiday on a Saturday, 10-04 Sunday, 10-06/07 swapped days off), so the
    # second hour is Thursday 10-08 09:00-10:00. The make-up Saturday 10-10 comes later and
    # does not matter here.
    assert not any(CAL.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_working_day(date(2026, 10, 8))
    assert_shanghai(CAL.add_business_time(at(2026, 9, 30, 17), 2 * H), at(2026, 10, 8, 10))


def test_make_up_saturday_after_national_day_is_open():
    assert CAL.is_working_day(date(2026, 10, 10))
    # Friday 10-09 17:00 + 2 h: 1 h Friday, 1 h on the make-up Saturday.
    assert_shanghai(CAL.add_business_time(at(2026, 10, 9, 17), 2 * H), at(2026, 10, 10, 10))


def test_make_up_sunday_is_open():
    sunday = date(2026, 9, 20)
    assert sunday.weekday() == 6
    assert CAL.is_working_day(sunday)
    assert CAL.is_open(at(2026, 9, 20, 10))
    assert not CAL.is_open(at(2026, 9, 20, 18))
    # Saturday 09-19 is an ordinary weekend day: a ticket then starts counting Sunday 09:00.
    assert_shanghai(CAL.add_business_time(at(2026, 9, 19, 12), H), at(2026, 9, 20, 10))


def test_swapped_weekday_off_is_closed():
    tuesday = date(2026, 10, 6)
    assert tuesday.weekday() == 1
    assert not CAL.is_working_day(tuesday)
    assert not CAL.is_open(at(2026, 10, 6, 10))


def test_mid_autumn_friday_2026_is_closed():
    assert not CAL.is_working_day(date(2026, 9, 25))
    assert_shanghai(CAL.add_business_time(at(2026, 9, 24, 17), 2 * H), at(2026, 9, 28, 10))


def test_spring_festival_2026_is_skipped():
    off = [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    assert not any(CAL.is_working_day(d) for d in off)
    assert CAL.is_working_day(date(2026, 2, 14))  # make-up Saturday before the festival
    assert CAL.is_working_day(date(2026, 2, 28))  # make-up Saturday after it
    # Make-up Saturday 02-14 17:00 + 2 h: 1 h that day, then nothing until Tuesday 02-24.
    assert_shanghai(CAL.add_business_time(at(2026, 2, 14, 17), 2 * H), at(2026, 2, 24, 10))
    # Thursday 02-12 10:00 + 40 h: Thu 8 h, Fri 9 h, Sat (make-up) 9 h = 26 h, then 14 h from
    # Tuesday 02-24: Tue 9 h, Wed 09:00 + 5 h = 14:00.
    assert_shanghai(CAL.add_business_time(at(2026, 2, 12, 10), 40 * H), at(2026, 2, 25, 14))
    # Lunar new year's eve (Monday 02-16) ticket starts counting on Tuesday 02-24.
    assert_shanghai(CAL.add_business_time(at(2026, 2, 16, 11), 4 * H), at(2026, 2, 24, 13))


def test_spring_festival_2026_between_counts_nothing_inside():
    assert CAL.business_time_between(at(2026, 2, 15, 0), at(2026, 2, 24, 0)) == timedelta(0)
    assert CAL.business_time_between(at(2026, 2, 14, 17), at(2026, 2, 24, 10)) == 2 * H


# -- 2027: holidays known, make-up days not ---------------------------------------------------


def test_year_boundary_into_2027():
    # Thursday 12-31 17:00: 1 h; 2027-01-01 (Fri) is New Year's Day, 01-02/03 the weekend;
    # Monday 01-04 09:00 + 7 h = 16:00.
    due = CAL.add_business_time(at(2026, 12, 31, 17), 8 * H)
    assert_shanghai(due, at(2027, 1, 4, 16))
    assert CAL.is_working_day(due.date())


def test_spring_festival_2027_is_skipped():
    assert not any(CAL.is_working_day(date(2027, 2, d)) for d in range(5, 11))
    assert_shanghai(CAL.add_business_time(at(2027, 2, 4, 17), 2 * H), at(2027, 2, 11, 10))


def test_2027_weekend_closed_unless_extra_open():
    saturday = date(2027, 2, 20)  # an ordinary Saturday (not a holiday)
    assert saturday.weekday() == 5
    assert not CAL.is_working_day(saturday)
    cal = BusinessCalendar(extra_open=frozenset({saturday}))
    assert cal.is_working_day(saturday)
    assert cal.is_open(at(2027, 2, 20, 10))
    # Friday 02-19 17:00 + 2 h: 1 h Friday, 1 h on the configured make-up Saturday.
    assert_shanghai(cal.add_business_time(at(2027, 2, 19, 17), 2 * H), at(2027, 2, 20, 10))
    assert_shanghai(CAL.add_business_time(at(2027, 2, 19, 17), 2 * H), at(2027, 2, 22, 10))


def test_extra_open_overrides_a_public_holiday():
    # 2027-02-06 is a Saturday *and* the Spring Festival in the library; configuration wins.
    festival = date(2027, 2, 6)
    assert festival.weekday() == 5
    assert not CAL.is_working_day(festival)
    assert BusinessCalendar(extra_open=frozenset({festival})).is_working_day(festival)


def test_extra_closed_closes_a_weekday_and_wins_over_extra_open():
    tuesday = date(2027, 1, 5)
    assert CAL.is_working_day(tuesday)
    cal = BusinessCalendar(extra_closed=frozenset({tuesday}))
    assert not cal.is_working_day(tuesday)
    assert not cal.is_open(at(2027, 1, 5, 10))
    assert_shanghai(cal.add_business_time(at(2027, 1, 4, 17), 2 * H), at(2027, 1, 6, 10))
    both = BusinessCalendar(extra_closed=frozenset({tuesday}), extra_open=frozenset({tuesday}))
    assert not both.is_working_day(tuesday)
    # extra_closed also beats a library make-up day.
    assert not BusinessCalendar(extra_closed=frozenset({date(2026, 9, 20)})).is_working_day(date(2026, 9, 20))


# -- the inverse ------------------------------------------------------------------------------


def test_between_is_inverse_of_add():
    rng = random.Random(20261124)
    span = int((at(2027, 12, 1) - at(2026, 1, 1)).total_seconds())
    for _ in range(300):
        start = at(2026, 1, 1) + timedelta(seconds=rng.randrange(span))
        delta = timedelta(minutes=rng.randrange(0, 80 * 60), seconds=rng.randrange(60))
        due = CAL.add_business_time(start, delta)
        assert due >= start
        assert CAL.business_time_between(start, due) == delta, (start, delta, due)


def test_add_is_inverse_of_between_for_open_ends():
    rng = random.Random(7)
    checked = 0
    while checked < 100:
        start = at(2026, 1, 20) + timedelta(minutes=rng.randrange(700 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(1, 30 * 24 * 60))
        if not CAL.is_open(end):
            continue
        assert CAL.add_business_time(start, CAL.business_time_between(start, end)) == end
        checked += 1


def test_between_basic_cases():
    assert CAL.business_time_between(at(2026, 11, 24, 10), at(2026, 11, 24, 14)) == 4 * H
    assert CAL.business_time_between(at(2026, 11, 27, 17), at(2026, 11, 30, 10)) == 2 * H
    assert CAL.business_time_between(at(2026, 11, 28, 10), at(2026, 11, 29, 10)) == timedelta(0)
    assert CAL.business_time_between(at(2026, 11, 24, 14), at(2026, 11, 24, 10)) == timedelta(0)
    assert CAL.business_time_between(at(2026, 11, 24, 10), at(2026, 11, 24, 10)) == timedelta(0)
    # A full ordinary week: 5 x 9 h.
    assert CAL.business_time_between(at(2026, 11, 23), at(2026, 11, 30)) == 45 * H


# -- open status ------------------------------------------------------------------------------


def test_open_status_open_on_tuesday():
    status = open_status(CAL, at(2026, 11, 24, 10))
    assert status == OpenStatus(open_now=True, until=at(2026, 11, 24, 18), next_open=None)
    assert status.until.tzinfo.key == "Asia/Shanghai"


def test_open_status_closed_on_saturday():
    status = open_status(CAL, at(2026, 11, 28, 11))
    assert status.open_now is False
    assert status.until is None
    assert_shanghai(status.next_open, at(2026, 11, 30, 9))


def test_closing_time_is_exclusive():
    assert CAL.is_open(at(2026, 11, 24, 9))
    assert CAL.is_open(at(2026, 11, 24, 17, 59, 59))
    assert not CAL.is_open(at(2026, 11, 24, 18))
    assert not CAL.is_open(at(2026, 11, 24, 8, 59, 59))
    status = open_status(CAL, at(2026, 11, 24, 18))
    assert status.open_now is False and status.until is None
    assert_shanghai(status.next_open, at(2026, 11, 25, 9))
    assert CAL.closing_time(at(2026, 11, 24, 18)) is None
    assert_shanghai(CAL.closing_time(at(2026, 11, 24, 17, 59)), at(2026, 11, 24, 18))


def test_next_opening():
    assert_shanghai(CAL.next_opening(at(2026, 11, 24, 10, 30)), at(2026, 11, 24, 10, 30))
    assert_shanghai(CAL.next_opening(at(2026, 11, 24, 6)), at(2026, 11, 24, 9))
    assert_shanghai(CAL.next_opening(at(2026, 11, 24, 18)), at(2026, 11, 25, 9))
    assert_shanghai(CAL.next_opening(at(2026, 9, 30, 18)), at(2026, 10, 8, 9))


# -- time zones -------------------------------------------------------------------------------


def test_utc_input_is_converted():
    start = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
    assert CAL.is_open(start)
    assert_shanghai(CAL.add_business_time(start, 4 * H), at(2026, 11, 24, 14))
    assert_shanghai(CAL.next_opening(start), at(2026, 11, 24, 10))
    # 2026-11-24T10:30Z is 18:30 in Beijing: closed.
    late = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)
    assert not CAL.is_open(late)
    assert CAL.business_time_between(start, late) == 8 * H
    # Another named zone works as well: 2026-11-23 21:00 New York = 11-24 10:00 Beijing.
    ny = datetime(2026, 11, 23, 21, 0, tzinfo=ZoneInfo("America/New_York"))
    assert_shanghai(CAL.add_business_time(ny, H), at(2026, 11, 24, 11))


def test_naive_datetimes_rejected():
    with pytest.raises(ValueError):
        CAL.is_open(datetime(2026, 11, 24, 10))
    with pytest.raises(ValueError):
        CAL.add_business_time(datetime(2026, 11, 24, 10), H)


def test_dst_day_counts_real_elapsed_time():
    # Europe/Berlin springs forward on 2026-03-29 (Sunday): 00:00-23:00 local is 22 real hours.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        opens=time(0, 0),
        closes=time(23, 0),
        workdays=frozenset(range(7)),
        country=None,
    )
    berlin = ZoneInfo("Europe/Berlin")
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=berlin)
    day_end = datetime(2026, 3, 29, 23, 0, tzinfo=berlin)
    assert cal.business_time_between(day_start, day_end) == 22 * H
    assert cal.add_business_time(day_start, 22 * H) == day_end


# -- configuration edge cases -----------------------------------------------------------------


def test_no_working_days_raises_instead_of_looping():
    cal = BusinessCalendar(workdays=frozenset(), country=None)
    with pytest.raises(ValueError):
        cal.add_business_time(at(2026, 11, 24, 10), H)
    with pytest.raises(NoOpeningError):
        cal.next_opening(at(2026, 11, 24, 10))
    assert cal.business_time_between(at(2026, 1, 1), at(2027, 1, 1)) == timedelta(0)
    assert open_status(cal, at(2026, 11, 24, 10)) == OpenStatus(open_now=False, until=None, next_open=None)


def test_no_weekdays_but_make_up_days():
    # workdays empty but country CN: only the library's six 2026 make-up days are open
    # (01-04, 02-14, 02-28, 05-09, 09-20, 10-10), 9 h each; none known after 10-10.
    cal = BusinessCalendar(workdays=frozenset())
    assert cal.business_time_between(at(2026, 1, 1), at(2027, 1, 1)) == 6 * 9 * H
    assert_shanghai(cal.next_opening(at(2026, 9, 1)), at(2026, 9, 20, 9))
    assert_shanghai(cal.add_business_time(at(2026, 9, 20, 17), 2 * H), at(2026, 10, 10, 10))
    with pytest.raises(ValueError):
        cal.add_business_time(at(2026, 11, 24, 10), H)


def test_country_none_ignores_public_holidays():
    cal = BusinessCalendar(country=None)
    assert cal.is_working_day(date(2026, 10, 1))  # National Day, a Thursday
    assert not cal.is_working_day(date(2026, 9, 20))  # no make-up Sunday either
    assert_shanghai(cal.add_business_time(at(2026, 9, 30, 17), 2 * H), at(2026, 10, 1, 10))


def test_unknown_country_falls_back_to_weekdays():
    cal = BusinessCalendar(country="XX")
    assert cal.is_working_day(date(2026, 10, 1))
    assert not cal.is_working_day(date(2026, 10, 3))


def test_year_without_library_data_uses_weekdays():
    # Far outside the library's range: no crash, weekday rule.
    assert CAL.is_working_day(date(2300, 1, 2))  # a Tuesday
    assert not CAL.is_working_day(date(2300, 1, 6))  # a Saturday


def test_invalid_calendars_rejected():
    with pytest.raises(ValueError):
        BusinessCalendar(opens=time(18), closes=time(9))
    with pytest.raises(ValueError):
        BusinessCalendar(workdays=frozenset({7}))
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Mars/Olympus_Mons")


def test_calendar_is_hashable_and_coerces_iterables():
    cal = BusinessCalendar(workdays={0, 1}, extra_open=[date(2027, 2, 20)])  # type: ignore[arg-type]
    assert isinstance(cal.workdays, frozenset) and isinstance(cal.extra_open, frozenset)
    assert hash(cal) == hash(BusinessCalendar(workdays=frozenset({0, 1}), extra_open=frozenset({date(2027, 2, 20)})))


# -- parse_days -------------------------------------------------------------------------------


def test_parse_days():
    assert parse_days(["2027-02-06", " 2027-02-20 ", ""]) == frozenset({date(2027, 2, 6), date(2027, 2, 20)})
    assert parse_days([]) == frozenset()


@pytest.mark.parametrize("bad", ["2027-02-30", "06/02/2027", "20270206", "tomorrow", "2027-2-6"])
def test_parse_days_names_the_bad_value(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        parse_days(["2027-01-04", bad])


def test_parse_days_rejects_a_bare_string():
    with pytest.raises(ValueError):
        parse_days("2027-02-06")
