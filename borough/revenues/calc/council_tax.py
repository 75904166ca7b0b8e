"""The council tax charge of one dwelling for a liability period, and its instalment plan.

In order (each step rounded to the penny, half up, so the figures on the bill add up; instalments to the pound):
1. Each authority's amount for the band: its band D amount × the band's ratio (LGFA 1992 s.5), rounded to the
   penny, as each authority sets it and the bill shows it; the band amount is their sum. A disabled band
   reduction charges the band below, and band A at 5/9 of band D (SI 1992/554 reg. 4).
2. An exempt dwelling (SI 1992/558) pays nothing.
3. A discount (LGFA 1992 s.11: 25% or 50%; the largest that applies, they do not add up) comes off, or a premium
   (s.11B/11C England, s.12A/12B Wales: a percentage of the band amount, at most the year's maximum) goes on.
4. Liability for part of the year is charged by the day (s.10): annual × days liable ÷ days in the year.
5. A council tax reduction award (from the benefits module) comes off last, never below nothing.
6. The instalment plan (see `instalments`).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from borough.core.calc.money import RoundingRule, format_gbp, round_money
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.instalments import Instalment, instalment_plan
from borough.revenues.calc.params import COUNTRIES, council_tax_rules, year_parameters

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Precept:
    """One authority's band D amount: the billing authority, a county, police, fire, a parish, adult social care."""

    authority: str
    band_d: Decimal


@dataclass(frozen=True)
class CouncilTaxInput:
    financial_year: str
    country: str
    band: str
    band_d: tuple[Precept, ...]
    liability_start: date | None = None
    liability_end: date | None = None
    discounts: tuple[str, ...] = ()
    premium_percent: Decimal = ZERO
    disabled_band_reduction: bool = False
    exemption_class: str | None = None
    council_tax_reduction: Decimal = ZERO
    instalments: int = 10
    first_instalment_date: date | None = None


@dataclass(frozen=True)
class AuthorityAmount:
    authority: str
    amount: Decimal


@dataclass(frozen=True)
class CouncilTaxResult:
    annual_charge: Decimal
    charge: Decimal
    instalments: tuple[Instalment, ...]
    steps: tuple[str, ...]
    band_amounts: tuple[AuthorityAmount, ...] = field(default=())


def _penny(amount: Decimal) -> Decimal:
    return round_money(amount, RoundingRule.NEAREST_PENNY)


def _times(amount: Decimal, ratio: Fraction) -> Decimal:
    return amount * ratio.numerator / ratio.denominator


def _ratio_text(ratio: Fraction) -> str:
    return f"{ratio.numerator * 9 // ratio.denominator}/9" if 9 % ratio.denominator == 0 else str(ratio)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def council_tax_calculate(given: CouncilTaxInput) -> CouncilTaxResult:
    """The charge for the liability period and its instalment plan."""
    result = council_tax_charge(given)
    if given.exemption_class is not None:  # exempt: nothing to pay, no plan
        return result
    year = year_parameters(given.financial_year).year
    start = given.liability_start or year.start
    plan, plan_steps = instalment_plan(
        result.charge, scheme=given.instalments, first_due=given.first_instalment_date or start, year=year
    )
    return CouncilTaxResult(result.annual_charge, result.charge, plan, result.steps + plan_steps, result.band_amounts)


