"""Working days and working hours: deadlines, SLA due times and elapsed time that skip weekends and holidays.

Pure: the caller passes the holidays (a frozenset of dates, e.g. from `borough.core.calendars.bank_holidays`)
and which weekdays are worked (0 = Monday ... 6 = Sunday, as `date.weekday()`).

Times are NAIVE datetimes in the office's local time (Europe/London): opening hours are wall-clock times, so
a caller converts an aware datetime with `timezone.localtime(value).replace(tzinfo=None)` and the result back
with `timezone.make_aware(result)`. Clocks change at night, outside opening hours, so no working time is lost
or gained at a change.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
ONE_DAY = timedelta(days=1)

OpeningHours = Mapping[int, tuple[time, time]]
"""weekday (0 = Monday) -> (opens, closes), one window a day; a weekday not in it is closed."""

OFFICE_HOURS: OpeningHours = MappingProxyType({weekday: (time(9), time(17)) for weekday in MONDAY_TO_FRIDAY})


def _check_weekdays(weekdays: frozenset[int]) -> None:
    if not weekdays:
        raise ValueError("weekdays is empty: at least one day of the week must be a working day")
    if not weekdays <= frozenset(range(7)):
        raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), not {sorted(weekdays)}")


def is_working_day(day: date, *, holidays: frozenset[date], weekdays: frozenset[int] = MONDAY_TO_FRIDAY) -> bool:
    return day.weekday() in weekdays and day not in holidays


def next_working_day(day: date, *, holidays: frozenset[date], weekdays: frozenset[int] = MONDAY_TO_FRIDAY) -> date:
    """The first working day after `day` (never `day` itself)."""
    return add_working_days(day, 1, holidays=holidays, weekdays=weekdays)


def add_working_days(
    start: date, days: int, *, holidays: frozenset[date], weekdays: frozenset[int] = MONDAY_TO_FRIDAY
) -> date:
    """The date `days` working days after `start` (before it, if `days` is negative).

    `start` itself is not counted: Friday + 1 is Monday, and Saturday + 1 is Monday too. The result is always
    a working day, except for `days == 0`, which returns `start` unchanged.
    """
    _check_weekdays(weekdays)
    step = ONE_DAY if days > 0 else -ONE_DAY
    day, remaining = start, abs(days)
    while remaining:
        day += step
        if is_working_day(day, holidays=holidays, weekdays=weekdays):
            remaining -= 1
    return day


def working_days_between(
    start: date, end: date, *, holidays: frozenset[date], weekdays: frozenset[int] = MONDAY_TO_FRIDAY
) -> int:
    """How many working days after `start` up to and including `end` (negative if `end` is before `start`).

    The inverse of `add_working_days`: for a working day `start`, add_working_days(start, n) == end gives n.
    """
    _check_weekdays(weekdays)
    if end < start:
        return -working_days_between(end, start, holidays=holidays, weekdays=weekdays)
    whole_weeks, extra_days = divmod((end - start).days, 7)
    count = whole_weeks * len(weekdays)
    count -= sum(1 for holiday in holidays if start < holiday <= end and holiday.weekday() in weekdays)
    for offset in range(1, extra_days + 1):
        # Holidays were already taken off for the whole span, so count only the weekday here.
        count += (start + timedelta(days=whole_weeks * 7 + offset)).weekday() in weekdays
    return count


def _check_opening_hours(opening_hours: OpeningHours) -> None:
    if not opening_hours:
        raise ValueError("opening_hours is empty: at least one day of the week must have opening hours")
    for weekday, (opens, closes) in opening_hours.items():
        if weekday not in range(7):
            raise ValueError(f"opening hours are keyed by weekday 0 (Monday) to 6 (Sunday), not {weekday!r}")
        if not opens < closes:
            raise ValueError(f"opening hours of weekday {weekday} close ({closes}) before they open ({opens})")


def _check_naive(value: datetime) -> None:
    if value.tzinfo is not None:
        raise ValueError(
            f"{value.isoformat()} is timezone-aware: pass a naive local time, e.g. "
            "timezone.localtime(value).replace(tzinfo=None)"
        )


def _open_window(day: date, holidays: frozenset[date], opening_hours: OpeningHours) -> tuple[datetime, datetime] | None:
    hours = opening_hours.get(day.weekday())
    if hours is None or day in holidays:
        return None
    return datetime.combine(day, hours[0]), datetime.combine(day, hours[1])


def _as_timedelta(hours: float | Decimal | timedelta) -> timedelta:
    if isinstance(hours, timedelta):
        return hours
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"hours must be a number or a timedelta, not {type(hours).__name__}")
    return timedelta(hours=float(hours))


def add_working_hours(
    start: datetime,
    hours: float | Decimal | timedelta,
    *,
    holidays: frozenset[date],
    opening_hours: OpeningHours = OFFICE_HOURS,
) -> datetime:
    """The moment when `hours` of opening time have passed since `start` (e.g. an SLA's due time).

    The clock runs only within opening hours, on days that are not holidays. Time running out exactly at
    closing gives the closing time (Monday 09:00 + 8 hours is Monday 17:00). Zero hours returns `start`.
    """
    _check_naive(start)
    _check_opening_hours(opening_hours)
    remaining = _as_timedelta(hours)
    if remaining < timedelta(0):
        raise ValueError(f"hours must not be negative, not {hours}")
    if not remaining:
        return start
    moment = start
    while True:
        window = _open_window(moment.date(), holidays, opening_hours)
        if window is not None:
            opens, closes = window
            moment = max(moment, opens)
            if moment < closes:
                if remaining <= closes - moment:
                    return moment + remaining
                remaining -= closes - moment
        moment = datetime.combine(moment.date() + ONE_DAY, time.min)


def working_hours_between(
    start: datetime, end: datetime, *, holidays: frozenset[date], opening_hours: OpeningHours = OFFICE_HOURS
) -> timedelta:
    """How much opening time passes from `start` to `end` (negative if `end` is before `start`)."""
    _check_naive(start)
    _check_naive(end)
    _check_opening_hours(opening_hours)
    if end < start:
        return -working_hours_between(end, start, holidays=holidays, opening_hours=opening_hours)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        window = _open_window(day, holidays, opening_hours)
        if window is not None:
            opens, closes = max(window[0], start), min(window[1], end)
            if opens < closes:
                total += closes - opens
        day += ONE_DAY
    return total


@dataclass(frozen=True)
class WorkingCalendar:
    """One place's holidays and working week, with the functions above bound to them."""

    holidays: frozenset[date]
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    opening_hours: OpeningHours = OFFICE_HOURS

    def __post_init__(self) -> None:
        _check_weekdays(self.weekdays)
        _check_opening_hours(self.opening_hours)

    def is_working_day(self, day: date) -> bool:
        return is_working_day(day, holidays=self.holidays, weekdays=self.weekdays)

    def next_working_day(self, day: date) -> date:
        return next_working_day(day, holidays=self.holidays, weekdays=self.weekdays)

    def add_working_days(self, start: date, days: int) -> date:
        return add_working_days(start, days, holidays=self.holidays, weekdays=self.weekdays)

    def working_days_between(self, start: date, end: date) -> int:
        return working_days_between(start, end, holidays=self.holidays, weekdays=self.weekdays)

    def add_working_hours(
        self, start: datetime, hours: float | Decimal | timedelta, opening_hours: OpeningHours | None = None
    ) -> datetime:
        return add_working_hours(
            start,
            hours,
            holidays=self.holidays,
            opening_hours=self.opening_hours if opening_hours is None else opening_hours,
        )

    def working_hours_between(
        self, start: datetime, end: datetime, opening_hours: OpeningHours | None = None
    ) -> timedelta:
        return working_hours_between(
            start,
            end,
            holidays=self.holidays,
            opening_hours=self.opening_hours if opening_hours is None else opening_hours,
        )
