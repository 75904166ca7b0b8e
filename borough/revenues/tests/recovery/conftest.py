"""A council tax account billed £1,500 for 2026-27 in ten £150 instalments from 1 April 2026."""

from datetime import date
from decimal import Decimal

import pytest

from borough.core.runs import run_execute, run_start
from borough.revenues.models import Bill, RecoveryAction
from borough.revenues.payments.balances import payment_record
from borough.revenues.tests.factories import make_account

YEAR = "2026-27"
DUE_DATES = [date(2026, 4 + n, 1) if n < 9 else date(2027, 1, 1) for n in range(10)]
_keys = iter(range(1, 10**6))


def bill_account(tenant, account=None, amount=Decimal("150.00"), dates=DUE_DATES, year=YEAR):
    account = account or make_account(tenant)
    total = amount * len(dates)
    Bill.objects.create(
        tenant=tenant,
        account=account,
        financial_year=year,
        kind=Bill.Kind.ANNUAL,
        number=f"{year}/{account.number}",
        issued_on=date(2026, 3, 10),
        charge=total,
        balance=total,
        instalments=[[day.isoformat(), str(amount)] for day in dates],
    )
    return account


def pay(account, on, amount, year=YEAR):
    return payment_record(
        account=account,
        financial_year=year,
        amount=Decimal(amount),
        method="bank",
        posted_on=on,
        source_key=f"test-payment-{next(_keys)}",
    )


def run_on(tenant, day, **parameters):
    run = run_start(
        tenant=tenant,
        kind="revenues.recovery_daily",
        parameters={"date": day.isoformat(), **parameters},
        dispatch=False,
    )
    return run_execute(run=run)


def stages(account):
    return list(
        RecoveryAction.objects.filter(account=account).order_by("issued_on", "pk").values_list("stage", "status")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "h5rec-media"
    return settings.MEDIA_ROOT
