"""The service-level clock: due times across weekends, bank holidays of each nation, evenings, clock changes and
pauses (table-driven), the breach state, and properties that hold for any moment (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borough.core.calendars import bank_holidays
from borough.crm.calc.sla import (
    BREACHED,
    BREACHING_SOON,
    LONDON,
    ON_TRACK,
    PAUSED,
    SlaTarget,
    due_time,
    is_working_moment,
    resume_due,
    sla_calendar,
    sla_state,
)

ENGLAND = sla_calendar(holidays=bank_holidays("england-and-wales"), opens=time(9), closes=time(17))
SCOTLAND = sla_calendar(holidays=bank_holidays("scotland"), opens=time(9), closes=time(17))
EARLY = sla_calendar(holidays=bank_holidays("england-and-wales"), opens=time(8, 30), closes=time(16, 30))
CALENDARS = {"england": ENGLAND, "scotland": SCOTLAND, "early": EARLY}


def london(text: str) -> datetime:
    """An aware moment from London wall-clock time, e.g. "2026-01-16 16:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def days(amount: int) -> SlaTarget:
    return SlaTarget(amount, "working_days")


def hours(amount: int) -> SlaTarget:
    return SlaTarget(amount, "working_hours")


@pytest.mark.parametrize(
    ("calendar", "created", "target", "due"),
    [
        # Working days: the end of the Nth working day after the day of creation.
        ("england", "2026-01-16 16:00", days(2), "2026-01-20 17:00"),  # Friday afternoon -> Tuesday
        ("england", "2026-01-17 10:00", days(1), "2026-01-19 17:00"),  # Saturday -> Monday
        ("england", "2026-01-19 08:00", days(1), "2026-01-20 17:00"),  # before opening: the day still does not count
        ("england", "2026-01-19 21:00", days(1), "2026-01-20 17:00"),  # evening
        ("england", "2026-01-12 12:00", days(10), "2026-01-26 17:00"),  # two weekends
        ("england", "2026-12-24 10:00", days(1), "2026-12-29 17:00"),  # Christmas Day and Boxing Day (substitute)
        ("england", "2026-12-30 12:00", days(2), "2027-01-04 17:00"),  # New Year's Day
        ("scotland", "2026-12-30 12:00", days(2), "2027-01-05 17:00"),  # ... and Scotland's 2 January (substitute)
        ("england", "2026-11-27 12:00", days(1), "2026-11-30 17:00"),  # an ordinary Monday in England
        ("scotland", "2026-11-27 12:00", days(1), "2026-12-01 17:00"),  # St Andrew's Day (substitute) in Scotland
        ("england", "2026-08-28 12:00", days(1), "2026-09-01 17:00"),  # the English summer bank holiday
        ("scotland", "2026-08-28 12:00", days(1), "2026-08-31 17:00"),  # ... which Scotland has earlier in August
        ("england", "2026-01-17 10:00", days(0), "2026-01-19 17:00"),  # 0 days on a Saturday: end of Monday
        ("england", "2026-01-19 10:00", days(0), "2026-01-19 17:00"),
        ("early", "2026-01-16 16:00", days(2), "2026-01-20 16:30"),  # the tenant's own closing time
        ("england", "2026-07-03 16:00", days(1), "2026-07-06 17:00"),  # British Summer Time
        # Working hours: opening time only.
        ("england", "2026-01-16 16:00", hours(2), "2026-01-19 10:00"),  # over a weekend
        ("england", "2026-01-19 18:30", hours(8), "2026-01-20 17:00"),  # evening: starts next morning
        ("england", "2026-01-19 09:00", hours(8), "2026-01-19 17:00"),  # runs out exactly at closing
        ("england", "2026-01-19 06:00", hours(1), "2026-01-19 10:00"),  # early morning
        ("england", "2026-12-24 15:00", hours(24), "2026-12-31 15:00"),  # Christmas
        ("england", "2026-12-31 16:00", hours(2), "2027-01-04 10:00"),
        ("scotland", "2026-12-31 16:00", hours(2), "2027-01-05 10:00"),
        ("england", "2026-03-27 16:00", hours(2), "2026-03-30 10:00"),  # the clocks go forward that weekend
        ("england", "2026-10-23 16:00", hours(2), "2026-10-26 10:00"),  # ... and back
        ("early", "2026-01-16 16:00", hours(2), "2026-01-19 10:00"),  # 16:00-16:30, then 08:30-10:00
        ("england", "2026-01-18 12:00", hours(0), "2026-01-19 09:00"),  # 0 hours on a Sunday: the next opening
    ],
)
def test_due_time(calendar, created, target, due):
    result = due_time(london(created), target, CALENDARS[calendar])
    assert result.due_at == london(due)
    assert result.due_at.tzinfo == UTC
    assert result.steps[0].startswith("Created ") and result.steps[-1].startswith("Due ")


