"""UK bank holidays for each nation, from the copy of GOV.UK's data the repository ships (never the network).

`borough/core/data/bank-holidays.json` is GOV.UK's /bank-holidays.json with a `_source` block saying where and
when it was copied and which years it covers. Dates outside those years simply have no bank holidays, so the
file must be refreshed before its last year (a test fails in the last year it covers, as a reminder).
"""

import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from borough.core.calc.working_days import MONDAY_TO_FRIDAY, WorkingCalendar

DATA_FILE = Path(__file__).resolve().parent / "data" / "bank-holidays.json"

# The values of Tenant.Nation, which are GOV.UK's division names.
NATIONS = ("england-and-wales", "scotland", "northern-ireland")


@dataclass(frozen=True)
class BankHoliday:
    day: date
    title: str
    notes: str = ""


@functools.cache
def _data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as file:
        return json.load(file)


def _check_nation(nation: str) -> str:
    if nation not in NATIONS:
        raise ValueError(f"Unknown nation {nation!r}: use one of {', '.join(NATIONS)}")
    return str(nation)


@functools.cache
def bank_holiday_list(nation: str) -> tuple[BankHoliday, ...]:
    """The bank holidays of a nation, in date order, with their names (for display)."""
    events = _data()[_check_nation(nation)]["events"]
    holidays = (BankHoliday(date.fromisoformat(e["date"]), e["title"], e.get("notes", "")) for e in events)
    return tuple(sorted(holidays, key=lambda holiday: holiday.day))


@functools.cache
def bank_holidays(nation: str) -> frozenset[date]:
    """The dates of the bank holidays of a nation ("england-and-wales", "scotland" or "northern-ireland")."""
    return frozenset(holiday.day for holiday in bank_holiday_list(nation))


def covered_years() -> range:
    """The calendar years the shipped data covers in full, e.g. range(2012, 2029)."""
    covers = _data()["_source"]["covers"]
    return range(covers["first_year"], covers["last_year"] + 1)


@functools.cache
def working_calendar(nation: str) -> WorkingCalendar:
    """Monday to Friday, 09:00 to 17:00, less the nation's bank holidays."""
    return WorkingCalendar(holidays=bank_holidays(nation), weekdays=MONDAY_TO_FRIDAY)
