"""Writes to what reduces (or raises) an account's charge: discounts, exemptions, premiums, the disabled band
reduction and council tax reduction awards on dwellings; small business, charitable, empty property and
transitional relief on business properties (borough.revenues.models.Reduction).

Each validates every field before writing (ValidationError naming the field), writes in one transaction with an
audit event, and re-bills each year already billed that the change reaches back into (billing's `bill_amend`).
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from borough.core.audit import Actor, acting_as, audit_record, snapshot
from borough.core.calc.money import RoundingRule, round_money
from borough.crm.models import Case
from borough.revenues.calc.params import (
    FinancialYear,
    available_years,
    business_rates_rules,
    council_tax_rules,
    year_parameters,
)
from borough.revenues.calc.pieces import BUSINESS_RATES_KINDS, COUNCIL_TAX_KINDS, full_years_between
from borough.revenues.models import Account, Bill, LiabilityPeriod, Reduction
from borough.revenues.selectors import NotCouncilTaxNation, tenant_country
from borough.revenues.services.common import Errors, check_date, text_value

AUDITED = ("kind", "code", "start", "end", "percent", "amount", "empty_since", "reason", "case")
MAX_AMOUNT = Decimal("1000000.00")  # far above any one account's year: a typo of a few digits is caught
PREMIUM_CODES = ("long_term_empty", "second_home")
# Kinds that take a code, a percent, an amount or the date the property became empty; the rest must leave them out.
WITH_CODE = frozenset(
    {
        Reduction.Kind.DISCOUNT,
        Reduction.Kind.EXEMPTION,
        Reduction.Kind.PREMIUM,
        Reduction.Kind.EMPTY_PROPERTY,
        Reduction.Kind.RURAL,
    }
)
WITH_AMOUNT = frozenset(
    {Reduction.Kind.COUNCIL_TAX_REDUCTION, Reduction.Kind.TRANSITIONAL, Reduction.Kind.SUPPORTING_SMALL_BUSINESS}
)
AMOUNT_PROMPTS = {
    Reduction.Kind.COUNCIL_TAX_REDUCTION: "Enter the amount",
    Reduction.Kind.TRANSITIONAL: "Enter the base liability the transitional cap applies to",
    Reduction.Kind.SUPPORTING_SMALL_BUSINESS: "Enter the base liability: the 2025-26 bill after the reliefs lost",
}
WITH_EMPTY_SINCE = frozenset({Reduction.Kind.PREMIUM, Reduction.Kind.EMPTY_PROPERTY})
# A discount is for residents; a premium is for a dwelling with none: they never apply on the same day.
CLASHING = {Reduction.Kind.DISCOUNT: Reduction.Kind.PREMIUM, Reduction.Kind.PREMIUM: Reduction.Kind.DISCOUNT}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _financial_year_of(day: date) -> str:
    return FinancialYear(date(day.year if day.month >= 4 else day.year - 1, 4, 1)).name


def _parameters_for(day: date):
    """The parameters of the year `day` falls in, or the nearest year the engine has (a backdated change)."""
    name = _financial_year_of(day)
    years = sorted(available_years())
    if name not in years:
        name = max((year for year in years if year <= name), default=years[0])
    return year_parameters(name)


def _decimal(name: str, value: Any, errors: Errors, *, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else Decimal("NaN")
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        errors.add(name, "Enter a number, like 25 or 1234.50")
        return None
    if number < 0:
        errors.add(name, "Enter an amount of 0 or more")
    elif number > MAX_AMOUNT:
        errors.add(name, f"Enter an amount up to {MAX_AMOUNT:,}")
    elif number != number.quantize(Decimal(1).scaleb(-places)):
        errors.add(name, f"Use at most {places} decimal places")
    return number


def _country(account: Account, errors: Errors) -> str:
    try:
        return tenant_country(account.tenant)
    except NotCouncilTaxNation as error:
        errors.add("kind", str(error))
        return ""


def _check_code(account: Account, kind: str, code: Any, errors: Errors) -> str:
    code = code.strip() if isinstance(code, str) else code
    if kind not in WITH_CODE:
        if code:
            errors.add("code", "This kind of reduction takes no code")
        return ""
    if not isinstance(code, str) or not code:
        errors.add("code", "Choose which one")
        return ""
    if kind == Reduction.Kind.DISCOUNT:
        allowed = list(council_tax_rules().discounts)
    elif kind == Reduction.Kind.EXEMPTION:
        code = code.upper()
        country = _country(account, errors)
        allowed = list(council_tax_rules().exemption_classes.get(country, {}))
    elif kind == Reduction.Kind.PREMIUM:
        allowed = list(PREMIUM_CODES)
    elif kind == Reduction.Kind.RURAL:
        rural = business_rates_rules().rural
        allowed = list(rural.rv_limits) if rural is not None else []
    else:
        rules = business_rates_rules().empty_property
        allowed = [*rules.free_months, *rules.exempt]
    if allowed and code not in allowed:
        errors.add("code", f"{code!r} is not one of: {', '.join(allowed)}")
    return code


def _check_liability(account: Account, start: date, end: date | None, errors: Errors) -> None:
    """The reduction's days must fall inside one of the account's liability periods."""
    inside = LiabilityPeriod.objects.filter(account=account, start__lte=start)
    inside = inside.filter(end__isnull=True) if end is None else inside.filter(Q(end__isnull=True) | Q(end__gte=end))
    if not inside.exists():
        periods = ", ".join(str(period) for period in LiabilityPeriod.objects.filter(account=account)) or "none"
        field = "end" if LiabilityPeriod.objects.filter(account=account, start__lte=start).exists() else "start"
        errors.add(field, f"The dates must fall inside one of the account's liability periods ({periods})")


def _check_overlap(account: Account, kind: str, start: date, end: date | None, errors: Errors, exclude=None) -> None:
    overlapping = Reduction.objects.filter(account=account).filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        overlapping = overlapping.filter(start__lte=end)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    same = overlapping.filter(kind=kind).first()
    if same is not None:
        errors.add("start", f"This overlaps the account's {same}: end that one first")
    clash = CLASHING.get(kind)
    other = overlapping.filter(kind=clash).first() if clash else None
    if other is not None:
        errors.add("kind", f"A discount and a premium cannot apply on the same days: it overlaps the {other}")


def _check_premium(
    account: Account,
    code: str,
    percent: Decimal | None,
    empty_since: date | None,
    start: date,
    end: date | None,
    errors: Errors,
) -> None:
    """The premium's percent may not pass the maximum for the years the dwelling will have been empty by its end."""
    if percent is None:
        errors.add("percent", "Enter the premium as a percentage of the charge, like 100")
        return
    rules = _parameters_for(start).premiums.get(_country(account, errors), ())
    if code == "second_home":
        limit = max((rule.max_percent for rule in rules if rule.kind == code), default=Decimal(0))
        if percent > limit:
            errors.add("percent", f"A second home premium is at most {limit.normalize():f}%")
        return
    if empty_since is None:
        errors.add("empty_since", "Enter the date the dwelling became empty: the years empty decide the premium")
        return
    if empty_since > start:
        errors.add("empty_since", "The dwelling must be empty by the day the premium starts")
        return
    empty_rules = [rule for rule in rules if rule.kind == code]
    if end is None:
        reached = empty_rules
        by = "at most"
    else:
        years = full_years_between(empty_since, end)
        reached = [rule for rule in empty_rules if rule.empty_for_years <= years]
        by = f"by {_long(end)}, when it will have been empty {years} year{'s' if years != 1 else ''}, at most"
    limit = max((rule.max_percent for rule in reached), default=Decimal(0))
    if not reached:
        errors.add("percent", "The dwelling will not have been empty a year by the premium's end: none applies")
    elif percent > limit:
        errors.add("percent", f"The premium is {by} {limit.normalize():f}%")


