"""Reads of revenues data that are more than one line."""

from datetime import date

from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Account, Country, LiabilityPeriod, RevenuesSettings
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
