"""The service-level clock of a case: when it is due, how a pause moves that, and whether it is breaching.

Pure (DESIGN.md rule 3): no Django, no database. Each function returns its result and the steps that produced
it, in plain English, so staff can see why a case is due when it is.

Targets come in two units:
- N working hours: N hours of opening time after the case was created. A case created outside opening hours
  starts its clock at the next opening (Friday 18:00 + 2 working hours is Monday 11:00).
- N working days: the end (closing time) of the Nth working day after the day of creation. The day of creation
  never counts, whatever the hour: created Friday 16:00 with 2 working days is due Tuesday 17:00 (Monday is the
  first working day after it, Tuesday the second); created Saturday with 1 working day is due Monday 17:00.
  A target of 0 working days is the end of the day of creation (or of the next working day, when the office is
  closed that day or has closed by then).

A working day is a day of the week with opening hours that is not a holiday. Datetimes in are timezone-aware
(any zone); the arithmetic runs on the wall-clock time of Europe/London, because opening hours are wall-clock
times, and results come back in UTC.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from borough.core.calc.working_days import MONDAY_TO_FRIDAY, WorkingCalendar, add_working_days

LONDON = ZoneInfo("Europe/London")
WORKING_HOURS = "working_hours"
WORKING_DAYS = "working_days"
UNITS = (WORKING_HOURS, WORKING_DAYS)

ON_TRACK = "on_track"
BREACHING_SOON = "breaching_soon"
BREACHED = "breached"
PAUSED = "paused"
STATES = (ON_TRACK, BREACHING_SOON, BREACHED, PAUSED)


@dataclass(frozen=True)
class SlaTarget:
    amount: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(f"amount must be a whole number, 0 or more, not {self.amount!r}")

    def describe(self) -> str:
        noun = "working hour" if self.unit == WORKING_HOURS else "working day"
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class DueTime:
    due_at: datetime  # aware, UTC
    steps: tuple[str, ...]


@dataclass(frozen=True)
class SlaState:
    state: str  # one of STATES
    used_percent: int  # of the working time from creation to the due time, rounded down; may pass 100
    remaining: timedelta  # working time left (negative once breached)
    steps: tuple[str, ...]


def sla_calendar(
    *, holidays: frozenset[date], opens: time, closes: time, weekdays: frozenset[int] = MONDAY_TO_FRIDAY
) -> WorkingCalendar:
    """A working calendar open from `opens` to `closes` on `weekdays`, less `holidays`."""
    hours = MappingProxyType(dict.fromkeys(weekdays, (opens, closes)))
    return WorkingCalendar(holidays=holidays, weekdays=frozenset(weekdays), opening_hours=hours)


# Converting and describing moments


def to_local(moment: datetime) -> datetime:
    """Aware -> naive Europe/London wall-clock time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} is naive: pass a timezone-aware datetime (e.g. in UTC)")
    return moment.astimezone(LONDON).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """Naive Europe/London wall-clock time -> aware UTC. Working moments are never inside a clock change."""
    return local.replace(tzinfo=LONDON).astimezone(UTC)


