from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import audit_history
from borough.revenues.models import LedgerEntry
from borough.revenues.payments.balances import (
    arrears,
    arrears_for_accounts,
    instalments_status,
    payment_record,
    refund_record,
    reversal_record,
    year_balance,
)
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = "2026-27"


def pay(account, amount, key, on=date(2026, 4, 20)):
    return payment_record(
        account=account,
        financial_year=YEAR,
        amount=D(amount),
        method=LedgerEntry.Method.BANK,
        posted_on=on,
        reference=account.number,
        source_key=key,
    )


def test_payments_cover_the_oldest_instalment_first(council):
    account = make_account(council)
    make_bill(account, charge="1000.00")
    pay(account, "150.00", "k1")
    statuses = instalments_status(account=account, financial_year=YEAR, as_of=date(2026, 6, 15))
    assert [(s.due, s.paid, s.outstanding) for s in statuses[:3]] == [
        (date(2026, 4, 1), D("100.00"), D("0.00")),
        (date(2026, 5, 1), D("50.00"), D("50.00")),
        (date(2026, 6, 1), D("0.00"), D("100.00")),
    ]
    assert sum(s.paid for s in statuses) == D("150.00")
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 6, 15)) == D("150.00")
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 4, 30)) == D("0.00")
    assert year_balance(account=account, financial_year=YEAR) == D("850.00")


def test_entries_after_as_of_do_not_count(council):
    account = make_account(council)
    make_bill(account)
    pay(account, "100.00", "late", on=date(2026, 5, 10))
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 5, 5)) == D("200.00")
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 5, 10)) == D("100.00")


def test_an_overpayment_leaves_a_credit_and_no_arrears(council):
    account = make_account(council)
    make_bill(account, charge="1000.00")
    pay(account, "1200.00", "big")
    statuses = instalments_status(account=account, financial_year=YEAR, as_of=date(2027, 3, 31))
    assert all(s.outstanding == 0 for s in statuses)
    assert year_balance(account=account, financial_year=YEAR) == D("-200.00")
    assert arrears(account=account, financial_year=YEAR, as_of=date(2027, 3, 31)) == 0


def test_a_superseded_bill_no_longer_counts(council):
    account = make_account(council)
    old = make_bill(account, charge="1000.00")
    pay(account, "300.00", "before")
    old.superseded_on = date(2026, 7, 10)
    old.save()
    # The amended bill: a lower charge, what was paid credited, the rest over the remaining months.
    make_bill(
        account,
        charge="700.00",
        credited="300.00",
        issued_on=date(2026, 7, 10),
        instalments=[["2026-08-01", "100.00"], ["2026-09-01", "100.00"], ["2026-10-01", "200.00"]],
    )
    statuses = instalments_status(account=account, financial_year=YEAR, as_of=date(2026, 9, 15))
    assert [(s.due, s.outstanding) for s in statuses] == [
        (date(2026, 8, 1), D("100.00")),
        (date(2026, 9, 1), D("100.00")),
        (date(2026, 10, 1), D("200.00")),
    ]
    assert year_balance(account=account, financial_year=YEAR) == D("400.00")
    pay(account, "150.00", "after")
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 9, 15)) == D("50.00")


def test_a_returned_payment_the_amended_bill_credited_falls_due_again(council):
    account = make_account(council)
    old = make_bill(account, charge="1000.00")
    first = pay(account, "300.00", "before")
    old.superseded_on = date(2026, 7, 10)
    old.save()
    make_bill(
        account, charge="700.00", credited="300.00", issued_on=date(2026, 7, 10), instalments=[["2026-08-01", "400.00"]]
    )
    reversal_record(entry=first, posted_on=date(2026, 7, 20), reason="Returned", source_key="rev-1")
    statuses = instalments_status(account=account, financial_year=YEAR, as_of=date(2026, 7, 31))
    assert statuses[0].due == date(2026, 7, 10) and statuses[0].outstanding == D("300.00") and statuses[0].note
    assert arrears(account=account, financial_year=YEAR, as_of=date(2026, 7, 31)) == D("300.00")


