"""Cuts an account's year into charge pieces from plain facts: liability periods, reductions, band or value history.

A piece starts wherever something that changes the charge starts or stops: a liability period, a reduction's first
day or the day after its last, a band or rateable value change, the day a long-term empty dwelling has been empty
1, 5 or 10 years (the premium's thresholds), and the day after an empty business property's free months. Council
tax reduction awards are amounts for a whole award period: each piece gets its share by days, rounded to the penny,
the last piece taking the remainder so the pieces add up to the award exactly.

Pure: the selector (borough.revenues.selectors.charge_pieces_for_accounts) reads the facts in bulk and calls this.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from borough.core.calc.money import RoundingRule, format_gbp, round_money
from borough.revenues.calc.business_rates import BusinessRatesInput, empty_free_until
from borough.revenues.calc.council_tax import CouncilTaxInput, Precept
from borough.revenues.calc.params import FinancialYear, council_tax_rules, year_parameters
from borough.revenues.calc.year_charge import ChargePiece

ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)

# Reduction kinds (the values of borough.revenues.models.Reduction.Kind; the engine may not import models).
DISCOUNT = "discount"
EXEMPTION = "exemption"
PREMIUM = "premium"
DISABLED_BAND = "disabled_band"
COUNCIL_TAX_REDUCTION = "council_tax_reduction"
SMALL_BUSINESS = "small_business"
CHARITY = "charity"
EMPTY_PROPERTY = "empty_property"
TRANSITIONAL = "transitional"
RURAL = "rural"
SUPPORTING_SMALL_BUSINESS = "supporting_small_business"
COUNCIL_TAX_KINDS = frozenset({DISCOUNT, EXEMPTION, PREMIUM, DISABLED_BAND, COUNCIL_TAX_REDUCTION})
BUSINESS_RATES_KINDS = frozenset(
    {SMALL_BUSINESS, CHARITY, EMPTY_PROPERTY, TRANSITIONAL, RURAL, SUPPORTING_SMALL_BUSINESS}
)
LONG_TERM_EMPTY = "long_term_empty"
SECOND_HOME = "second_home"


@dataclass(frozen=True)
class ReductionFact:
    """A reduction as recorded on the account (borough.revenues.models.Reduction). Dates inclusive."""

    kind: str
    start: date
    end: date | None = None
    code: str = ""
    percent: Decimal | None = None
    amount: Decimal | None = None
    empty_since: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years_between(since: date, day: date) -> int:
    years = day.year - since.year
    return years if add_years(since, years) <= day else years - 1


@cache
def _year(financial_year: str) -> FinancialYear:
    return FinancialYear.parse(financial_year)


def _periods(year: FinancialYear, liability: Sequence[tuple[date, date | None]]) -> list[tuple[date, date]]:
    if len(liability) == 1:  # the usual case, kept quick for annual billing
        start, end = liability[0]
        first, last = max(start, year.start), min(end or year.end, year.end)
        return [(first, last)] if first <= last else []
    clipped = []
    for start, end in liability:
        first, last = max(start, year.start), min(end or year.end, year.end)
        if first <= last:
            clipped.append((first, last))
    return sorted(clipped)


def _segments(periods: list[tuple[date, date]], cuts: set[date]) -> list[tuple[date, date]]:
    """Each period cut before every day in `cuts` that falls inside it."""
    if not cuts:
        return periods
    ordered = sorted(cuts)
    segments = []
    for start, end in periods:
        first = start
        for cut in ordered:
            if first < cut <= end:
                segments.append((first, cut - ONE_DAY))
                first = cut
        segments.append((first, end))
    return segments


def _reduction_cuts(reductions: Sequence[ReductionFact]) -> set[date]:
    cuts: set[date] = set()
    for reduction in reductions:
        cuts.add(reduction.start)
        if reduction.end is not None:
            cuts.add(reduction.end + ONE_DAY)
    return cuts


def _at[T](history: Sequence[tuple[date, T]], day: date) -> T:
    """The value in force on `day`: the last in force on or before it (history sorted), else the first."""
    found = history[0][1]
    for effective, value in history:
        if effective > day:
            break
        found = value
    return found


PENNY = Decimal("0.01")


def spread_award(amount: Decimal, award: tuple[date, date], segments: Sequence[tuple[date, date]]) -> list[Decimal]:
    """Each segment's share of an award for [award start, award end]: by days, to the penny.

    Segments must each lie wholly inside or outside the award. The shares add up to the award's amount times the
    share of its days the segments cover (all of it when the award lies inside them), rounded to the penny. Each
    share is its exact part rounded down to the penny; the pennies left over go one each to the shares with the
    largest remainders, the later segment first on a tie. So no share is ever below zero or more than a penny from
    its exact part (rounding each share and giving the last what was left could make the last one negative).
    """
    award_days = (award[1] - award[0]).days + 1
    covered = [(end - start).days + 1 if award[0] <= start and end <= award[1] else 0 for start, end in segments]
    total_days = sum(covered)
    if not total_days:
        return [ZERO] * len(segments)
    sign = -1 if amount < 0 else 1
    size = abs(amount)
    total_pennies = int(round_money(size * total_days / award_days, RoundingRule.NEAREST_PENNY) * 100)
    exact = [size * 100 * days / award_days for days in covered]
    pennies = [int(part) for part in exact]  # rounded down: every part is at least zero
    by_remainder = sorted(range(len(segments)), key=lambda index: (exact[index] - pennies[index], index), reverse=True)
    for index in by_remainder[: total_pennies - sum(pennies)]:
        pennies[index] += 1
    return [(sign * Decimal(count) / 100).quantize(PENNY) for count in pennies]


def _discount_note(code: str) -> str:
    discount = council_tax_rules().discounts.get(code)
    if discount is None:
        return f"Discount {code}"
    return f"{discount.label[0].upper()}{discount.label[1:]} ({discount.percent}%)"


def _premium(financial_year: str, country: str, reduction: ReductionFact, day: date) -> tuple[Decimal, str]:
    """The premium percent charged from `day`, capped by the year's maximum for the years empty, and its note."""
    rules = year_parameters(financial_year).premiums[country]
    asked = reduction.percent or ZERO
    if reduction.code == SECOND_HOME:
        limit = max((rule.max_percent for rule in rules if rule.kind == SECOND_HOME), default=ZERO)
        percent = min(asked, limit)
        return percent, f"Second home premium ({percent.normalize():f}%)"
    since = reduction.empty_since or reduction.start
    years = full_years_between(since, day)
    reached = [rule for rule in rules if rule.kind == LONG_TERM_EMPTY and rule.empty_for_years <= years]
    if not reached:
        return ZERO, "Empty less than a year: no long-term empty premium yet"
    rule = max(reached, key=lambda item: item.empty_for_years)
    percent = min(asked, rule.max_percent)
    word = "year" if rule.empty_for_years == 1 else "years"
    return percent, f"Long-term empty premium ({percent.normalize():f}%, empty {rule.empty_for_years} {word} or more)"