def _day_text(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _moment_text(local: datetime) -> str:
    return f"{_day_text(local.date())} at {local:%H:%M}"


def _duration_text(span: timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return ("minus " if span < timedelta(0) else "") + " ".join(parts)


# The calendar's days


def _working_weekdays(calendar: WorkingCalendar) -> frozenset[int]:
    return frozenset(calendar.opening_hours)


def _window(day: date, calendar: WorkingCalendar) -> tuple[datetime, datetime] | None:
    hours = calendar.opening_hours.get(day.weekday())
    if hours is None or day in calendar.holidays:
        return None
    return datetime.combine(day, hours[0]), datetime.combine(day, hours[1])


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _closed_days_text(days: list[date], calendar: WorkingCalendar) -> str | None:
    holidays = [day for day in days if day in calendar.holidays and day.weekday() in calendar.opening_hours]
    weekend = sum(1 for day in days if day not in holidays and day.weekday() >= 5)
    other = len(days) - len(holidays) - weekend
    parts = []
    if holidays:
        parts.append(
            f"{', '.join(_day_text(day) for day in holidays)} ({'a holiday' if len(holidays) == 1 else 'holidays'})"
        )
    if weekend:
        parts.append(f"{weekend} weekend day{'' if weekend == 1 else 's'}")
    if other:
        parts.append(f"{other} other closed day{'' if other == 1 else 's'}")
    return f"Not counted: {' and '.join(parts)}." if parts else None


def is_working_moment(moment: datetime, calendar: WorkingCalendar) -> bool:
    """Whether the clock can run out at `moment` (aware): a working day, from opening to closing, both included."""
    local = to_local(moment)
    window = _window(local.date(), calendar)
    return window is not None and window[0] <= local <= window[1]


def _first_working_moment(local: datetime, calendar: WorkingCalendar) -> datetime:
    """`local` if the office is open then, else the next opening."""
    day = local.date()
    while True:
        window = _window(day, calendar)
        if window is not None and local <= window[1]:
            return max(local, window[0])
        day += timedelta(days=1)
        if day.year > local.year + 10:  # an all-holiday calendar would otherwise loop for ever
            raise ValueError("the calendar has no working day in the next ten years")


# Due time


def due_time(created_at: datetime, target: SlaTarget, calendar: WorkingCalendar) -> DueTime:
    """When a case created at `created_at` with `target` is due (see the module docstring for the rules)."""
    created = to_local(created_at)
    steps = [f"Created {_moment_text(created)}.", f"Service level: {target.describe()}."]
    if target.unit == WORKING_DAYS:
        due = _due_in_working_days(created, target.amount, calendar, steps)
    else:
        due = _due_in_working_hours(created, target.amount, calendar, steps)
    steps.append(f"Due {_moment_text(due)}.")
    return DueTime(to_utc(due), tuple(steps))


def _due_in_working_days(created: datetime, amount: int, calendar: WorkingCalendar, steps: list[str]) -> datetime:
    day = created.date()
    weekdays = _working_weekdays(calendar)
    if amount == 0:
        window = _window(day, calendar)
        open_still = window is not None and created <= window[1]
        due_day = day if open_still else add_working_days(day, 1, holidays=calendar.holidays, weekdays=weekdays)
        steps.append("A target of 0 working days is the end of the day of creation, or of the next working day.")
    else:
        due_day = add_working_days(day, amount, holidays=calendar.holidays, weekdays=weekdays)
        steps.append(
            f"That is the end of the {_ordinal(amount)} working day after the day of creation "
            "(the day of creation does not count)."
        )
        between = list(_days(day + timedelta(days=1), due_day))
        counted = [d for d in between if _window(d, calendar)]
        steps.append("Working days counted: " + ", ".join(_day_text(d) for d in counted) + ".")
        closed = _closed_days_text([d for d in between if not _window(d, calendar)], calendar)
        if closed:
            steps.append(closed)
    return datetime.combine(due_day, calendar.opening_hours[due_day.weekday()][1])


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _due_in_working_hours(created: datetime, amount: int, calendar: WorkingCalendar, steps: list[str]) -> datetime:
    start = _first_working_moment(created, calendar)
    if start != created:
        steps.append(f"Created outside working hours, so the clock starts {_moment_text(start)}.")
    due = calendar.add_working_hours(start, amount) if amount else start
    steps.extend(_hours_by_day(start, due, calendar))
    return due


def _hours_by_day(start: datetime, end: datetime, calendar: WorkingCalendar) -> list[str]:
    """The working time each day between two local moments, and the closed days skipped."""
    lines, closed = [], []
    for day in _days(start.date(), end.date()):
        window = _window(day, calendar)
        if window is None:
            closed.append(day)
            continue
        opens, closes = max(window[0], start), min(window[1], end)
        if opens < closes:
            lines.append(f"{_day_text(day)}: {_duration_text(closes - opens)} ({opens:%H:%M} to {closes:%H:%M}).")
    closed_text = _closed_days_text(closed, calendar)
    return lines + ([closed_text] if closed_text else [])


# Pause and resume


def resume_due(due_at: datetime, paused_at: datetime, resumed_at: datetime, calendar: WorkingCalendar) -> DueTime:
    """The due time after the clock, paused at `paused_at`, resumes at `resumed_at`.

    The working time that was left at the pause is counted again from the resume. A case paused after it was
    already due keeps its due time: a pause does not undo a breach.
    """
    due, paused, resumed = to_local(due_at), to_local(paused_at), to_local(resumed_at)
    if resumed < paused:
        raise ValueError(f"the clock resumed ({resumed_at.isoformat()}) before it paused ({paused_at.isoformat()})")
    steps = [f"Clock paused {_moment_text(paused)}; it was due {_moment_text(due)}."]
    if paused >= due:
        steps.append("It was already due when it paused, so the due time stays where it was.")
        return DueTime(due_at.astimezone(UTC), tuple(steps))
    left = calendar.working_hours_between(paused, due)
    steps.append(f"Working time left at the pause: {_duration_text(left)}.")
    steps.append(f"Clock resumed {_moment_text(resumed)}.")
    start = _first_working_moment(resumed, calendar)
    new_due = calendar.add_working_hours(start, left) if left else start
    if start != resumed:
        steps.append(f"That is outside working hours, so the clock restarts {_moment_text(start)}.")
    steps.extend(_hours_by_day(start, new_due, calendar))
    steps.append(f"Due {_moment_text(new_due)}.")
    return DueTime(to_utc(new_due), tuple(steps))


# Breach state


def sla_state(
    now: datetime,
    created_at: datetime,
    due_at: datetime,
    paused_at: datetime | None,
    near_breach_percent: int,
    calendar: WorkingCalendar,
) -> SlaState:
    """On track, breaching soon, breached or paused, with the share of working time used.

    The share is of the working time from creation to the (current) due time; after a pause that span includes
    the paused time, which is fair to the resident: their wait counted the same.
    """
    if isinstance(near_breach_percent, bool) or not 0 < near_breach_percent <= 100:
        raise ValueError(f"near_breach_percent must be 1 to 100, not {near_breach_percent!r}")
    created, due = to_local(created_at), to_local(due_at)
    until = to_local(paused_at) if paused_at is not None else to_local(now)
    total = calendar.working_hours_between(created, due)
    used = calendar.working_hours_between(created, until)
    remaining = calendar.working_hours_between(until, due)
    percent = int(used * 100 // total) if total > timedelta(0) else (100 if until >= due else 0)
    steps = [
        f"Working time from creation to the due time ({_moment_text(due)}): {_duration_text(total)}.",
        f"Used {'before the pause' if paused_at is not None else 'so far'}: {_duration_text(used)} ({percent}%).",
    ]
    if until > due:
        state = BREACHED
        steps.append(f"Breached: due {_moment_text(due)}, {'paused' if paused_at else 'still open'} after that.")
    elif paused_at is not None:
        state = PAUSED
        steps.append(f"Paused {_moment_text(until)} (waiting on the resident) with {_duration_text(remaining)} left.")
    elif total <= timedelta(0) or used * 100 >= total * near_breach_percent:
        state = BREACHING_SOON
        steps.append(f"Breaching soon: at least {near_breach_percent}% of the time is used.")
    else:
        state = ON_TRACK
        steps.append(f"On track: {_duration_text(remaining)} left, under {near_breach_percent}% used.")
    return SlaState(state, percent, remaining, tuple(steps))
