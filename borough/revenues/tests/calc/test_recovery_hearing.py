"""The hearing of a summons (CT reg. 35(2A)), the one rule in calc.recovery.earliest_hearing: posted on the day of
issue, deemed served on the second business day after posting, then 14 whole days (the day of service and the
hearing day not counted). Each case checks the last day refused and the first allowed."""

from datetime import date, timedelta

import pytest

from borough.core.calendars import bank_holidays
from borough.revenues.calc import recovery as r

# England and Wales, 2026: Good Friday, Easter Monday, Christmas Day, Boxing Day (a Saturday, so Monday 28th).
HOLIDAYS = frozenset({date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25), date(2026, 12, 28)})


@pytest.mark.parametrize(
    ("issued", "served", "first_allowed"),
    [
        # A Wednesday: served Friday; 14 days elapse Saturday 2nd to Friday 15th; heard from Saturday 16th.
        (date(2026, 4, 29), date(2026, 5, 1), date(2026, 5, 16)),
        # A Friday: the weekend is not counted, served Tuesday.
        (date(2026, 6, 5), date(2026, 6, 9), date(2026, 6, 24)),
        # A Saturday: Monday is the first business day after posting, Tuesday the second.
        (date(2026, 6, 6), date(2026, 6, 9), date(2026, 6, 24)),
        # The Thursday before Easter: Good Friday and Easter Monday are not business days, served Wednesday.
        (date(2026, 4, 2), date(2026, 4, 8), date(2026, 4, 23)),
        # The Wednesday before Christmas: served Tuesday 29th, six days on.
        (date(2026, 12, 23), date(2026, 12, 29), date(2027, 1, 13)),
    ],
)
def test_the_last_refused_and_first_allowed_hearing(issued, served, first_allowed):
    hearing = r.earliest_hearing(issued, holidays=HOLIDAYS)
    assert (hearing.served_on, hearing.earliest) == (served, first_allowed)
    last_refused = r.earliest_hearing(issued, holidays=HOLIDAYS, hearing=first_allowed - timedelta(days=1))
    assert not last_refused.lawful and "too early: only 13 whole days after service" in last_refused.steps[-1]
    allowed = r.earliest_hearing(issued, holidays=HOLIDAYS, hearing=first_allowed)
    assert allowed.lawful and "lawful (14 whole days after service)" in allowed.steps[-1]


def test_the_steps_say_how_the_day_was_found():
    steps = r.earliest_hearing(date(2026, 4, 2), holidays=HOLIDAYS).steps
    assert steps[0] == (
        "The summons issued on Thursday 2 April 2026 and posted that day is deemed served on Wednesday 8 April "
        "2026, the second business day after posting (weekends and bank holidays not counted)."
    )
    assert "reg. 35(2A)" in steps[1] and "the earliest hearing is Thursday 23 April 2026" in steps[1]


def test_the_run_moves_a_hearing_booked_too_early_and_keeps_a_lawful_one():
    rules = r.RecoveryRules(hearing_after_days=15)
    moved = r.hearing_for(date(2026, 4, 29), holidays=HOLIDAYS, rules=rules)
    # The earliest lawful day is Saturday 16 May; the court sits on Monday 18th.
    assert (moved.day, moved.lawful) == (date(2026, 5, 18), True)
    assert moved.steps[-1] == (
        "The hearing is moved to Monday 18 May 2026, the earliest lawful day on which the court sits "
        "(not a weekend or bank holiday)."
    )
    # Monday 1 June: served Wednesday 3rd, booked Tuesday 16th (too early), the earliest Thursday 18th.
    on_a_weekday = r.hearing_for(date(2026, 6, 1), holidays=HOLIDAYS, rules=rules)
    assert on_a_weekday.day == date(2026, 6, 18)
    assert on_a_weekday.steps[-1] == "The hearing is moved to Thursday 18 June 2026, the earliest lawful day."
    kept = r.hearing_for(date(2026, 4, 29), holidays=HOLIDAYS, rules=r.RecoveryRules())
    assert kept.day == date(2026, 5, 20) and "moved" not in " ".join(kept.steps)
    given = r.hearing_for(date(2026, 4, 29), holidays=HOLIDAYS, rules=rules, hearing=date(2026, 6, 1))
    assert given.day == date(2026, 6, 1)


def test_a_hearing_the_run_works_out_is_never_on_a_weekend_or_bank_holiday():
    # Issued Thursday 2 April (before Easter) with 23 days: Saturday 25 April, lawful, heard Monday 27th instead.
    weekend = r.hearing_for(date(2026, 4, 2), holidays=HOLIDAYS, rules=r.RecoveryRules(hearing_after_days=23))
    assert (weekend.day, weekend.lawful) == (date(2026, 4, 27), True)
    assert weekend.steps[-1] == (
        "The hearing is moved to Monday 27 April 2026: the court does not sit on Saturday 25 April 2026."
    )
    # Issued Monday 7 December with 21 days: Monday 28 December is the Boxing Day holiday; heard Tuesday 29th.
    holiday = r.hearing_for(date(2026, 12, 7), holidays=HOLIDAYS, rules=r.RecoveryRules(hearing_after_days=21))
    assert holiday.day == date(2026, 12, 29)
    # A day an officer gives is theirs: checked, never moved.
    given = r.hearing_for(date(2026, 4, 2), holidays=HOLIDAYS, rules=r.RecoveryRules(), hearing=date(2026, 4, 25))
    assert given.day == date(2026, 4, 25) and given.lawful


def test_the_least_days_for_any_day_of_the_year():
    # With no holidays, a Thursday's (or Friday's) summons needs the most: served 4 days on, over the weekend.
    least, worst = r.least_hearing_days(holidays=frozenset(), start=date(2026, 6, 1))
    assert (least, worst.issued_on, worst.served_on) == (19, date(2026, 6, 4), date(2026, 6, 8))
    # England and Wales' bank holidays: six days to serve before Easter or Christmas, so 21.
    least, worst = r.least_hearing_days(holidays=bank_holidays("england-and-wales"), start=date(2026, 1, 1))
    assert least == 21 and (worst.served_on - worst.issued_on).days == 6
    with pytest.raises(ValueError, match="at least one day"):
        r.least_hearing_days(holidays=HOLIDAYS, start=date(2026, 1, 1), days=0)


def test_first_class_post_is_the_default_and_second_class_can_be_read():
    second_class = r.RecoveryRules(summons_post_days=4)
    hearing = r.earliest_hearing(date(2026, 4, 29), holidays=HOLIDAYS, rules=second_class)
    assert hearing.served_on == date(2026, 5, 5) and "fourth business day" in hearing.steps[0]
