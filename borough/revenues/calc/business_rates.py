"""The business rates charge of one hereditament for a liability period, with its reliefs, and its instalment plan.

1. Gross charge for the year: rateable value × the year's multiplier for its value and use (LGFA 1988 s.43-44),
   rounded to the penny. From 2026-27 the multiplier depends on whether the property is retail, hospitality or
   leisure (RHL), and every property of £500,000 and over pays the high-value multiplier.
2. Transitional relief (after a revaluation): the year's chargeable amount is at most the base liability (the
   previous year's bill before reliefs) × (1 + the year's cap for the rateable value, whose bands may differ in
   Greater London) × (1 + inflation); the excess is relieved (LGFA 1988 s.57A and the year's transitional
   regulations). Other reliefs apply to what is left. In a year with a transitional relief supplement (2026-27: 1p)
   a hereditament whose base liability is given is charged RV × the supplement too, before the cap, so a bill that
   rises above the cap with it gets relief down to the cap and so pays no supplement beyond it.
3. Occupied: mandatory rural rate relief (100%, LGFA 1988 s.43(6A)-(6B)) for the settlement's only general store,
   post office, public house or petrol station, or a food shop, up to the rateable value for its use; mandatory
   charitable relief, 80% (LGFA 1988 s.43(5)-(6)); or small business rate relief, 100% up to
   £12,000 of rateable value falling in a straight line to nothing at £15,000 (relief % = (15,000 − RV) ÷ 3,000 ×
   100, kept exact and rounded to the penny once); then retail, hospitality and leisure relief in years that have
   it (2025-26: 40%, capped at the cash cap; the cap is per business, the engine applies it to this property).
   Then supporting small business relief (2026-27) for a ratepayer who lost small business, rural or RHL relief at
   the revaluation: the bill after the other reliefs may rise over the base liability (the previous bill after
   those reliefs) by at most the greater of £800 and the year's transitional cap; not for charities.
4. Empty (Non-Domestic Rating (Unoccupied Property) (England) Regulations 2008, SI 2008/386): nothing for the
   first 3 months empty (6 for a qualifying industrial hereditament, reg. 4); nothing at all for the
   exempt classes (listed buildings, RV under £2,900, a charity's property next to be used for charity, ...);
   after that the full charge (LGFA 1988 s.45), without small business or charitable relief.
5. A liability period shorter than the year is charged by the day (LGFA 1988 s.43, 45: the chargeable amount
   is calculated for each day): each annual amount × days liable ÷ days in the year, rounded to the penny.
6. The instalment plan (`ndr_instalments`), by SI 1989/1058 Sch. 1: 10 monthly instalments, 12 on request.
Each relief is rounded to the penny; the net charge is the gross less the reliefs.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from borough.core.calc.money import RoundingRule, format_gbp, round_money
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.instalments import Instalment
from borough.revenues.calc.ndr_instalments import add_months, ndr_instalment_plan
from borough.revenues.calc.params import FinancialYear, business_rates_rules, year_parameters

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BusinessRatesInput:
    financial_year: str
    rateable_value: Decimal
    retail_hospitality_leisure: bool = False
    small_business_relief: bool = False
    charity: bool = False
    liability_start: date | None = None  # None: the year's first day
    liability_end: date | None = None  # None: the year's last day
    empty: str | None = None  # None: occupied; else the empty property code (ordinary, industrial, listed, ...)
    empty_since: date | None = None  # the first day of the current empty spell (the free months run from it)
    transitional_base: Decimal | None = None  # transitional relief: the base liability the cap is applied to
    london: bool = False  # in Greater London (the transitional bands differ)
    rural_use: str | None = None  # rural rate relief: general_store, post_office, food_shop, public_house, ...
    supporting_small_business_base: Decimal | None = None  # the previous bill after the reliefs that were lost
    instalments: int = 10
    first_instalment_date: date | None = None
    issued_on: date | None = None  # the demand notice's issue date (decides how many instalments are left)


@dataclass(frozen=True)
class Relief:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class BusinessRatesResult:
    multiplier: str
    gross_charge: Decimal  # for the liability period
    reliefs: tuple[Relief, ...]  # for the liability period
    net_charge: Decimal  # for the liability period: what is to pay
    steps: tuple[str, ...]
    annual_gross_charge: Decimal = ZERO
    annual_net_charge: Decimal = ZERO  # a whole year in the same state (free months not counted)
    instalments: tuple[Instalment, ...] = field(default=())
    annual_supplement: Decimal = ZERO  # transitional relief supplement, included in the gross charges


def _penny(amount: Decimal) -> Decimal:
    return round_money(amount, RoundingRule.NEAREST_PENNY)


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.001')).normalize():f}%"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def empty_free_until(code: str, since: date) -> date | None:
    """The last day of an empty property's free months (SI 2008/386 reg. 4); None for codes without any."""
    months = business_rates_rules().empty_property.free_months.get(code)
    return None if months is None else add_months(since, months) - timedelta(days=1)