def _premium_cuts(financial_year: str, country: str, reductions: Sequence[ReductionFact]) -> set[date]:
    cuts: set[date] = set()
    for reduction in reductions:
        if reduction.kind == PREMIUM and reduction.code == LONG_TERM_EMPTY:
            since = reduction.empty_since or reduction.start
            rules = year_parameters(financial_year).premiums[country]
            cuts.update(add_years(since, rule.empty_for_years) for rule in rules if rule.kind == LONG_TERM_EMPTY)
    return cuts


def dwelling_pieces(
    *,
    financial_year: str,
    country: str,
    bands: Sequence[tuple[date, str]],
    band_d: tuple[Precept, ...],
    liability: Sequence[tuple[date, date | None]],
    reductions: Sequence[ReductionFact] = (),
) -> list[ChargePiece]:
    """The council tax pieces of one account's year. `bands`: (effective from, band), oldest first, never empty."""
    year = _year(financial_year)
    periods = _periods(year, liability)
    if not periods:
        return []
    reductions = [r for r in reductions if r.start <= year.end and (r.end is None or r.end >= year.start)]
    cuts = {effective for effective, _band in bands[1:]}
    if reductions:
        cuts |= _reduction_cuts(reductions) | _premium_cuts(financial_year, country, reductions)
    segments = _segments(periods, cuts)
    awards = [r for r in reductions if r.kind == COUNCIL_TAX_REDUCTION and r.amount and r.end is not None]
    ctr = [ZERO] * len(segments)
    for award in awards:
        assert award.amount is not None and award.end is not None
        for index, share in enumerate(spread_award(award.amount, (award.start, award.end), segments)):
            ctr[index] += share
    pieces = []
    for index, (start, end) in enumerate(segments):
        band = _at(bands, start)
        notes = [f"Band {band}"]
        discounts: tuple[str, ...] = ()
        premium, disabled, exemption = ZERO, False, None
        for reduction in reductions:
            if not reduction.covers(start):
                continue
            if reduction.kind == DISCOUNT:
                discounts = (*discounts, reduction.code)
                notes.append(_discount_note(reduction.code))
            elif reduction.kind == EXEMPTION:
                exemption = reduction.code
                classes = council_tax_rules().exemption_classes.get(country)
                label = classes.get(reduction.code, "") if classes else ""
                notes.append(f"Exempt, class {reduction.code}" + (f" ({label})" if label else ""))
            elif reduction.kind == PREMIUM:
                percent, note = _premium(financial_year, country, reduction, start)
                premium = max(premium, percent)
                notes.append(note)
            elif reduction.kind == DISABLED_BAND:
                disabled = True
                notes.append("Disabled band reduction")
        if ctr[index]:
            notes.append(f"Council tax reduction {format_gbp(ctr[index])}")
        given = CouncilTaxInput(
            financial_year=financial_year,
            country=country,
            band=band,
            band_d=band_d,
            liability_start=start,
            liability_end=end,
            discounts=discounts,
            premium_percent=premium,
            disabled_band_reduction=disabled,
            exemption_class=exemption,
            council_tax_reduction=ctr[index],
        )
        pieces.append(ChargePiece(start, end, given, tuple(notes)))
    return pieces


