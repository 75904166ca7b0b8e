"""The business rates charge of one hereditament for a whole year, with its reliefs.

1. Gross charge: rateable value × the year's multiplier for its value and use (LGFA 1988 s.43-44), rounded to
   the penny. From 2026-27 the multiplier depends on whether the property is retail, hospitality or leisure
   (RHL), and every property of £500,000 and over pays the high-value multiplier.
2. Mandatory charitable relief: 80% (LGFA 1988 s.43(5)-(6)). A charity gets no small business rate relief.
3. Small business rate relief: 100% up to £12,000 of rateable value, falling in a straight line to nothing at
   £15,000 (relief % = (15,000 − RV) ÷ 3,000 × 100, kept exact and the amount rounded to the penny once).
4. Retail, hospitality and leisure relief (years that have it, e.g. 2025-26: 40%) on what is left after the
   mandatory reliefs, capped at the cash cap. The cap is per business across England; the engine sees one
   property, so it applies the cap to that property alone.
Each relief is rounded to the penny; the net charge is the gross less the reliefs.
"""

from dataclasses import dataclass
from decimal import Decimal

from borough.core.calc.money import RoundingRule, format_gbp, round_money
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import year_parameters

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BusinessRatesInput:
    financial_year: str
    rateable_value: Decimal
    retail_hospitality_leisure: bool = False
    small_business_relief: bool = False
    charity: bool = False


@dataclass(frozen=True)
class Relief:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class BusinessRatesResult:
    multiplier: str
    gross_charge: Decimal
    reliefs: tuple[Relief, ...]
    net_charge: Decimal
    steps: tuple[str, ...]


def _penny(amount: Decimal) -> Decimal:
    return round_money(amount, RoundingRule.NEAREST_PENNY)


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.001')).normalize():f}%"


def business_rates_calculate(given: BusinessRatesInput) -> BusinessRatesResult:
    params = year_parameters(given.financial_year).business_rates
    rv = given.rateable_value
    if rv < 0 or rv != rv.to_integral_value():
        raise InputError("rateable_value", "must be a whole number of pounds, 0 or more")
    rhl = given.retail_hospitality_leisure
    multiplier = next((m for m in params.multipliers if m.applies(rv, rhl)), None)
    if multiplier is None:  # a data file whose multipliers leave a gap
        raise InputError("rateable_value", f"no {given.financial_year} multiplier covers £{rv:,}")
    gross = _penny(rv * multiplier.pence / 100)
    steps = [
        f"Rateable value £{rv:,} × the {multiplier.label} of {multiplier.pence}p = {format_gbp(gross)} "
        f"(gross charge for {given.financial_year})."
    ]
    reliefs: list[Relief] = []
    remaining = gross

    if given.charity:
        amount = _penny(gross * params.charitable_relief_percent / 100)
        reliefs.append(Relief("charitable_relief", amount))
        remaining -= amount
        steps.append(
            f"Mandatory charitable relief: {params.charitable_relief_percent}% of {format_gbp(gross)} = "
            f"{format_gbp(amount)} (LGFA 1988 s.43(6))."
        )
        if given.small_business_relief:
            steps.append("No small business rate relief: a charity receiving charitable relief cannot have it.")
    elif given.small_business_relief:
        full, none = params.sbrr_full_relief_up_to, params.sbrr_no_relief_from
        if rv >= none:
            steps.append(f"No small business rate relief: the rateable value is £{none:,} or more.")
        else:
            share = Decimal(1) if rv <= full else (none - rv) / (none - full)
            amount = _penny(gross * share)
            reliefs.append(Relief("small_business_rate_relief", amount))
            remaining -= amount
            how = (
                f"£{full:,} or less, so 100%"
                if rv <= full
                else f"between £{full:,} and £{none:,}, so (£{none:,} − £{rv:,}) ÷ £{none - full:,} = "
                f"{_percent(share * 100)}"
            )
            steps.append(
                f"Small business rate relief: rateable value {how} of {format_gbp(gross)} = {format_gbp(amount)}."
            )

    if rhl and params.rhl_relief is not None and remaining > 0:
        relief = params.rhl_relief
        amount = _penny(remaining * relief.percent / 100)
        capped = amount > relief.cash_cap
        amount = min(amount, relief.cash_cap)
        reliefs.append(Relief("retail_hospitality_leisure_relief", amount))
        steps.append(
            f"Retail, hospitality and leisure relief: {relief.percent}% of the {format_gbp(remaining)} left = "
            f"{format_gbp(amount)}"
            + (f", capped at {format_gbp(relief.cash_cap)} (the cap is per business)" if capped else "")
            + "."
        )
        remaining -= amount
    net = gross - sum((r.amount for r in reliefs), ZERO)
    steps.append(f"Net charge for the year: {format_gbp(net)}.")
    return BusinessRatesResult(multiplier.name, gross, tuple(reliefs), net, tuple(steps))