def _period(given: BusinessRatesInput, year: FinancialYear) -> tuple[date, date]:
    start = given.liability_start or year.start
    end = given.liability_end or year.end
    for name, day in (("liability_start", start), ("liability_end", end)):
        if not year.start <= day <= year.end:
            raise InputError(name, f"{day.isoformat()} is outside the financial year {year.name}")
    if end < start:
        raise InputError("liability_end", f"{end.isoformat()} is before liability_start {start.isoformat()}")
    return start, end


def _check_empty(given: BusinessRatesInput, end: date) -> None:
    if given.empty is None:
        if given.empty_since is not None:
            raise InputError("empty.since", "give the empty property code too, or leave out when it became empty")
        return
    rules = business_rates_rules().empty_property
    codes = [*rules.free_months, *rules.exempt]
    if given.empty not in codes:
        raise InputError("empty.code", f"{given.empty!r} is not an empty property code: use {', '.join(codes)}")
    if given.empty_since is not None and given.empty_since > end:
        raise InputError("empty.since", f"{given.empty_since.isoformat()} is after the liability period ends")


def _rural_use(given: BusinessRatesInput) -> str | None:
    """The rural rate relief use, checked against the data file (a bad one names `rural.use`)."""
    if given.rural_use is None:
        return None
    rules = business_rates_rules().rural
    uses = list(rules.rv_limits) if rules is not None else []
    if given.rural_use not in uses:
        raise InputError("rural.use", f"{given.rural_use!r} is not a rural rate relief use: use {', '.join(uses)}")
    return given.rural_use


def _rural_relief(given: BusinessRatesInput, chargeable: Decimal, steps: list[str]) -> Relief | None:
    use = _rural_use(given)
    rules = business_rates_rules().rural
    if use is None or rules is None:
        return None
    rv, limit, label = given.rateable_value, rules.rv_limits[use], rules.labels[use]
    if rv > limit:
        steps.append(
            f"No rural rate relief: for {label} the rateable value must be £{limit:,} or less, and it is £{rv:,} "
            "(LGFA 1988 s.43(6B); SI 2009/3176)."
        )
        return None
    amount = _penny(chargeable * rules.percent / 100)
    steps.append(
        f"Rural rate relief: {label}, in a rural settlement, rateable value £{rv:,} (at most £{limit:,}), so "
        f"{rules.percent}% of {format_gbp(chargeable)} = {format_gbp(amount)} (LGFA 1988 s.43(6A)-(6B))."
    )
    return Relief("rural_rate_relief", amount)


