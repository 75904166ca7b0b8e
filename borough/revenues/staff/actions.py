"""What staff can do to an account from its page, each through its area's service: add or end a reduction
(reductions, which re-bills what it changes), move out (accounts; then the bills of the years it changes are
amended here), re-bill a year (billing)."""

from datetime import date

from django.db import transaction

from borough.revenues.billing.services import bill_amend
from borough.revenues.models import Account, Bill, LiabilityPeriod, Reduction
from borough.revenues.payments.balances import financial_year_of
from borough.revenues.services import account_move_out, reductions


def available(account: Account, *, open_period: LiabilityPeriod | None) -> dict[str, bool]:
    return {
        "move_out": open_period is not None,
        "rebill": Bill.objects.filter(account=account).exists(),
    }


def current_bill_years(account: Account) -> list[str]:
    years = Bill.objects.filter(account=account, superseded_on__isnull=True).values_list("financial_year", flat=True)
    return sorted(set(years), reverse=True)


@transaction.atomic
def move_out(*, account: Account, end: date, rebill: bool, today: date) -> list[Bill]:
    """End liability on `end` and, when asked, amend the bills of the years it changes."""
    account_move_out(account=account, end=end)
    return _amend_from(account, end, today=today, reason=f"moved out on {end:%-d %B %Y}") if rebill else []


def rebill(*, account: Account, financial_year: str, reason: str, today: date) -> Bill:
    return bill_amend(account=account, financial_year=financial_year, issued_on=today, reason=reason)


def reduction_add(*, account: Account, values: dict) -> Reduction:
    """Record a reduction; the reductions service amends the bills of the years it reaches itself."""
    return reductions.reduction_add(account=account, **values)


def reduction_end(*, reduction: Reduction, end: date) -> Reduction:
    return reductions.reduction_end(reduction=reduction, end=end)


def _amend_from(account: Account, day: date, *, today: date, reason: str) -> list[Bill]:
    """Amend each current bill of a year from `day`'s on (billing amends nothing it has not billed)."""
    first = financial_year_of(day)
    return [
        bill_amend(account=account, financial_year=year, issued_on=today, reason=reason)
        for year in current_bill_years(account)
        if year >= first
    ]