def _rebill(
    account: Account, start: date, end: date | None, reason: str, skip: tuple[date, date] | None = None
) -> None:
    """Amend each current bill of a year the change reaches into (but not one reaching into `skip`, amended
    already); years not yet billed get the change in their annual run."""
    from borough.revenues.billing.services import bill_amend  # billing builds on these services

    today = timezone.localdate()
    bills = Bill.objects.filter(account=account, superseded_on__isnull=True).order_by("financial_year")
    for financial_year in bills.values_list("financial_year", flat=True):
        year = FinancialYear.parse(financial_year)
        done = skip is not None and skip[0] <= year.end and skip[1] >= year.start
        if start <= year.end and (end is None or end >= year.start) and not done:
            bill_amend(account=account, financial_year=financial_year, issued_on=today, reason=reason)


def _describe(reduction: Reduction) -> str:
    what = reduction.get_kind_display().lower()
    code = f" {reduction.code.replace('_', ' ')}" if reduction.code else ""
    until = f" to {_long(reduction.end)}" if reduction.end else ""
    return f"{what}{code} from {_long(reduction.start)}{until}"


@transaction.atomic
def reduction_add(
    *,
    account: Account,
    kind: str,
    code: str = "",
    start: date,
    end: date | None = None,
    percent: Any = None,
    amount: Any = None,
    empty_since: date | None = None,
    reason: str = "",
    case: Case | None = None,
    actor: Actor | None = None,
) -> Reduction:
    """Record a discount, exemption, premium, disabled band reduction, council tax reduction award or business
    rates relief on an account, from `start` to `end` (inclusive; None while it still applies)."""
    if actor is not None:
        with acting_as(actor):
            return reduction_add(
                account=account,
                kind=kind,
                code=code,
                start=start,
                end=end,
                percent=percent,
                amount=amount,
                empty_since=empty_since,
                reason=reason,
                case=case,
            )
    errors = Errors()
    if not isinstance(account, Account) or account.pk is None:
        raise ValidationError({"account": "Choose an account"})
    account = Account.objects.select_for_update().get(pk=account.pk)
    if kind not in Reduction.Kind.values:
        errors.add("kind", f"Choose one of: {', '.join(Reduction.Kind.values)}")
    elif kind in COUNCIL_TAX_KINDS and account.dwelling_id is None:
        errors.add("kind", "This is a business rates account: council tax reductions apply to dwellings only")
    elif kind in BUSINESS_RATES_KINDS and account.hereditament_id is None:
        errors.add("kind", "This is a council tax account: business rates reliefs apply to business properties only")
    known_kind = kind in Reduction.Kind.values and not errors.messages
    code = _check_code(account, kind, code, errors) if known_kind else ""
    check_date("start", start, errors)
    check_date("end", end, errors, required=kind == Reduction.Kind.COUNCIL_TAX_REDUCTION)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.add("end", f"The end ({end.isoformat()}) is before the start ({start.isoformat()})")
    check_date("empty_since", empty_since, errors, required=False)
    if empty_since is not None and kind not in WITH_EMPTY_SINCE:
        errors.add("empty_since", "Only a premium or an empty property relief records when the property became empty")
    if kind == Reduction.Kind.PREMIUM and code == "long_term_empty" and empty_since is None:
        errors.add("empty_since", "Enter the date the dwelling became empty: the years empty decide the premium")
    empty_late = isinstance(empty_since, date) and isinstance(start, date) and empty_since > start
    if kind == Reduction.Kind.EMPTY_PROPERTY and empty_late:
        errors.add("empty_since", "The property must be empty by the day the relief starts")
    percent_value = _decimal("percent", percent, errors)
    if percent_value is not None and kind != Reduction.Kind.PREMIUM:
        errors.add("percent", "Only a premium takes a percentage")
    amount_value = _decimal("amount", amount, errors)
    if kind in WITH_AMOUNT and amount is None:
        errors.add("amount", AMOUNT_PROMPTS[kind])
    elif amount is not None and kind not in WITH_AMOUNT:
        errors.add(
            "amount",
            "Only a council tax reduction award, transitional or supporting small business relief takes an amount",
        )
    reason = text_value(Reduction, "reason", reason, errors)
    if case is not None and (not isinstance(case, Case) or case.tenant_id != account.tenant_id):
        errors.add("case", "Choose a case of this council")
    errors.raise_any()

    if kind == Reduction.Kind.PREMIUM:
        _check_premium(account, code, percent_value, empty_since, start, end, errors)
    _check_liability(account, start, end, errors)
    _check_overlap(account, kind, start, end, errors)
    errors.raise_any()
    reduction = Reduction.objects.create(
        tenant_id=account.tenant_id,
        account=account,
        kind=kind,
        code=code,
        start=start,
        end=end,
        percent=percent_value,
        amount=amount_value,
        empty_since=empty_since,
        reason=reason,
        case=case,
    )
    audit_record(
        tenant=account.tenant,
        action="revenues.reduction_add",
        obj=account,
        after=snapshot(reduction, AUDITED),
        detail={"reduction_id": reduction.pk},
    )
    _rebill(account, start, end, f"{_describe(reduction)} added")
    return reduction