def _occupied_reliefs(given: BusinessRatesInput, chargeable: Decimal, steps: list[str]) -> list[Relief]:
    """Rural rate relief, charitable or small business rate relief, then retail, hospitality and leisure relief
    (annual amounts)."""
    params = year_parameters(given.financial_year).business_rates
    rv = given.rateable_value
    reliefs: list[Relief] = []
    rural = _rural_relief(given, chargeable, steps)
    if rural is not None:
        reliefs.append(rural)
        chargeable -= rural.amount
    remaining = chargeable
    if remaining <= 0 and (given.charity or given.small_business_relief):
        steps.append("No charitable or small business rate relief: nothing is left to relieve.")
    elif given.charity:
        amount = _penny(chargeable * params.charitable_relief_percent / 100)
        reliefs.append(Relief("charitable_relief", amount))
        remaining -= amount
        steps.append(
            f"Mandatory charitable relief: {params.charitable_relief_percent}% of {format_gbp(chargeable)} = "
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
            amount = _penny(chargeable * share)
            reliefs.append(Relief("small_business_rate_relief", amount))
            remaining -= amount
            how = (
                f"£{full:,} or less, so 100%"
                if rv <= full
                else f"between £{full:,} and £{none:,}, so (£{none:,} − £{rv:,}) ÷ £{none - full:,} = "
                f"{_percent(share * 100)}"
            )
            steps.append(
                f"Small business rate relief: rateable value {how} of {format_gbp(chargeable)} = {format_gbp(amount)}."
            )
    if given.retail_hospitality_leisure and params.rhl_relief is not None and remaining > 0:
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
    return reliefs


def _transitional(given: BusinessRatesInput, gross: Decimal, steps: list[str]) -> Relief | None:
    if given.transitional_base is None:
        return None
    scheme = year_parameters(given.financial_year).business_rates.transitional
    if scheme is None:
        raise InputError(
            "transitional.base_liability", f"there is no transitional relief scheme in {given.financial_year}"
        )
    if given.transitional_base < 0:
        raise InputError("transitional.base_liability", "may not be negative")
    cap = scheme.cap_for(given.rateable_value, given.london)
    limit = _penny(given.transitional_base * (100 + cap.percent) / 100 * (100 + scheme.inflation_percent) / 100)
    top = cap.top(given.london)
    where = " in Greater London" if given.london and cap.rv_up_to_london is not None else ""
    band = f"up to £{top:,}{where}" if top is not None else "in the top band"
    inflation = f" × (1 + {scheme.inflation_percent.normalize():f}% inflation)" if scheme.inflation_percent else ""
    how = (
        f"the rise is capped at {cap.percent.normalize():f}% for a rateable value {band}: base liability "
        f"{format_gbp(given.transitional_base)} × {(100 + cap.percent).normalize():f}%{inflation} = {format_gbp(limit)}"
    )
    if gross <= limit:
        steps.append(f"No transitional relief: {how}, and the charge is within it.")
        return None
    relief = Relief("transitional_relief", gross - limit)
    steps.append(
        f"Transitional relief: {how}, so {format_gbp(gross)} − {format_gbp(limit)} = {format_gbp(relief.amount)} off "
        "(LGFA 1988 s.57A)."
    )
    return relief


def _supporting_small_business(given: BusinessRatesInput, bill: Decimal, steps: list[str]) -> Relief | None:
    """2026 supporting small business relief: the bill after the other reliefs may rise over the base liability by
    at most the greater of the cash increase and the year's transitional cap for the rateable value."""
    base = given.supporting_small_business_base
    if base is None:
        return None
    field_name = "supporting_small_business.base_liability"
    rates = year_parameters(given.financial_year).business_rates
    scheme, transitional = rates.supporting_small_business, rates.transitional
    if scheme is None or transitional is None:
        raise InputError(field_name, f"there is no supporting small business relief in {given.financial_year}")
    if base < 0:
        raise InputError(field_name, "may not be negative")
    if given.empty is not None:
        steps.append("No supporting small business relief: it is for occupied property.")
        return None
    if given.charity:
        steps.append("No supporting small business relief: not for a charity receiving charitable relief.")
        return None
    cap = transitional.cap_for(given.rateable_value, given.london)
    by_percent = _penny(base * (100 + cap.percent) / 100 * (100 + transitional.inflation_percent) / 100)
    limit = max(by_percent, base + scheme.cash_increase)
    how = (
        f"the bill may rise over the base liability {format_gbp(base)} by the greater of "
        f"{format_gbp(scheme.cash_increase)} and {cap.percent.normalize():f}% ({format_gbp(by_percent - base)}), "
        f"so to at most {format_gbp(limit)}"
    )
    if bill <= limit:
        steps.append(f"No supporting small business relief: {how}, and {format_gbp(bill)} is within it.")
        return None
    relief = Relief("supporting_small_business_relief", bill - limit)
    steps.append(
        f"Supporting small business relief: {how}, so {format_gbp(bill)} − {format_gbp(limit)} = "
        f"{format_gbp(relief.amount)} off (2026 scheme, GOV.UK local authority guidance)."
    )
    return relief


def business_rates_charge(given: BusinessRatesInput) -> BusinessRatesResult:
    """The charge for the liability period alone, without an instalment plan (billing plans the whole year)."""
    params = year_parameters(given.financial_year)
    year = params.year
    rates = params.business_rates
    rv = given.rateable_value
    if rv < 0 or rv != rv.to_integral_value():
        raise InputError("rateable_value", "must be a whole number of pounds, 0 or more")
    start, end = _period(given, year)
    _check_empty(given, end)
    rhl = given.retail_hospitality_leisure
    multiplier = next((m for m in rates.multipliers if m.applies(rv, rhl)), None)
    if multiplier is None:  # a data file whose multipliers leave a gap
        raise InputError("rateable_value", f"no {given.financial_year} multiplier covers £{rv:,}")
    _rural_use(given)
    gross = _penny(rv * multiplier.pence / 100)
    steps = [
        f"Rateable value £{rv:,} × the {multiplier.label} of {multiplier.pence}p = {format_gbp(gross)} "
        f"(gross charge for {given.financial_year})."
    ]
    supplement = ZERO
    if rates.supplement_pence is not None and given.transitional_base is not None:
        supplement = _penny(rv * rates.supplement_pence / 100)
        steps.append(
            f"Transitional relief supplement: £{rv:,} × {rates.supplement_pence}p = {format_gbp(supplement)}, so "
            f"{format_gbp(gross + supplement)} in all; it is paid by ratepayers who get neither transitional nor "
            "supporting small business relief, and those reliefs below relieve it too."
        )
        gross += supplement
    annual: list[Relief] = []
    transitional = _transitional(given, gross, steps)
    if transitional is not None:
        annual.append(transitional)
    chargeable = gross - (transitional.amount if transitional else ZERO)
    free_days = 0
    empty_rules = business_rates_rules().empty_property
    if given.empty is None:
        annual.extend(_occupied_reliefs(given, chargeable, steps))
    else:
        since = given.empty_since or start
        if given.small_business_relief or given.charity or given.rural_use:
            steps.append("Empty: no small business, rural or charitable relief, which are for occupied property.")
        if given.empty in empty_rules.exempt or rv < empty_rules.low_value_below:
            low = f"its rateable value is under £{empty_rules.low_value_below:,} (SI 2008/386 reg. 4)"
            why = empty_rules.exempt.get(given.empty, low)
            annual.append(Relief("empty_property_exemption", chargeable))
            steps.append(f"Empty, and no rates are charged while it is: {why}.")
        else:
            free_until = empty_free_until(given.empty, since)
            assert free_until is not None  # every code is exempt or has free months (checked above)
            months = empty_rules.free_months[given.empty]
            overlap_start, overlap_end = max(start, since), min(end, free_until)
            free_days = max(0, (overlap_end - overlap_start).days + 1)
            kind = "a qualifying industrial property" if given.empty == "industrial" else "an empty property"
            steps.append(
                f"Empty since {_long(since)}: {kind} pays nothing for its first {months} months, to "
                f"{_long(free_until)}, then the full charge (SI 2008/386 reg. 4; LGFA 1988 s.45)."
            )
    ssb = _supporting_small_business(given, gross - sum((r.amount for r in annual), ZERO), steps)
    if ssb is not None:
        annual.append(ssb)
    if supplement and transitional is None and ssb is None:
        steps.append(
            f"The supplement of {format_gbp(supplement)} stays: neither transitional nor supporting small business "
            "relief applies."
        )
    annual_net = gross - sum((r.amount for r in annual), ZERO)

    days = (end - start).days + 1
    if days == year.days:
        period_gross, reliefs = gross, list(annual)
    else:
        period_gross = _penny(gross * days / year.days)
        reliefs = [Relief(r.name, _penny(r.amount * days / year.days)) for r in annual]
        steps.append(
            f"Liable from {_long(start)} to {_long(end)}: {days} of the {year.days} days of {year.name}, so each "
            f"amount × {days}/{year.days}: gross {format_gbp(period_gross)} (charged by the day, LGFA 1988 s.43, 45)."
        )
    if free_days:
        left = period_gross - sum((r.amount for r in reliefs), ZERO)
        amount = left if free_days == days else min(left, _penny(chargeable * free_days / year.days))
        reliefs.append(Relief("empty_property_free_months", amount))
        steps.append(
            f"Free months: {free_days} day{'s' if free_days != 1 else ''} of this period fall in them, "
            f"{format_gbp(amount)} off."
        )
    net = period_gross - sum((r.amount for r in reliefs), ZERO)
    steps.append(f"To pay for {_long(start)} to {_long(end)}: {format_gbp(net)}.")
    return BusinessRatesResult(
        multiplier.name,
        period_gross,
        tuple(reliefs),
        net,
        tuple(steps),
        gross,
        annual_net,
        annual_supplement=supplement,
    )


def business_rates_calculate(given: BusinessRatesInput) -> BusinessRatesResult:
    """The charge for the liability period and its instalment plan."""
    result = business_rates_charge(given)
    year = year_parameters(given.financial_year).year
    start = given.liability_start or year.start
    plan, plan_steps = ndr_instalment_plan(
        result.net_charge,
        scheme=given.instalments,
        first_due=given.first_instalment_date or start,
        issued_on=given.issued_on,
        year=year,
    )
    return BusinessRatesResult(
        result.multiplier,
        result.gross_charge,
        result.reliefs,
        result.net_charge,
        result.steps + plan_steps,
        result.annual_gross_charge,
        result.annual_net_charge,
        plan,
        result.annual_supplement,
    )