def test_due_time_explains_itself_in_plain_words():
    steps = due_time(london("2026-12-24 10:00"), days(1), ENGLAND).steps
    assert steps == (
        "Created Thursday 24 December 2026 at 10:00.",
        "Service level: 1 working day.",
        "That is the end of the 1st working day after the day of creation (the day of creation does not count).",
        "Working days counted: Tuesday 29 December 2026.",
        "Not counted: Friday 25 December 2026, Monday 28 December 2026 (holidays) and 2 weekend days.",
        "Due Tuesday 29 December 2026 at 17:00.",
    )
    hour_steps = due_time(london("2026-01-16 18:00"), hours(2), ENGLAND).steps
    assert "Created outside working hours, so the clock starts Monday 19 January 2026 at 09:00." in hour_steps
    assert "Monday 19 January 2026: 2 hours (09:00 to 11:00)." in hour_steps


def test_utc_in_utc_out():
    # 15:00 UTC is 16:00 in London in July: one working hour is left that day.
    result = due_time(datetime(2026, 7, 3, 15, tzinfo=UTC), hours(2), ENGLAND)
    assert result.due_at == datetime(2026, 7, 6, 9, tzinfo=UTC)  # Monday 10:00 BST


@pytest.mark.parametrize(
    ("due", "paused", "resumed", "new_due"),
    [
        # 17 working hours left at Friday 16:00; resumed Monday morning: Monday, Tuesday, then one hour.
        ("2026-01-20 17:00", "2026-01-16 16:00", "2026-01-19 09:00", "2026-01-21 10:00"),
        # paused Friday, resumed Saturday: the clock restarts Monday at opening with 1h30 left
        ("2026-01-19 10:00", "2026-01-16 16:30", "2026-01-17 12:00", "2026-01-19 10:30"),
        # paused and resumed within the same weekend: nothing changes
        ("2026-01-19 10:00", "2026-01-17 11:00", "2026-01-18 15:00", "2026-01-19 10:00"),
        # paused in the evening, resumed the next evening: a whole working day later
        ("2026-01-21 12:00", "2026-01-19 19:00", "2026-01-20 19:00", "2026-01-22 12:00"),
        # resumed in the evening: restarts next morning
        ("2026-01-20 17:00", "2026-01-20 10:00", "2026-01-20 20:00", "2026-01-21 16:00"),
        # a pause over Christmas
        ("2026-12-24 17:00", "2026-12-24 15:00", "2026-12-29 09:00", "2026-12-29 11:00"),
        # paused after it was already due: a pause does not undo a breach
        ("2026-01-19 10:00", "2026-01-19 11:00", "2026-01-26 09:00", "2026-01-19 10:00"),
        # paused and resumed at the same moment
        ("2026-01-20 17:00", "2026-01-19 12:34", "2026-01-19 12:34", "2026-01-20 17:00"),
    ],
)
def test_resume_due(due, paused, resumed, new_due):
    result = resume_due(london(due), london(paused), london(resumed), ENGLAND)
    assert result.due_at == london(new_due)
    assert result.steps[0].startswith("Clock paused ")


def test_resume_due_explains_the_time_left():
    steps = resume_due(london("2026-01-20 17:00"), london("2026-01-16 16:00"), london("2026-01-19 09:00"), ENGLAND)
    assert "Working time left at the pause: 17 hours." in steps.steps
    assert steps.steps[-1] == "Due Wednesday 21 January 2026 at 10:00."


def test_resume_before_pause_is_refused():
    with pytest.raises(ValueError, match="resumed .* before it paused"):
        resume_due(london("2026-01-20 17:00"), london("2026-01-19 12:00"), london("2026-01-19 11:00"), ENGLAND)