def hereditament_pieces(
    *,
    financial_year: str,
    values: Sequence[tuple[date, Decimal]],
    retail_hospitality_leisure: bool,
    liability: Sequence[tuple[date, date | None]],
    reductions: Sequence[ReductionFact] = (),
    london: bool = False,
) -> list[ChargePiece]:
    """The business rates pieces of one account's year. `values`: (effective from, rateable value), oldest first;
    `london`: the billing authority is in Greater London (the transitional relief bands differ)."""
    year = _year(financial_year)
    periods = _periods(year, liability)
    if not periods:
        return []
    reductions = [r for r in reductions if r.start <= year.end and (r.end is None or r.end >= year.start)]
    cuts = {effective for effective, _value in values[1:]} | _reduction_cuts(reductions)
    for reduction in reductions:
        if reduction.kind == EMPTY_PROPERTY:
            free_until = empty_free_until(reduction.code, reduction.empty_since or reduction.start)
            if free_until is not None:
                cuts.add(free_until + ONE_DAY)
    pieces = []
    for start, end in _segments(periods, cuts):
        rateable_value = _at(values, start)
        notes = [f"Rateable value £{rateable_value:,}"]
        small_business = charity = False
        empty: str | None = None
        empty_since: date | None = None
        transitional: Decimal | None = None
        rural: str | None = None
        supporting_small_business: Decimal | None = None
        for reduction in reductions:
            if not reduction.covers(start):
                continue
            if reduction.kind == SMALL_BUSINESS:
                small_business = True
                notes.append("Small business rate relief")
            elif reduction.kind == CHARITY:
                charity = True
                notes.append("Mandatory charitable relief")
            elif reduction.kind == EMPTY_PROPERTY:
                empty, empty_since = reduction.code, reduction.empty_since or reduction.start
                notes.append(f"Empty since {empty_since.day} {empty_since:%B %Y} ({reduction.code.replace('_', ' ')})")
            elif reduction.kind == TRANSITIONAL and reduction.amount is not None:
                transitional = reduction.amount
                notes.append(f"Transitional relief (base liability {format_gbp(reduction.amount)})")
            elif reduction.kind == RURAL:
                rural = reduction.code
                notes.append(f"Rural rate relief ({reduction.code.replace('_', ' ')})")
            elif reduction.kind == SUPPORTING_SMALL_BUSINESS and reduction.amount is not None:
                supporting_small_business = reduction.amount
                notes.append(f"Supporting small business relief (base liability {format_gbp(reduction.amount)})")
        given = BusinessRatesInput(
            financial_year=financial_year,
            rateable_value=rateable_value,
            retail_hospitality_leisure=retail_hospitality_leisure,
            small_business_relief=small_business,
            charity=charity,
            liability_start=start,
            liability_end=end,
            empty=empty,
            empty_since=empty_since,
            transitional_base=transitional,
            rural_use=rural,
            supporting_small_business_base=supporting_small_business,
            london=london,
        )
        pieces.append(ChargePiece(start, end, given, tuple(notes)))
    return pieces
