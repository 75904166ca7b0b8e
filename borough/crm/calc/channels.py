"""Channel reporting, shaped: contacts per channel per day, each channel's share per period and how it moved.

Pure (DESIGN.md rule 3): counts come in from the database already aggregated; this lays them out, turns them
into shares and says in words what changed. Shares are percentages rounded half up to one decimal place.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")


def nearest_rank(count: int, percent: int) -> int:
    """The rank (1-based, in ascending order) of the `percent`th percentile of `count` values, by the nearest-rank
    method: the smallest value with at least `percent`% of the values at or below it. 0 when there are none."""
    if count < 0 or not 0 < percent <= 100:
        raise ValueError("count must be 0 or more and percent from 1 to 100")
    return (count * percent + 99) // 100


def share(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal place; None when there is nothing to share."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal) -> str:
    """48.0 -> "48%", 47.5 -> "47.5%"."""
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


@dataclass(frozen=True)
class DayRow:
    day: date
    counts: tuple[int, ...]  # in the order of the report's channels

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class DailyContacts:
    channels: tuple[str, ...]
    rows: tuple[DayRow, ...]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.channels)))

    @property
    def total(self) -> int:
        return sum(self.totals)


def daily_contacts(
    *, days: Sequence[date], channels: Sequence[str], counts: Mapping[tuple[date, str], int]
) -> DailyContacts:
    """Every day of the range, with every channel, zero where nothing came in (the database returns only the
    days and channels that had contacts)."""
    rows = tuple(DayRow(day, tuple(counts.get((day, channel), 0) for channel in channels)) for day in days)
    return DailyContacts(tuple(channels), rows)


@dataclass(frozen=True)
class PeriodShares:
    start: date
    counts: tuple[int, ...]
    shares: tuple[Decimal | None, ...]  # None for every channel when the period had no contacts

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ChannelChange:
    channel: str
    first: Decimal
    last: Decimal

    @property
    def points(self) -> Decimal:
        return self.last - self.first


@dataclass(frozen=True)
class ChannelShift:
    channels: tuple[str, ...]
    periods: tuple[PeriodShares, ...]
    first: date | None  # the first and last periods that had contacts: what the change compares
    last: date | None
    changes: tuple[ChannelChange, ...]  # largest move first


def channel_shift(
    *, periods: Sequence[date], channels: Sequence[str], counts: Mapping[tuple[date, str], int]
) -> ChannelShift:
    """Each channel's share of the contacts of each period, and its change from the first period with contacts to
    the last one."""
    shaped = []
    for start in periods:
        row = tuple(counts.get((start, channel), 0) for channel in channels)
        whole = sum(row)
        shaped.append(PeriodShares(start, row, tuple(share(part, whole) for part in row)))
    with_contacts = [period for period in shaped if period.total]
    if len(with_contacts) < 2:
        first = with_contacts[0].start if with_contacts else None
        return ChannelShift(tuple(channels), tuple(shaped), first, first, ())
    before, after = with_contacts[0], with_contacts[-1]
    changes = [
        ChannelChange(channel, before.shares[i] or Decimal(0), after.shares[i] or Decimal(0))
        for i, channel in enumerate(channels)
        if before.counts[i] or after.counts[i]
    ]
    changes.sort(key=lambda change: (-abs(change.points), -change.last, change.channel))
    return ChannelShift(tuple(channels), tuple(shaped), before.start, after.start, tuple(changes))


def shift_summary(shift: ChannelShift, labels: Mapping[str, str], *, first_label: str, last_label: str) -> str:
    """The shift in one sentence: "From the week of 5 October to the week of
    21 December, Telephone fell from 48% to 35% of contacts; Web rose from 30% to 45%."."""
    if not shift.changes:
        if shift.first is None:
            return "No contacts in these periods."
        return f"Only {first_label} had contacts, so there is no change to show."
    parts = []
    for change in shift.changes:
        name = labels.get(change.channel, change.channel)
        if change.points > 0:
            parts.append(f"{name} rose from {percent_text(change.first)} to {percent_text(change.last)}")
        elif change.points < 0:
            parts.append(f"{name} fell from {percent_text(change.first)} to {percent_text(change.last)}")
        else:
            parts.append(f"{name} stayed at {percent_text(change.last)}")
    parts[0] += " of contacts"
    return f"From {first_label} to {last_label}, " + "; ".join(parts) + "."


def duration_text(seconds: float) -> str:
    """A waiting time in words, to the minute: "45 min", "3 h 5 min", "2 days 4 h"."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    day_word = "day" if days == 1 else "days"
    return f"{days} {day_word} {hours} h" if hours else f"{days} {day_word}"
