from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from borough.core.calc.working_days import (
    MONDAY_TO_FRIDAY,
    OFFICE_HOURS,
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    is_working_day,
    next_working_day,
    working_days_between,
    working_hours_between,
)

# Christmas 2026 in England and Wales: Friday 25 and (Boxing Day substitute) Monday 28 December.
CHRISTMAS = frozenset({date(2026, 12, 25), date(2026, 12, 28)})
NO_HOLIDAYS: frozenset[date] = frozenset()
THU, FRI, SAT, SUN, MON = (date(2026, 11, d) for d in (26, 27, 28, 29, 30))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def test_weekends_and_holidays_are_not_working_days():
    assert is_working_day(FRI, holidays=NO_HOLIDAYS)
    assert not is_working_day(SAT, holidays=NO_HOLIDAYS)
    assert not is_working_day(date(2026, 12, 25), holidays=CHRISTMAS)
    assert is_working_day(SAT, holidays=NO_HOLIDAYS, weekdays=frozenset({5}))


def test_next_working_day_skips_weekends_and_holidays():
    assert next_working_day(FRI, holidays=NO_HOLIDAYS) == MON
    assert next_working_day(THU, holidays=NO_HOLIDAYS) == FRI
    assert next_working_day(date(2026, 12, 24), holidays=CHRISTMAS) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (FRI, 1, MON),
        (SAT, 1, MON),
        (MON, -1, FRI),
        (SUN, -1, FRI),
        (MON, 5, date(2026, 12, 7)),
        (SAT, 0, SAT),
        (date(2026, 12, 23), 2, date(2026, 12, 29)),
        (date(2026, 12, 29), -2, date(2026, 12, 23)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, holidays=CHRISTMAS) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON, date(2026, 12, 4), 4),
        (FRI, MON, 1),
        (SAT, SUN, 0),
        (MON, FRI, -1),
        (date(2026, 12, 24), date(2027, 1, 1), 4),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end, holidays=CHRISTMAS) == expected


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1})])
def test_a_working_week_must_have_real_working_days(weekdays):
    with pytest.raises(ValueError, match="weekdays"):
        add_working_days(MON, 1, holidays=NO_HOLIDAYS, weekdays=weekdays)
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(holidays=NO_HOLIDAYS, weekdays=weekdays)


days_2026_to_2028 = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))
holiday_sets = st.frozensets(days_2026_to_2028, max_size=40)
working_weeks = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)


@given(start=days_2026_to_2028, days=st.integers(-400, 400), holidays=holiday_sets, weekdays=working_weeks)
def test_adding_then_taking_away_working_days_lands_on_a_working_day(start, days, holidays, weekdays):
    assume(days != 0)
    there = add_working_days(start, days, holidays=holidays, weekdays=weekdays)
    back = add_working_days(there, -days, holidays=holidays, weekdays=weekdays)
    assert is_working_day(there, holidays=holidays, weekdays=weekdays)
    assert is_working_day(back, holidays=holidays, weekdays=weekdays)
    if is_working_day(start, holidays=holidays, weekdays=weekdays):
        assert back == start
        assert working_days_between(start, there, holidays=holidays, weekdays=weekdays) == days


@given(start=days_2026_to_2028, end=days_2026_to_2028, holidays=holiday_sets, weekdays=working_weeks)
def test_working_days_between_counts_the_working_days(start, end, holidays, weekdays):
    low, high = sorted((start, end))
    counted = sum(
        is_working_day(low + timedelta(days=i), holidays=holidays, weekdays=weekdays)
        for i in range(1, (high - low).days + 1)
    )
    assert working_days_between(start, end, holidays=holidays, weekdays=weekdays) == (
        counted if end >= start else -counted
    )


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(MON, 9), 8, at(MON, 17)),
        (at(MON, 16), 2, at(date(2026, 12, 1), 10)),
        (at(FRI, 16), 2, at(MON, 10)),
        (at(SAT, 12), 1, at(MON, 10)),
        (at(MON, 7), 1, at(MON, 10)),
        (at(MON, 20), Decimal("1.5"), at(date(2026, 12, 1), 10, 30)),
        (at(MON, 9), timedelta(minutes=90), at(MON, 10, 30)),
        (at(MON, 9), 40, at(date(2026, 12, 4), 17)),
        (at(date(2026, 12, 24), 16, 30), 4, at(date(2026, 12, 29), 12, 30)),
        (at(SAT, 12), 0, at(SAT, 12)),
    ],
)
def test_add_working_hours(start, hours, expected):
    assert add_working_hours(start, hours, holidays=CHRISTMAS) == expected


