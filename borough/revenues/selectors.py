"""Reads of revenues data that are more than one line."""

from datetime import date

from borough.revenues.calc.council_tax import CouncilTaxInput
from borough.revenues.calc.council_tax import Precept as BandD
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Account, Country, Dwelling, LiabilityPeriod, Precept, RevenuesSettings
from borough.tenancy.models import Tenant


class NotCouncilTaxNation(ValueError):
    """Council tax bands here are those of England and Wales only."""


def tenant_country(tenant: Tenant) -> str:
    """ "england" or "wales": which council tax rules apply to the tenant (RevenuesSettings; England if unset)."""
    if tenant.nation != Tenant.Nation.ENGLAND_AND_WALES:
        raise NotCouncilTaxNation(f"{tenant.name} is in {tenant.get_nation_display()}: only England and Wales")
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    return settings.country if settings else Country.ENGLAND


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
    """The engine's input for each liability period of a dwelling's account in the year (none when not liable).
    Discounts, premiums and reductions are not recorded on accounts yet: the charge is the band's full charge."""
    dwelling = account.dwelling
    if dwelling is None:
        raise ValueError(f"Account {account.number} is for a business property: it pays business rates")
    band_d = band_d_for(dwelling=dwelling, financial_year=financial_year)
    country = tenant_country(dwelling.tenant)
    return [
        CouncilTaxInput(
            financial_year=financial_year,
            country=country,
            band=dwelling.band,
            band_d=band_d,
            liability_start=start,
            liability_end=end,
        )
        for start, end in account_liability_in_year(account=account, financial_year=financial_year)
    ]