@pytest.mark.parametrize(
    ("now", "paused", "state", "percent"),
    [
        ("2026-01-19 12:00", None, ON_TRACK, 18),  # 3 of 16 hours
        ("2026-01-20 11:00", None, ON_TRACK, 62),  # 10 of 16
        ("2026-01-20 15:00", None, BREACHING_SOON, 87),  # 14 of 16
        ("2026-01-20 17:00", None, BREACHING_SOON, 100),  # due this very minute: not yet breached
        ("2026-01-20 17:01", None, BREACHED, 100),
        ("2026-01-26 09:00", None, BREACHED, 250),  # 40 hours used of 16
        ("2026-01-19 08:00", None, ON_TRACK, 0),  # before the clock starts (created before opening)
        ("2026-01-26 09:00", "2026-01-19 13:00", PAUSED, 25),  # paused: the time used stops at the pause
        ("2026-01-26 09:00", "2026-01-21 09:00", BREACHED, 100),  # paused after the due time
    ],
)
def test_sla_state(now, paused, state, percent):
    result = sla_state(
        london(now),
        london("2026-01-19 08:00"),
        london("2026-01-20 17:00"),
        london(paused) if paused else None,
        80,
        ENGLAND,
    )
    assert (result.state, result.used_percent) == (state, percent)
    assert result.steps


def test_sla_state_does_not_count_the_weekend():
    # Created Friday 09:00, due Monday 17:00 (16 working hours): by Sunday night only Friday's 8 hours are used.
    result = sla_state(
        london("2026-01-18 23:00"), london("2026-01-16 09:00"), london("2026-01-19 17:00"), None, 80, ENGLAND
    )
    assert (result.state, result.used_percent, result.remaining) == (ON_TRACK, 50, timedelta(hours=8))


def test_near_breach_percent_is_checked():
    with pytest.raises(ValueError, match="near_breach_percent"):
        sla_state(london("2026-01-19 12:00"), london("2026-01-19 09:00"), london("2026-01-19 17:00"), None, 0, ENGLAND)


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        (-1, "working_days", "amount"),
        (1.5, "working_hours", "amount"),
        (True, "working_days", "amount"),
        (3, "weeks", "unit"),
    ],
)
def test_bad_targets_are_refused(amount, unit, message):
    with pytest.raises(ValueError, match=message):
        SlaTarget(amount, unit)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        due_time(datetime(2026, 1, 19, 9), days(1), ENGLAND)


# Properties

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(UTC))
targets = st.builds(
    SlaTarget, st.integers(min_value=0, max_value=60), st.sampled_from(["working_hours", "working_days"])
)
calendars = st.sampled_from([ENGLAND, SCOTLAND, EARLY])


@settings(max_examples=300, deadline=None)
@given(created=moments, target=targets, calendar=calendars)
def test_due_is_always_a_working_moment_and_never_before_creation(created, target, calendar):
    due = due_time(created, target, calendar).due_at
    assert is_working_moment(due, calendar)
    assert due >= created


@settings(max_examples=300, deadline=None)
@given(created=moments, target=targets, calendar=calendars, offset=st.floats(min_value=0, max_value=1))
def test_pausing_and_resuming_at_once_changes_nothing(created, target, calendar, offset):
    due = due_time(created, target, calendar).due_at
    paused = created + (due - created) * offset
    assert resume_due(due, paused, paused, calendar).due_at == due


@settings(max_examples=200, deadline=None)
@given(
    created=moments,
    target=targets,
    calendar=calendars,
    pause=st.floats(0, 1),
    wait=st.timedeltas(timedelta(0), timedelta(days=20)),
)
def test_a_pause_never_brings_the_due_time_forward(created, target, calendar, pause, wait):
    due = due_time(created, target, calendar).due_at
    paused = created + (due - created) * pause
    resumed = resume_due(due, paused, paused + wait, calendar).due_at
    assert resumed >= due
    assert is_working_moment(resumed, calendar)


@settings(max_examples=200, deadline=None)
@given(first=moments, later=st.timedeltas(timedelta(0), timedelta(days=10)), target=targets, calendar=calendars)
def test_a_later_case_is_never_due_earlier(first, later, target, calendar):
    assert due_time(first + later, target, calendar).due_at >= due_time(first, target, calendar).due_at


@settings(max_examples=200, deadline=None)
@given(created=moments, target=targets, after=st.timedeltas(timedelta(0), timedelta(days=40)))
def test_breached_exactly_when_open_past_the_due_time(created, target, after):
    due = due_time(created, target, ENGLAND).due_at
    now = created + after
    state = sla_state(now, created, due, None, 80, ENGLAND)
    assert (state.state == BREACHED) == (now > due)
    assert state.state in {ON_TRACK, BREACHING_SOON, BREACHED}


def test_bank_holiday_data_covers_the_tested_years():
    assert date(2027, 1, 4) in bank_holidays("scotland") and date(2027, 1, 4) not in bank_holidays("england-and-wales")


def test_zero_working_days_after_closing_is_the_next_working_day():
    # Found by hypothesis: the end of the day of creation is already past at 17:00 and a moment.
    assert due_time(london("2026-01-16 17:30"), days(0), ENGLAND).due_at == london("2026-01-19 17:00")
