"""Objects the staff and resident revenues pages point at, for the isolation sweep (borough.tenancy.sweep)."""

from datetime import date

from borough.core.audit import Actor, acting_as
from borough.revenues.models import Bill, Reduction
from borough.revenues.tests.factories import make_account
from borough.tenancy.sweep import sweep_factory


def _account(tenant):
    with acting_as(Actor.system("sweep")):
        return make_account(tenant)


def _bill(account) -> Bill:
    return Bill.objects.create(
        tenant=account.tenant,
        account=account,
        financial_year="2026-27",
        kind=Bill.Kind.ANNUAL,
        number=f"2026-27/{account.number}",
        issued_on=date(2026, 3, 9),
        charge="1000.00",
        balance="1000.00",
        instalments=[["2026-04-01", "1000.00"]],
    )


@sweep_factory("revenues:account", "revenues:history", "revenues:move_out", "revenues:rebill", "revenues:reduction_add")
def an_account(tenant):
    return {"number": _account(tenant).number}


@sweep_factory("revenues:bill_pdf")
def an_accounts_bill(tenant):
    account = _account(tenant)
    return {"number": account.number, "pk": _bill(account).pk}


@sweep_factory("council_tax:bill_pdf")
def a_bill(tenant):
    return {"pk": _bill(_account(tenant)).pk}


@sweep_factory("revenues:reduction_end")
def a_reduction(tenant):
    account = _account(tenant)
    reduction = Reduction.objects.create(
        tenant=tenant, account=account, kind=Reduction.Kind.DISCOUNT, code="single_person", start=date(2026, 4, 1)
    )
    return {"number": account.number, "pk": reduction.pk}