@transaction.atomic
def reduction_end(*, reduction: Reduction, end: date, actor: Actor | None = None) -> Reduction:
    """End a reduction on `end`, its last day (a resident no longer living alone, an empty property let)."""
    if actor is not None:
        with acting_as(actor):
            return reduction_end(reduction=reduction, end=end)
    if not isinstance(reduction, Reduction) or reduction.pk is None:
        raise ValidationError({"reduction": "Choose a reduction"})
    reduction = Reduction.objects.select_for_update().select_related("account").get(pk=reduction.pk)
    errors = Errors()
    check_date("end", end, errors)
    errors.raise_any()
    if end < reduction.start:
        errors.add(
            "end", f"The end ({end.isoformat()}) is before the reduction's start ({reduction.start.isoformat()})"
        )
    elif reduction.end is not None and end > reduction.end:
        errors.add("end", f"It already ends on {reduction.end.isoformat()}: an end can only be brought forward")
    elif reduction.kind == Reduction.Kind.COUNCIL_TAX_REDUCTION:
        errors.add("end", "A council tax reduction award is changed by the benefits module: record a new award")
    errors.raise_any()
    before = snapshot(reduction, AUDITED)
    was = reduction.end
    reduction.end = end
    reduction.save(update_fields=["end"])
    audit_record(
        tenant=reduction.tenant,
        action="revenues.reduction_end",
        obj=reduction.account,
        before=before,
        after=snapshot(reduction, AUDITED),
        detail={"reduction_id": reduction.pk},
    )
    # The days no longer reduced run from the day after the new end to the old end (or on).
    _rebill(reduction.account, end + timedelta(days=1), was, f"{_describe(reduction)}: ended")
    return reduction


