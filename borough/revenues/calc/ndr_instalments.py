"""The business rates instalment plan: Non-Domestic Rating (Collection and Enforcement) (Local Lists) Regulations
1989 (SI 1989/1058), Schedule 1 Part I (https://www.legislation.gov.uk/uksi/1989/1058/schedule/1/part/I/made).

- Para 1(2): 10 monthly instalments, or if fewer, the whole months left in the year after the notice is issued,
  less one. 12 monthly instalments when the ratepayer asks (reg. 7(1B)-(1H) as inserted by SI 2014/479,
  https://www.legislation.gov.uk/uksi/2014/479/made): 12, or the whole months left after the notice if fewer
  (UNVERIFIED: the inserted paragraph's wording was not read; this follows the 10-instalment rule without the
  "less one", as billing authorities describe it).
- Para 2: a notice issued from 1 January to 31 March of the year is paid in a single instalment.
- Para 1(4)-(5): every instalment but the first is the total divided by their number, rounded to the nearest
  pound; the first takes the balance (the same rule as council tax: RoundingRule.COUNCIL_TAX_INSTALMENT).
- Para 3: an instalment may not be under £50; under £100 in all is one instalment, otherwise as many as whole
  £50s fit (UNVERIFIED: the paragraph's text was cut short where read; modelled on the council tax rule,
  SI 1992/613 Sch. 1 para 3, with £50 for £5).
Instalments are due monthly on the first's day of the month (the month's last day when shorter), inside the year.
"""

import calendar
from datetime import date
from decimal import Decimal

from borough.core.calc.money import RoundingRule, format_gbp, split_into_instalments
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.instalments import Instalment, monthly_due_dates
from borough.revenues.calc.params import FinancialYear

SCHEMES = (10, 12)
MINIMUM_INSTALMENT = Decimal(50)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def ndr_instalment_plan(
    total: Decimal, *, scheme: int, first_due: date, issued_on: date | None, year: FinancialYear
) -> tuple[tuple[Instalment, ...], tuple[str, ...]]:
    """The instalments that pay `total`, and the steps explaining them. `issued_on` None: before the year."""
    if isinstance(scheme, bool) or scheme not in SCHEMES:
        raise InputError("instalments", f"must be 10 (the default) or 12 (on request), not {scheme!r}")
    if not year.start <= first_due <= year.end:
        raise InputError("first_instalment_date", f"{first_due.isoformat()} is outside the financial year {year.name}")
    if issued_on is not None and issued_on > first_due:
        raise InputError("first_instalment_date", f"falls before the notice is issued ({issued_on.isoformat()})")
    if total <= 0:
        return (), ("Nothing to pay, so there are no instalments.",)
    steps = [f"Instalment scheme: {scheme} monthly instalments ({'the default' if scheme == 10 else 'on request'})."]
    # The months the due dates may take: from the first's month to March.
    count = min(scheme, _month_index(year.end) - _month_index(first_due) + 1)
    if issued_on is not None and issued_on >= date(year.end.year, 1, 1):
        count = 1
        steps.append("The notice is issued between 1 January and 31 March, so one instalment (Schedule 1 para 2).")
    elif issued_on is not None and issued_on >= year.start:
        whole_months = _month_index(year.end) - _month_index(issued_on)
        allowed = whole_months - 1 if scheme == 10 else whole_months
        if allowed < count:
            count = max(1, allowed)
            steps.append(
                f"The notice is issued on {_long(issued_on)}, leaving {whole_months} whole months in the year, so "
                f"{count} instalment{'s' if count != 1 else ''} (Schedule 1 para 1(2))."
            )
    if count < scheme and len(steps) == 1:
        steps.append(f"The first instalment is due {_long(first_due)}, so {count} monthly instalments fit in the year.")
    planned = count
    if total / count < MINIMUM_INSTALMENT:
        count = 1 if total < 2 * MINIMUM_INSTALMENT else int(total // MINIMUM_INSTALMENT)
    amounts = split_into_instalments(total, count, RoundingRule.COUNCIL_TAX_INSTALMENT)
    while count > 1 and min(amounts) < MINIMUM_INSTALMENT:
        count -= 1
        amounts = split_into_instalments(total, count, RoundingRule.COUNCIL_TAX_INSTALMENT)
    if count < planned:
        steps.append(f"An instalment may not be under £50, so {count} instalment{'s' if count != 1 else ''} (para 3).")
    if count == 1:
        steps.append(f"One instalment of {format_gbp(total)}.")
    elif amounts[0] == amounts[1]:
        steps.append(f"{format_gbp(total)} ÷ {count} = {format_gbp(amounts[1])} (para 1(4)).")
    else:
        steps.append(
            f"{format_gbp(total)} ÷ {count}, rounded to the nearest pound, is {format_gbp(amounts[1])} for each "
            f"instalment after the first, which takes the balance: {format_gbp(amounts[0])} (para 1(5))."
        )
    dates = monthly_due_dates(first_due, count)
    steps.append(f"Due monthly from {_long(dates[0])} to {_long(dates[-1])}.")
    return tuple(Instalment(due, amount) for due, amount in zip(dates, amounts, strict=True)), tuple(steps)
