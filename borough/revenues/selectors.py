"""Reads of revenues data that are more than one line."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Q

from borough.revenues.calc.council_tax import CouncilTaxInput
from borough.revenues.calc.council_tax import Precept as BandD
from borough.revenues.calc.params import FinancialYear
from borough.revenues.calc.pieces import ReductionFact, dwelling_pieces, hereditament_pieces
from borough.revenues.calc.year_charge import ChargePiece
from borough.revenues.models import (
    Account,
    BandHistory,
    Country,
    Dwelling,
    LiabilityPeriod,
    Precept,
    Reduction,
    RevenuesSettings,
    ValueHistory,
)
from borough.tenancy.models import Tenant


class NotCouncilTaxNation(ValueError):
    """Council tax bands here are those of England and Wales only."""


def tenant_country(tenant: Tenant) -> str:
    """ "england" or "wales": which council tax rules apply to the tenant (RevenuesSettings; England if unset)."""
    if tenant.nation != Tenant.Nation.ENGLAND_AND_WALES:
        raise NotCouncilTaxNation(f"{tenant.name} is in {tenant.get_nation_display()}: only England and Wales")
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    return settings.country if settings else Country.ENGLAND


def tenant_greater_london(tenant: Tenant) -> bool:
    """Whether the billing authority is in Greater London (RevenuesSettings; not unless set): all its hereditaments
    then take the London transitional relief bands."""
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    return bool(settings and settings.greater_london)


def account_liability_in_year(*, account: Account, financial_year: str) -> list[tuple[date, date]]:
    """The account's liability periods cut to the financial year: the engine's `liability_start`/`liability_end`.

    Raises borough.revenues.calc.errors.InputError for a malformed year. Dates are inclusive.
    """
    year = FinancialYear.parse(financial_year)
    periods = LiabilityPeriod.objects.filter(account=account, start__lte=year.end).exclude(end__lt=year.start)
    return [
        (max(period.start, year.start), min(period.end or year.end, year.end)) for period in periods.order_by("start")
    ]


def accounts_to_rebill(*, tenant: Tenant):
    """Accounts whose property changed band or value from a past date, oldest change first (billing's work list)."""
    return Account.objects.filter(tenant=tenant, rebill_from__isnull=False).order_by("rebill_from", "pk")


# The order the bill lists the authorities in: the council's own first, the parish last.
PRECEPT_ORDER = [
    Precept.Kind.BILLING,
    Precept.Kind.COUNTY,
    Precept.Kind.ADULT_SOCIAL_CARE,
    Precept.Kind.POLICE,
    Precept.Kind.FIRE,
    Precept.Kind.PARISH,
]


def band_d_for(*, dwelling: Dwelling, financial_year: str) -> tuple[BandD, ...]:
    """The band D amounts a dwelling pays in a year: every authority's, and its own parish's (the engine's band_d)."""
    precepts = Precept.objects.filter(tenant_id=dwelling.tenant_id, financial_year=financial_year).filter(
        parish__isnull=True
    ) | Precept.objects.filter(
        tenant_id=dwelling.tenant_id, financial_year=financial_year, parish_id=dwelling.parish_id
    )
    ordered = sorted(precepts, key=lambda p: (PRECEPT_ORDER.index(p.kind), p.authority))
    return tuple(BandD(authority=p.authority, band_d=p.band_d) for p in ordered)


def council_tax_inputs(*, account: Account, financial_year: str) -> list[CouncilTaxInput]:
    """The engine's input for each piece of a dwelling's account in the year (none when not liable)."""
    if account.dwelling_id is None:
        raise ValueError(f"Account {account.number} is for a business property: it pays business rates")
    return [piece.given for piece in charge_pieces(account=account, financial_year=financial_year)]  # type: ignore[misc]


def charge_pieces(*, account: Account, financial_year: str) -> list[ChargePiece]:
    """The pieces one account's year is charged in (see charge_pieces_for_accounts)."""
    return charge_pieces_for_accounts(tenant=account.tenant, financial_year=financial_year, account_ids=[account.pk])[
        account.pk
    ]


def _history[T](rows: list[tuple[date, T]], year_start: date) -> list[tuple[date, T]]:
    """The value in force on the year's first day and each change after it, without repeats (rows oldest first)."""
    kept: list[tuple[date, T]] = []
    for effective, value in rows:
        if kept and effective <= year_start:
            kept[0] = (effective, value)
        elif not kept or kept[-1][1] != value:
            kept.append((effective, value))
    return kept


def _precepts_by_parish(tenant: Tenant, financial_year: str) -> dict[int | None, tuple[BandD, ...]]:
    """The band D amounts each parish's dwellings pay (key None: dwellings in no parish), in the bill's order."""
    rows = Precept.objects.filter(tenant=tenant, financial_year=financial_year).values_list(
        "kind", "authority", "parish_id", "band_d"
    )
    ordered = sorted(rows, key=lambda row: (PRECEPT_ORDER.index(row[0]), row[1]))
    common = tuple(BandD(authority, band_d) for _kind, authority, parish, band_d in ordered if parish is None)
    by_parish: dict[int | None, tuple[BandD, ...]] = {None: common}
    for _kind, authority, parish, band_d in ordered:
        if parish is not None:
            by_parish[parish] = (*common, BandD(authority, band_d))
    return by_parish


def charge_pieces_for_accounts(
    *, tenant: Tenant, financial_year: str, account_ids: Sequence[int]
) -> dict[int, list[ChargePiece]]:
    """The pieces each account's year is charged in, for many accounts at once (annual billing's chunks).

    A fixed handful of queries whatever the number of accounts: the accounts with their property's band or value,
    their liability periods, reductions, band or value history, and the year's precepts. An account not liable
    in the year has no pieces; an id that is not an account of the tenant is left out.
    Raises borough.revenues.calc.errors.InputError for a malformed year.
    """
    year = FinancialYear.parse(financial_year)
    # A chunk's ids lie in a narrow range: a range scan is far cheaper to send and to plan than an IN list of a
    # thousand ids (annual billing's benchmark, ADR 0019). Accounts in the range but not asked for are dropped.
    ids = list(account_ids)
    wanted = set(ids)
    span = {"gte": min(ids), "lte": max(ids)} if ids else {"in": []}
    chosen = Account.objects.filter(tenant=tenant, **{f"pk__{lookup}": value for lookup, value in span.items()})
    in_span = {f"account_id__{lookup}": value for lookup, value in span.items()}
    accounts = [
        row
        for row in chosen.values_list(
            "pk",
            "dwelling_id",
            "dwelling__band",
            "dwelling__parish_id",
            "hereditament_id",
            "hereditament__rateable_value",
            "hereditament__retail_hospitality_leisure",
        )
        if row[0] in wanted
    ]
    in_year = Q(start__lte=year.end) & (Q(end__isnull=True) | Q(end__gte=year.start))
    liability: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    periods = LiabilityPeriod.objects.filter(in_year, tenant=tenant, **in_span)
    for account_id, start, end in periods.values_list("account_id", "start", "end"):
        liability[account_id].append((start, end))
    if not liability:
        return {row[0]: [] for row in accounts}
    reductions: dict[int, list[ReductionFact]] = defaultdict(list)
    rows = Reduction.objects.filter(in_year, tenant=tenant, **in_span)
    for account_id, *fact in rows.order_by("start", "pk").values_list(
        "account_id", "kind", "start", "end", "code", "percent", "amount", "empty_since"
    ):
        reductions[account_id].append(ReductionFact(*fact))
    any_dwelling = any(row[1] is not None for row in accounts)
    any_hereditament = any(row[4] is not None for row in accounts)
    bands: dict[int, list[tuple[date, str]]] = defaultdict(list)
    values: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    precepts: dict[int | None, tuple[BandD, ...]] = {}
    country = ""
    london = tenant_greater_london(tenant) if any_hereditament else False
    if any_dwelling:
        country = tenant_country(tenant)
        precepts = _precepts_by_parish(tenant, financial_year)
        history = BandHistory.objects.filter(
            tenant=tenant, dwelling__in=chosen.values("dwelling_id"), effective_from__lte=year.end
        )
        for dwelling_id, effective, band in history.order_by("effective_from", "pk").values_list(
            "dwelling_id", "effective_from", "band"
        ):
            bands[dwelling_id].append((effective, band))
    if any_hereditament:
        history = ValueHistory.objects.filter(
            tenant=tenant, hereditament__in=chosen.values("hereditament_id"), effective_from__lte=year.end
        )
        for hereditament_id, effective, value in history.order_by("effective_from", "pk").values_list(
            "hereditament_id", "effective_from", "rateable_value"
        ):
            values[hereditament_id].append((effective, value))

    pieces: dict[int, list[ChargePiece]] = {}
    for pk, dwelling_id, band, parish_id, hereditament_id, rateable_value, rhl in accounts:
        if pk not in liability:
            pieces[pk] = []
        elif dwelling_id is not None:
            pieces[pk] = dwelling_pieces(
                financial_year=financial_year,
                country=country,
                bands=_history(bands.get(dwelling_id) or [(year.start, band)], year.start),
                band_d=precepts.get(parish_id, precepts.get(None, ())),
                liability=liability[pk],
                reductions=reductions.get(pk, ()),
            )
        else:
            pieces[pk] = hereditament_pieces(
                financial_year=financial_year,
                values=_history(values.get(hereditament_id) or [(year.start, rateable_value)], year.start),
                retail_hospitality_leisure=rhl,
                liability=liability[pk],
                reductions=reductions.get(pk, ()),
                london=london,
            )
    return pieces