def test_add_working_hours_with_other_opening_hours():
    contact_centre = {weekday: (time(8), time(20)) for weekday in range(6)}
    assert add_working_hours(at(SAT, 19), 2, holidays=NO_HOLIDAYS, opening_hours=contact_centre) == at(MON, 9)


def test_add_working_hours_refuses_bad_input_clearly():
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_hours(at(MON, 9), -1, holidays=NO_HOLIDAYS)
    with pytest.raises(ValueError, match="timezone-aware: pass a naive local time"):
        add_working_hours(datetime(2026, 11, 30, 9, tzinfo=UTC), 1, holidays=NO_HOLIDAYS)
    with pytest.raises(ValueError, match="close .* before they open"):
        add_working_hours(at(MON, 9), 1, holidays=NO_HOLIDAYS, opening_hours={0: (time(17), time(9))})
    with pytest.raises(ValueError, match="opening_hours is empty"):
        add_working_hours(at(MON, 9), 1, holidays=NO_HOLIDAYS, opening_hours={})
    with pytest.raises(ValueError, match="weekday 0 .Monday. to 6"):
        add_working_hours(at(MON, 9), 1, holidays=NO_HOLIDAYS, opening_hours={7: (time(9), time(17))})
    with pytest.raises(TypeError, match="hours must be a number"):
        add_working_hours(at(MON, 9), "2", holidays=NO_HOLIDAYS)


def test_working_hours_between():
    assert working_hours_between(at(FRI, 16), at(MON, 10), holidays=NO_HOLIDAYS) == timedelta(hours=2)
    assert working_hours_between(at(MON, 10), at(FRI, 16), holidays=NO_HOLIDAYS) == -timedelta(hours=2)
    assert working_hours_between(at(SAT, 10), at(SUN, 16), holidays=NO_HOLIDAYS) == timedelta(0)
    assert working_hours_between(at(date(2026, 12, 24), 9), at(date(2026, 12, 29), 9), holidays=CHRISTMAS) == (
        timedelta(hours=8)
    )


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300)).map(
    lambda d: timedelta(seconds=int(d.total_seconds()))
)


@given(start=moments, duration=durations, holidays=holiday_sets)
def test_working_hours_added_are_the_working_hours_between(start, duration, holidays):
    due = add_working_hours(start, duration, holidays=holidays)
    assert working_hours_between(start, due, holidays=holidays) == duration
    if duration:
        opens, closes = OFFICE_HOURS[due.weekday()]
        assert is_working_day(due.date(), holidays=holidays)
        assert opens < due.time() <= closes


def test_a_calendar_binds_its_holidays_and_week():
    calendar = WorkingCalendar(holidays=CHRISTMAS)
    assert calendar.weekdays == MONDAY_TO_FRIDAY
    assert calendar.is_working_day(date(2026, 12, 24))
    assert calendar.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert calendar.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert calendar.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert calendar.add_working_hours(at(date(2026, 12, 24), 16), 2) == at(date(2026, 12, 29), 10)
    assert calendar.working_hours_between(at(date(2026, 12, 24), 16), at(date(2026, 12, 29), 10)) == timedelta(hours=2)
    saturday_mornings = {5: (time(9), time(12))}
    assert calendar.add_working_hours(at(FRI, 9), 1, opening_hours=saturday_mornings) == at(SAT, 10)
