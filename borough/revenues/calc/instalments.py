"""The council tax instalment plan by the Council Tax (Administration and Enforcement) Regulations 1992, Sch. 1 Part I.

- 10 monthly instalments by default (para 2(3)(a)); 12 when the resident asks for them (para 2(3A), reg. 21(1C)).
- Billed later in the year, fewer (para 2(3)(b), (3A)(a)(ii)): the engine takes the months from the first
  instalment's month to the end of the scheme's window, February for the 10-instalment scheme (one month fewer
  than remain, as para 2(3)(b) has it) and March for the 12-instalment one, never more than the scheme.
- No instalment under £5 (para 3): under £10 in all is one instalment, otherwise as many as whole £5s fit
  (and fewer if rounding to the pound would still leave the first under £5).
- Every instalment but the first is the total divided by their number, rounded to the nearest pound; the first
  takes the balance (para 2(5)-(6)): RoundingRule.COUNCIL_TAX_INSTALMENT.
Instalments fall due on the same day of each month as the first (the last day of a shorter month).
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from borough.core.calc.money import RoundingRule, format_gbp, split_into_instalments
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear

SCHEMES = (10, 12)
MINIMUM_INSTALMENT = Decimal(5)


@dataclass(frozen=True)
class Instalment:
    due_date: date
    amount: Decimal


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def monthly_due_dates(first: date, count: int) -> list[date]:
    """`count` dates a month apart from `first`, on its day of the month or the month's last day."""
    dates = []
    for offset in range(count):
        year, month0 = divmod(_month_index(first) + offset, 12)
        last_day = calendar.monthrange(year, month0 + 1)[1]
        dates.append(date(year, month0 + 1, min(first.day, last_day)))
    return dates


def _exact(amount: Decimal) -> str:
    """An unrounded share to at most four places, without trailing zeros past the pence: 5.75, 89.1662."""
    text = f"{amount.quantize(Decimal('0.0001')):f}".rstrip("0")
    whole, _, places = text.partition(".")
    return f"{int(whole):,}.{places.ljust(2, '0')}"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def instalment_plan(
    total: Decimal, *, scheme: int, first_due: date, year: FinancialYear
) -> tuple[tuple[Instalment, ...], tuple[str, ...]]:
    """The instalments that pay `total` (a charge in pounds and pence), and the steps explaining them."""
    if isinstance(scheme, bool) or scheme not in SCHEMES:
        raise InputError("instalments", f"must be 10 (the default) or 12 (on request), not {scheme!r}")
    if not year.start <= first_due <= year.end:
        raise InputError(
            "first_instalment_date",
            f"{first_due.isoformat()} is outside the financial year {year.name} "
            f"({year.start.isoformat()} to {year.end.isoformat()})",
        )
    if total <= 0:
        return (), ("Nothing to pay, so there are no instalments.",)
    window_end = date(year.end.year, 2 if scheme == 10 else 3, 1)
    months_left = _month_index(window_end) - _month_index(first_due) + 1
    count = max(1, min(scheme, months_left))
    steps = [f"Instalment scheme: {scheme} monthly instalments ({'the default' if scheme == 10 else 'on request'})."]
    if months_left < 1:
        steps.append(
            f"The first instalment is due {_long(first_due)}, after {window_end:%B %Y}, so one instalment "
            "(Schedule 1 para 2(3)(b), (3A))."
        )
    elif count < scheme:
        steps.append(
            f"The first instalment is due {_long(first_due)}, which leaves {count} month"
            f"{'s' if count != 1 else ''} up to {window_end:%B %Y}, so {count} instalment"
            f"{'s' if count != 1 else ''} (Schedule 1 para 2(3)(b), (3A))."
        )
    # Para 3: no instalment under £5. As many as whole £5s fit in the total (one under £10), never more than
    # para 2 gave, and fewer still while rounding to the pound would leave the first under £5.
    planned = count
    if total / count < MINIMUM_INSTALMENT:
        count = 1 if total < 2 * MINIMUM_INSTALMENT else int(total // MINIMUM_INSTALMENT)
    amounts = split_into_instalments(total, count, RoundingRule.COUNCIL_TAX_INSTALMENT)
    while count > 1 and min(amounts) < MINIMUM_INSTALMENT:
        count -= 1
        amounts = split_into_instalments(total, count, RoundingRule.COUNCIL_TAX_INSTALMENT)
    if count < planned:
        steps.append(f"An instalment may not be under £5, so {count} instalment{'s' if count != 1 else ''} (para 3).")
    if count == 1:
        steps.append(f"One instalment of {format_gbp(total)}.")
    elif amounts[0] == amounts[1]:
        steps.append(f"{format_gbp(total)} ÷ {count} = {format_gbp(amounts[1])}, a whole number of pounds (para 2(5)).")
    else:
        steps.append(
            f"{format_gbp(total)} ÷ {count} = £{_exact(total / count)}; each instalment after the first is that "
            f"rounded to the nearest pound, {format_gbp(amounts[1])}, and the first takes the balance: "
            f"{format_gbp(total)} − {count - 1} × {format_gbp(amounts[1])} = {format_gbp(amounts[0])} (para 2(6))."
        )
    dates = monthly_due_dates(first_due, count)
    steps.append(f"Due monthly from {_long(dates[0])} to {_long(dates[-1])}.")
    plan = tuple(Instalment(due, amount) for due, amount in zip(dates, amounts, strict=True))
    return plan, tuple(steps)
