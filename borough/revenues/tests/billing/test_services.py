"""bill_issue and bill_amend: a mid-year change re-bills the account (the whole year's charge as it now stands,
less what was paid, over the months left), the superseded bill is linked, an overpayment shows as a credit,
and bad requests are refused by field."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent, Run
from borough.core.runs import run_execute, run_start
from borough.revenues.billing.compute import first_due_date
from borough.revenues.billing.services import bill_amend, bill_issue
from borough.revenues.models import Account, Bill, LedgerEntry, Reduction
from borough.revenues.payments.balances import payment_record
from borough.revenues.services import account_move_out, dwelling_update
from borough.revenues.tests.billing.conftest import YEAR, reduce
from borough.revenues.tests.factories import make_account, make_dwelling

D = Decimal
ISSUED = date(2026, 3, 2)


@pytest.fixture
def billed(council, band_d):
    """A band D account (£1,950 a year) with its annual bill: 10 × £195 from 1 April."""
    account = make_account(council, make_dwelling(council, band="D"), start=date(2020, 1, 1))
    bill = bill_issue(account=account, financial_year=YEAR, issued_on=ISSUED)
    return account, bill


def pay(account, amount, posted_on, key):
    return payment_record(
        account=account, financial_year=YEAR, amount=D(amount), method="bank", posted_on=posted_on, source_key=key
    )


def total(bill):
    return sum((D(amount) for _due, amount in bill.instalments), D(0))


def test_bill_issue_writes_the_annual_bill(billed):
    account, bill = billed
    assert (bill.number, bill.kind, bill.charge, bill.balance) == (f"{YEAR}/{account.number}", "annual", 1950, 1950)
    assert bill.instalments == [[f"2026-{m:02d}-01", "195.00"] for m in range(4, 13)] + [["2027-01-01", "195.00"]]
    assert AuditEvent.objects.filter(action="revenues.bill_issue", object_id=str(bill.pk)).exists()


def test_moving_out_mid_year_rebills_what_is_left_after_payments(billed):
    account, first = billed
    pay(account, "195.00", date(2026, 4, 1), "p1")
    pay(account, "195.00", date(2026, 5, 1), "p2")
    account_move_out(account=account, end=date(2026, 6, 30))
    bill = bill_amend(account=account, financial_year=YEAR, issued_on=date(2026, 7, 10), reason="Moved out")
    # 1 April to 30 June: 91 days, £1,950 × 91/365 = £486.16; paid £390, so £96.16 to pay.
    assert (bill.charge, bill.credited, bill.balance) == (D("486.16"), D("390.00"), D("96.16"))
    # Issued 10 July: the first instalment day (the 1st) at least 14 days on is 1 August; 7 months to February.
    assert bill.instalments[0] == ["2026-08-01", "12.16"] and len(bill.instalments) == 7
    assert total(bill) == bill.balance
    assert (bill.kind, bill.number) == ("amended", f"{YEAR}/{account.number}/2")
    first.refresh_from_db()
    assert (first.superseded_on, first.superseded_by) == (date(2026, 7, 10), bill)
    assert Bill.objects.filter(account=account, superseded_on__isnull=True).get() == bill
    assert bill.steps[0] == "Amended bill: Moved out."
    assert any("Already paid or credited" in step for step in bill.steps)


def test_paying_more_than_the_new_charge_leaves_a_credit(billed):
    account, _first = billed
    pay(account, "600.00", date(2026, 4, 20), "big")
    LedgerEntry.objects.create(  # costs are owed besides the charge: not credited against it
        tenant=account.tenant, account=account, financial_year=YEAR, kind="costs", amount=D("70.00"),
        posted_on=date(2026, 5, 1), source_key="costs-1",
    )  # fmt: skip
    account_move_out(account=account, end=date(2026, 6, 30))
    bill = bill_amend(account=account, financial_year=YEAR, issued_on=date(2026, 7, 10), reason="Moved out")
    assert (bill.charge, bill.credited, bill.balance) == (D("486.16"), D("600.00"), D("-113.84"))
    assert bill.instalments == []
    assert "£113.84 more than the charge" in bill.steps[-1]


def test_a_discount_from_a_date_charges_each_part_of_the_year(billed):
    account, _first = billed
    reduce(account, Reduction.Kind.DISCOUNT, date(2026, 10, 1), code="single_person")
    bill = bill_amend(account=account, financial_year=YEAR, issued_on=date(2026, 9, 20), reason="Single person")
    # 183 days at £1,950 = £977.67, and 182 days at £1,462.50 (25% off) = £729.25.
    assert bill.charge == D("1706.92") and bill.balance == D("1706.92")
    assert [(p["start"], p["charge"]) for p in bill.detail["pieces"]] == [
        ("2026-04-01", "977.67"),
        ("2026-10-01", "729.25"),
    ]
    assert bill.instalments[0][0] == "2026-11-01"  # 1 October is under 14 days after 20 September
    assert total(bill) == bill.charge


def test_a_backdated_band_change_is_rebilled_by_the_rebill_run(billed):
    account, first = billed
    dwelling_update(dwelling=account.dwelling, band="E", band_effective_from=date(2026, 4, 1))
    assert Account.objects.get(pk=account.pk).rebill_from == date(2026, 4, 1)
    run = run_execute(
        run=run_start(
            tenant=account.tenant,
            kind="revenues.rebill",
            parameters={"financial_year": YEAR, "issued_on": "2026-05-20"},
            dispatch=False,
        )
    )
    assert run.status == Run.Status.SUCCEEDED and run.succeeded_items == 1
    bill = Bill.objects.get(account=account, superseded_on__isnull=True)
    # Band E: 200 × 11/9 = 244.44, 1,500 × 11/9 = 1,833.33, 250 × 11/9 = 305.56.
    assert bill.charge == D("2383.33") and bill.detail["property"]["band"] == "E"
    assert Account.objects.get(pk=account.pk).rebill_from is None
    first.refresh_from_db()
    assert first.superseded_by == bill


def test_amending_without_a_bill_or_a_reason_is_refused(council, band_d, billed):
    fresh = make_account(council, make_dwelling(council, band="C"), start=date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        bill_amend(account=fresh, financial_year=YEAR, issued_on=date(2026, 7, 1), reason="x")
    assert "no bill" in caught.value.message_dict["account"][0]
    account, _bill = billed
    with pytest.raises(ValidationError) as caught:
        bill_amend(account=account, financial_year="2026", issued_on="today", reason="  ")
    assert set(caught.value.message_dict) == {"financial_year", "issued_on", "reason"}
    with pytest.raises(ValidationError) as caught:
        bill_amend(account=account, financial_year=YEAR, issued_on=date(2026, 1, 1), reason="early")
    assert "issued_on" in caught.value.message_dict
    assert Bill.objects.filter(account=account).count() == 1


def test_issuing_twice_or_for_a_year_not_liable_is_refused(council, band_d, billed):
    account, _bill = billed
    with pytest.raises(ValidationError) as caught:
        bill_issue(account=account, financial_year=YEAR, issued_on=ISSUED)
    assert "already has a bill" in caught.value.message_dict["financial_year"][0]
    later = make_account(council, make_dwelling(council), start=date(2027, 6, 1))
    with pytest.raises(ValidationError) as caught:
        bill_issue(account=later, financial_year=YEAR, issued_on=ISSUED)
    assert "not liable" in caught.value.message_dict["financial_year"][0]


@pytest.mark.parametrize(
    ("issued_on", "amended", "first_due"),
    [
        (date(2026, 3, 2), False, date(2026, 4, 1)),  # before the year: 1 April
        (date(2026, 3, 25), False, date(2026, 4, 8)),  # 14 days' notice
        (date(2026, 7, 10), True, date(2026, 8, 1)),  # 1 July is too soon: 1 August
        (date(2026, 7, 15), True, date(2026, 8, 1)),  # 29 July is the earliest: 1 August
        (date(2026, 7, 20), True, date(2026, 9, 1)),  # 3 August is the earliest: 1 September
    ],
)
def test_the_first_instalment_leaves_fourteen_days_notice(issued_on, amended, first_due):
    assert first_due_date(financial_year=YEAR, issued_on=issued_on, amended=amended) == first_due