def test_arrears_for_accounts_matches_arrears(council):
    accounts = [make_account(council) for _ in range(3)]
    for account in accounts:
        make_bill(account)
    pay(accounts[0], "500.00", "a0")
    pay(accounts[1], "50.00", "a1")
    as_of = date(2026, 7, 2)
    bulk = arrears_for_accounts(financial_year=YEAR, account_ids=[a.pk for a in accounts], as_of=as_of)
    assert bulk == {
        a.pk: arrears(account=a, financial_year=YEAR, as_of=as_of)
        for a in accounts
        if arrears(account=a, financial_year=YEAR, as_of=as_of)
    }
    assert bulk == {accounts[1].pk: D("350.00"), accounts[2].pk: D("400.00")}


def test_payment_record_is_idempotent_and_audited(council):
    account = make_account(council)
    first = pay(account, "10.00", "same")
    again = pay(account, "99.00", "same")
    assert again.pk == first.pk and again.amount == D("-10.00")
    assert LedgerEntry.objects.filter(account=account).count() == 1
    assert [e.action for e in audit_history(account)].count("revenues.payment_record") == 1


@pytest.mark.parametrize(
    ("amount", "field"),
    [(D("0"), "amount"), (D("-5"), "amount"), (D("1.005"), "amount"), ("12", "amount"), (D("NaN"), "amount")],
)
def test_payment_record_refuses_bad_amounts(council, amount, field):
    account = make_account(council)
    with pytest.raises(ValidationError) as error:
        payment_record(
            account=account,
            financial_year=YEAR,
            amount=amount,
            method="bank",
            posted_on=date(2026, 4, 1),
            source_key="x",
        )
    assert field in error.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_payment_record_names_each_bad_field(council):
    account = make_account(council)
    with pytest.raises(ValidationError) as error:
        payment_record(
            account=account, financial_year="2026", amount=D("1"), method="gold", posted_on="x", source_key=""
        )
    assert set(error.value.message_dict) == {"financial_year", "method", "posted_on", "source_key"}


def test_refund_never_more_than_the_credit(council):
    account = make_account(council)
    make_bill(account, charge="100.00")
    with pytest.raises(ValidationError, match="no credit"):
        refund_record(
            account=account, financial_year=YEAR, amount=D("1"), posted_on=date(2026, 5, 1), reason="x", source_key="r0"
        )
    pay(account, "130.00", "over")
    with pytest.raises(ValidationError, match="30.00"):
        refund_record(
            account=account,
            financial_year=YEAR,
            amount=D("30.01"),
            posted_on=date(2026, 5, 1),
            reason="Overpaid",
            source_key="r1",
        )
    refund = refund_record(
        account=account,
        financial_year=YEAR,
        amount=D("20.00"),
        posted_on=date(2026, 5, 1),
        reason="Overpaid",
        source_key="r2",
    )
    assert refund.amount == D("20.00") and refund.kind == LedgerEntry.Kind.REFUND
    assert year_balance(account=account, financial_year=YEAR) == D("-10.00")
    with pytest.raises(ValidationError, match="10.00"):
        refund_record(
            account=account,
            financial_year=YEAR,
            amount=D("10.01"),
            posted_on=date(2026, 5, 2),
            reason="x",
            source_key="r3",
        )
    # The refund took back part of what was paid: the instalments show £110 paid of £100 owed.
    assert arrears(account=account, financial_year=YEAR, as_of=date(2027, 3, 31)) == 0


def test_reversal_is_idempotent_and_once_per_payment(council):
    account = make_account(council)
    make_bill(account)
    payment = pay(account, "100.00", "p")
    one = reversal_record(entry=payment, posted_on=date(2026, 5, 3), reason="ARUDD 0", source_key="rev-a")
    assert one.amount == D("100.00") and one.reverses_id == payment.pk
    assert reversal_record(entry=payment, posted_on=date(2026, 5, 3), reason="x", source_key="rev-a").pk == one.pk
    assert reversal_record(entry=payment, posted_on=date(2026, 5, 4), reason="x", source_key="rev-b").pk == one.pk
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    with pytest.raises(ValidationError):
        reversal_record(entry=one, posted_on=date(2026, 5, 4), reason="x", source_key="rev-c")