@transaction.atomic
def council_tax_reduction_award(*, account: Account, start: date, end: date, amount: Any, reference: str) -> Reduction:
    """How the benefits module hands a council tax reduction award to revenues.

    `amount` is the reduction for the whole award period `start`..`end` (inclusive, inside the account's
    liability), in pounds and pence; billing spreads it over the period by days. `reference` is the benefits
    module's reference of the award (its claim and assessment), kept on the reduction so the two can be matched.
    A revised award replaces what was awarded from its `start`: an earlier award still running then is cut to end
    the day before, its amount cut by days (to the penny); an award starting on or after `start` that overlaps is
    refused (ValidationError on "start"). Every mistake raises ValidationError naming the field; nothing is written.
    """
    errors = Errors()
    reference = text_value(Reduction, "reason", reference, errors, required=True)
    if errors.messages:
        raise ValidationError({"reference": "Give the benefits module's reference of the award"})
    rebill_after: tuple[date, date] | None = None
    if isinstance(account, Account) and account.pk is not None and isinstance(start, date) and isinstance(end, date):
        running = Reduction.objects.select_for_update().filter(
            account=account, kind=Reduction.Kind.COUNCIL_TAX_REDUCTION, start__lt=start, end__gte=start
        )
        for award in running:
            old_end = _cut_award(award, start)
            if old_end > end:
                rebill_after = (end + timedelta(days=1), old_end)
    reduction = reduction_add(
        account=account,
        kind=Reduction.Kind.COUNCIL_TAX_REDUCTION,
        start=start,
        end=end,
        amount=amount,
        reason=f"Council tax reduction award {reference}",
    )
    if rebill_after is not None:  # the days after the new award lost the old one: years not amended already
        _rebill(account, rebill_after[0], rebill_after[1], "council tax reduction award revised", skip=(start, end))
    return reduction


def _cut_award(award: Reduction, start: date) -> date:
    """End `award` the day before `start`, its amount cut by days; return the end it had."""
    assert award.end is not None and award.amount is not None
    before = snapshot(award, AUDITED)
    was = award.end
    days = (award.end - award.start).days + 1
    award.end = start - timedelta(days=1)
    kept = (award.end - award.start).days + 1
    award.amount = round_money(award.amount * kept / days, RoundingRule.NEAREST_PENNY)
    award.save(update_fields=["end", "amount"])
    audit_record(
        tenant=award.tenant, action="revenues.reduction_end", obj=award.account, before=before,
        after=snapshot(award, AUDITED), detail={"reduction_id": award.pk, "why": "revised award"},
    )  # fmt: skip
    return was