def council_tax_charge(given: CouncilTaxInput) -> CouncilTaxResult:
    """The charge for the liability period alone, without an instalment plan (billing plans the whole year)."""
    params = year_parameters(given.financial_year)
    year = params.year
    rules = council_tax_rules()
    if given.country not in COUNTRIES:
        raise InputError("country", f"must be one of {', '.join(COUNTRIES)}, not {given.country!r}")
    ratios = rules.band_ratios[given.country]
    bands = list(ratios)
    if given.band not in ratios:
        raise InputError("band", f"{given.band!r} is not a band in {given.country.title()}: {bands[0]} to {bands[-1]}")
    if not given.band_d:
        raise InputError("band_d", "give the band D amount, or a list of each authority's band D amount")
    for index, precept in enumerate(given.band_d):
        if precept.band_d < 0:
            where = f"band_d[{index}].amount" if len(given.band_d) > 1 else "band_d"
            raise InputError(where, f"{precept.authority}'s band D amount may not be negative")
    start = given.liability_start or year.start
    end = given.liability_end or year.end
    for name, day in (("liability_start", start), ("liability_end", end)):
        if not year.start <= day <= year.end:
            raise InputError(name, f"{day.isoformat()} is outside the financial year {year.name}")
    if end < start:
        raise InputError("liability_end", f"{end.isoformat()} is before liability_start {start.isoformat()}")
    unknown = [name for name in given.discounts if name not in rules.discounts]
    if unknown:
        raise InputError("discounts", f"unknown discount {unknown[0]!r}: use {', '.join(rules.discounts)}")
    premium_limit = max(rule.max_percent for rule in params.premiums[given.country])
    if not ZERO <= given.premium_percent <= premium_limit:
        raise InputError("premium_percent", f"must be from 0 to {premium_limit} in {given.country.title()}")
    if given.premium_percent and given.discounts:
        raise InputError("discounts", "a dwelling with a premium has no resident, so it has no resident discount")
    classes = rules.exemption_classes[given.country]
    if given.exemption_class is not None and given.exemption_class not in classes:
        raise InputError("exemption_class", f"{given.exemption_class!r} is not an exemption class in {given.country}")
    if given.council_tax_reduction < 0:
        raise InputError("council_tax_reduction", "may not be negative")

    steps: list[str] = []
    band = given.band
    ratio = ratios[band]
    if given.disabled_band_reduction:
        if band == bands[0]:
            ratio = rules.disabled_band_a_ratio
            steps.append(
                f"Disabled band reduction: band A is charged at {_ratio_text(ratio)} of band D instead of 6/9 "
                "(Council Tax (Reductions for Disabilities) Regulations 1992 reg. 4)."
            )
        else:
            lower = bands[bands.index(band) - 1]
            ratio = ratios[lower]
            steps.append(
                f"Disabled band reduction: charged as band {lower} instead of band {band} "
                "(Council Tax (Reductions for Disabilities) Regulations 1992 reg. 4)."
            )
    amounts = tuple(AuthorityAmount(p.authority, _penny(_times(p.band_d, ratio))) for p in given.band_d)
    for precept, amount in zip(given.band_d, amounts, strict=True):
        steps.append(
            f"{precept.authority}: band D {format_gbp(precept.band_d)} × {_ratio_text(ratio)} = "
            f"{format_gbp(amount.amount)} (rounded to the penny)."
        )
    band_amount = sum((a.amount for a in amounts), ZERO)
    if len(amounts) > 1:
        steps.append(f"Amount for the year, all authorities together: {format_gbp(band_amount)}.")

    if given.exemption_class is not None:
        steps.append(
            f"Exempt, class {given.exemption_class} ({classes[given.exemption_class]}): nothing to pay "
            "(Council Tax (Exempt Dwellings) Order 1992)."
        )
        return CouncilTaxResult(ZERO, ZERO, (), tuple(steps), amounts)

    annual = band_amount
    if given.discounts:
        name = max(given.discounts, key=lambda item: rules.discounts[item].percent)
        discount = rules.discounts[name]
        off = _penny(band_amount * discount.percent / 100)
        annual = band_amount - off
        also = " (discounts do not add up: the largest applies)" if len(set(given.discounts)) > 1 else ""
        steps.append(
            f"{discount.label.capitalize()}: {discount.percent}% of {format_gbp(band_amount)} = {format_gbp(off)} off"
            f"{also}, leaving {format_gbp(annual)} (LGFA 1992 s.11)."
        )
    if given.premium_percent:
        extra = _penny(band_amount * given.premium_percent / 100)
        annual = band_amount + extra
        steps.append(
            f"Premium of {given.premium_percent.normalize():f}%: {format_gbp(extra)} on top, making "
            f"{format_gbp(annual)} (LGFA 1992 {'s.11B/11C' if given.country == 'england' else 's.12A/12B'})."
        )
    steps.append(f"Annual charge: {format_gbp(annual)}.")

    days = (end - start).days + 1
    if days == year.days:
        charge = annual
    else:
        charge = _penny(annual * days / year.days)
        steps.append(
            f"Liable from {_long(start)} to {_long(end)}: {days} of the {year.days} days of {year.name}, so "
            f"{format_gbp(annual)} × {days}/{year.days} = {format_gbp(charge)} (charged by the day, LGFA 1992 s.10)."
        )
    if given.council_tax_reduction:
        reduction = min(given.council_tax_reduction, charge)
        capped = " (capped at the charge)" if reduction < given.council_tax_reduction else ""
        steps.append(
            f"Council tax reduction of {format_gbp(reduction)}{capped}: {format_gbp(charge)} − {format_gbp(reduction)}"
            f" = {format_gbp(charge - reduction)}."
        )
        charge -= reduction
    steps.append(f"To pay for {_long(start)} to {_long(end)}: {format_gbp(charge)}.")
    return CouncilTaxResult(annual, charge, (), tuple(steps), amounts)
