"""The annual run: bills for every liable account with plans that sum to the charge, nobody billed twice however
often it is executed, a dry run that writes nothing and reconciles with the tax base, and bad parameters."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import Run, RunChunk
from borough.core.runs import run_execute, run_start
from borough.revenues.billing import runs as billing_runs
from borough.revenues.billing.services import bill_amend
from borough.revenues.models import Bill
from borough.revenues.tests.billing.conftest import YEAR
from borough.revenues.tests.factories import make_account, make_dwelling

D = Decimal
PARAMETERS = {"financial_year": YEAR, "issued_on": "2026-03-02"}


def start(council, **parameters):
    return run_start(
        tenant=council, kind="revenues.annual_billing", parameters={**PARAMETERS, **parameters}, dispatch=False
    )


def test_every_liable_account_gets_one_bill_whose_plan_adds_up(tiny_council):
    run = run_execute(run=start(tiny_council["D"].tenant))
    assert run.status == Run.Status.SUCCEEDED, run.errors
    bills = {bill.account_id: bill for bill in Bill.objects.filter(run=run)}
    assert {pk: bills[account.pk].charge for pk, account in tiny_council.items()} == {
        "D": D("1950.00"),
        "A": D("1020.00"),  # (133.33 + 1000.00 + 166.67 + 60.00) less 25%
        "H": D("0.00"),  # exempt, class F
        "B": D("756.26"),  # 1,516.67 × 182/365
    }
    for bill in bills.values():
        assert sum((D(amount) for _due, amount in bill.instalments), D(0)) == bill.charge == bill.balance
        assert bill.number == f"{YEAR}/{bill.account.number}"
    d_bill = bills[tiny_council["D"].pk]
    assert d_bill.instalments[0] == ["2026-04-01", "195.00"] and len(d_bill.instalments) == 10
    assert bills[tiny_council["B"].pk].instalments[0][0] == "2026-10-01"  # not before liability starts
    assert bills[tiny_council["H"].pk].instalments == []
    assert d_bill.detail["liable"] == ["Dee Dee"]
    assert [a["authority"] for a in d_bill.detail["authorities"]] == ["Northfield DC", "Midshire CC", "Midshire Police"]
    assert d_bill.detail["authorities"][1] == {
        "authority": "Midshire CC",
        "kind": "county",
        "band_d": "1500.00",
        "band_amount": "1500.00",
    }
    assert run.result["bills"] == 4 and (run.succeeded_items, run.failed_items) == (4, 0)


def test_executing_again_or_a_second_run_bills_nobody_twice(tiny_council):
    council = tiny_council["D"].tenant
    run = run_execute(run=start(council))
    RunChunk.objects.filter(run=run).delete()  # as if the run was killed before its chunk was recorded
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, finished_at=None)
    run.refresh_from_db()
    run = run_execute(run=run)
    assert run.status == Run.Status.SUCCEEDED, run.errors
    second = run_execute(run=start(council))
    assert second.total_items == 0 and second.result["bills"] == 0
    assert Bill.objects.count() == 4


def test_an_account_billed_by_hand_after_the_run_began_keeps_its_bill(tiny_council):
    council = tiny_council["D"].tenant
    run = start(council)
    late = make_account(council, make_dwelling(council, band="C"), start=date(2020, 1, 1))
    run = run_execute(run=run)
    assert not Bill.objects.filter(account=late).exists()  # opened after the run began: the next run's
    first = run_execute(run=start(council))
    assert Bill.objects.get(account=late).run == first
    bill_amend(account=tiny_council["D"], financial_year=YEAR, issued_on=date(2026, 5, 1), reason="test")
    assert Bill.objects.filter(account=tiny_council["D"]).count() == 2


def test_dry_run_writes_nothing_and_reconciles_with_the_tax_base(tiny_council):
    run = run_execute(run=start(tiny_council["D"].tenant, dry_run="true"))
    assert run.status == Run.Status.SUCCEEDED, run.errors
    assert not Bill.objects.exists()
    totals = run.result["totals"]
    assert totals["accounts"] == 4 and totals["charge"] == "3726.26"
    assert totals["bands"] == {
        "A": {"accounts": 1, "charge": "1020.00"},
        "B": {"accounts": 1, "charge": "756.26"},
        "D": {"accounts": 1, "charge": "1950.00"},
        "H": {"accounts": 1, "charge": "0.00"},
    }
    assert (totals["discounts"], totals["exemptions"], totals["premiums"], totals["part_year"]) == (1, 1, 0, 1)
    council_tax = run.result["reconciliation"]["council_tax"]
    # Band D equivalents: D 1 + A 6/9 × 75% + H 0 + B 7/9 × 182/365 = 12403/6570 = 1.8878...
    assert council_tax["band_d_equivalents"] == "1.89"
    by_authority = {row["authority"]: row for row in council_tax["authorities"]}
    assert by_authority["Upton Parish"]["band_d_equivalents"] == "0.50"
    assert by_authority["Midshire CC"]["expected_yield"] == "2831.74"  # 12403/6570 × 1500 = 2831.735...
    # 12403/6570 × 1950 + 0.5 × 90 = 3726.2557 → 3726.26, charged 3726.26: no pennies apart here.
    assert (council_tax["expected_yield"], council_tax["charged"], council_tax["rounding"]) == (
        "3726.26",
        "3726.26",
        "0.00",
    )
    assert run.result["bills"] == 0


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"financial_year": "2026/27"}, "financial_year"),
        ({"financial_year": ""}, "financial_year"),
        ({"financial_year": "2031-32"}, "financial_year"),  # no parameters for that year
        ({"dry_run": "perhaps"}, "dry_run"),
        ({"first_instalment_date": "2025-04-01"}, "first_instalment_date"),
        ({"first_instalment_date": "1 April"}, "first_instalment_date"),
        ({"issued_on": "2027-04-01"}, "issued_on"),
        ({"colour": "blue"}, "parameters"),
    ],
)
def test_bad_parameters_are_refused_by_field(tiny_council, parameters, field):
    with pytest.raises(ValidationError) as caught:
        start(tiny_council["D"].tenant, **parameters)
    assert field in caught.value.message_dict
    assert not Run.objects.exists()


def test_no_band_d_amounts_for_the_year_is_refused(council):
    make_account(council, make_dwelling(council, band="D"), start=date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        start(council)
    assert "band D amounts" in caught.value.message_dict["financial_year"][0]


def test_chunks_cover_every_account_once(tiny_council, monkeypatch):
    monkeypatch.setattr(billing_runs, "CHUNK_SIZE", 3)
    run = run_execute(run=start(tiny_council["D"].tenant))
    assert RunChunk.objects.filter(run=run).count() == 2
    assert Bill.objects.filter(run=run).count() == 4


def test_a_business_rates_account_is_billed_and_reconciled(council, band_d):
    from borough.revenues.tests.reductions.helpers import make_business_account

    account = make_business_account(council, rateable_value=60000)
    run = run_execute(run=start(council))
    bill = Bill.objects.get(run=run, account=account)
    # 60,000 × 48.0p (standard multiplier, 2026-27) = £28,800.00, no reliefs.
    assert bill.charge == D("28800.00") and sum(D(a) for _d, a in bill.instalments) == bill.charge
    assert bill.detail["property"]["rateable_value"] == "60000" and bill.detail["authorities"] == []
    assert bill.detail["pieces"][0]["rateable_value"] == "60000"
    rates = run.result["reconciliation"]["business_rates"]
    assert (rates["gross_expected"], rates["reliefs"], rates["charged"], rates["rounding"]) == (
        "28800.00",
        "0.00",
        "28800.00",
        "0.00",
    )
