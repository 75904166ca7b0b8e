""" "Why is my bill this amount", in plain words: a discount, a part year, an amended bill, a premium, a band
change, an exemption, business rates."""

from datetime import date
from decimal import Decimal

import pytest

from borough.revenues.documents.explanation import bill_explanation
from borough.revenues.models import Bill
from borough.revenues.tests.documents.bills import FULL_YEAR, make_bill, piece
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_a_discount(billing_council):
    account = make_account(billing_council)
    # Band C: 8/9 of each authority's band D; 75% of £2,017.78 is £1,513.335, which billing rounds to the penny.
    bill = make_bill(account, [piece(*FULL_YEAR, "C", annual=Decimal("1513.34"),
                                     notes=["Single person discount (25%)"])])  # fmt: skip
    assert bill_explanation(bill) == [
        "Your home is in valuation band C.",
        "For a whole year in band C, the council tax of all the authorities together is £2,017.78.",
        "Single person discount (25%) applies. That makes the charge £1,513.34 a year instead of £2,017.78.",
        "Your council tax for the year is £1,513.34.",
        "You pay in 10 monthly instalments: £154.34 on 1 April 2026, then 9 of £151.00 on the 1st of each month "
        "until 1 January 2027.",
    ]


def test_a_part_year(billing_council):
    account = make_account(billing_council, start=date(2026, 10, 1))
    bill = make_bill(account, [piece(date(2026, 10, 1), date(2027, 3, 31), "D")], first_due=date(2026, 10, 15),
                     instalments=6)  # fmt: skip
    lines = bill_explanation(bill)
    assert lines[2] == (
        "You are liable for 182 of the 365 days of the year, from 1 October 2026 to 31 March 2027. "
        "You pay only for those days."
    )
    assert lines[3] == "Your council tax for the year is £1,131.89."  # £2,270.00 × 182 / 365
    assert lines[4] == (  # £1,131.89 / 6 = £188.65: five of £189.00, the first takes the rest
        "You pay in 6 monthly instalments: £186.89 on 15 October 2026, then 5 of £189.00 on the 15th of each month "
        "until 15 March 2027."
    )


def test_an_amended_bill_after_a_discount_with_something_already_paid(billing_council):
    account = make_account(billing_council)
    first = make_bill(account, [piece(*FULL_YEAR, "D")])
    Bill.objects.filter(pk=first.pk).update(superseded_on=date(2026, 7, 14))
    amended = make_bill(
        account,
        [
            piece(date(2026, 4, 1), date(2026, 6, 30), "D"),
            piece(
                date(2026, 7, 1),
                date(2027, 3, 31),
                "D",
                annual=Decimal("1702.50"),
                notes=["Single person discount (25%)"],
            ),
        ],  # fmt: skip
        kind=Bill.Kind.AMENDED,
        issued_on=date(2026, 7, 14),
        credited=Decimal("681.00"),
        first_due=date(2026, 8, 1),
        instalments=8,
        detail={"reason": "A single person discount from 1 July 2026"},
    )
    Bill.objects.filter(pk=first.pk).update(superseded_by=amended)
    lines = bill_explanation(amended)
    assert "From 1 April 2026 to 30 June 2026, the charge for a whole year is £2,270.00." in lines
    assert (
        "From 1 July 2026 to 31 March 2027, single person discount (25%) applies. "
        "That makes the charge £1,702.50 a year instead of £2,270.00." in lines
    )
    reason = "because a single person discount from 1 July 2026."
    assert f"This bill replaces bill {first.number} of 9 March 2026 {reason}" in lines
    # 91 days at £2,270.00 a year (£565.95) and 274 days at £1,702.50 (£1,278.04).
    assert "The charge for the year has gone down from £2,270.00 to £1,843.99." in lines
    assert "You have already paid £681.00 towards this year, so £1,162.99 is left to pay." in lines


def test_an_amended_bill_that_leaves_a_credit(billing_council):
    account = make_account(billing_council)
    bill = make_bill(account, [piece(date(2026, 4, 1), date(2026, 5, 31), "D")], kind=Bill.Kind.AMENDED,
                     credited=Decimal("500.00"))  # fmt: skip
    assert bill_explanation(bill)[-1] == (  # 61 days of £2,270.00 a year: £379.37
        "You have paid £500.00, which is £120.63 more than the charge. We owe you £120.63: contact us to have it "
        "paid back to you."
    )


def test_a_premium(billing_council):
    account = make_account(billing_council)
    bill = make_bill(account, [piece(*FULL_YEAR, "D", annual=Decimal("4540.00"),
                                     notes=["Long-term empty premium (100%)"])])  # fmt: skip
    assert (
        "Long-term empty premium (100%) applies. That makes the charge £4,540.00 a year rather than £2,270.00."
        in bill_explanation(bill)
    )


def test_a_band_change_and_an_exemption(billing_council):
    account = make_account(billing_council)
    bill = make_bill(
        account,
        [
            piece(date(2026, 4, 1), date(2026, 8, 31), "C"),
            piece(
                date(2026, 9, 1),
                date(2027, 3, 31),
                "D",
                annual=Decimal("0.00"),
                notes=["Exempt, class F (left empty after a death)"],
            ),
        ],  # fmt: skip
    )
    lines = bill_explanation(bill)
    assert lines[0] == (
        "Your home's valuation band changed during the year: band C from 1 April 2026 and band D from 1 September 2026."
    )
    assert (
        "From 1 September 2026 to 31 March 2027, exempt, class F (left empty after a death) applies, "
        "so there is nothing to pay for that time." in lines
    )


def test_several_things_at_once_read_as_one_list(billing_council):
    account = make_account(billing_council)
    bill = make_bill(account, [piece(*FULL_YEAR, "D", annual=Decimal("1000.00"),
                                     notes=["Single person discount (25%)", "Disabled band reduction",
                                            "Council tax reduction £300.00"])])  # fmt: skip
    lines = bill_explanation(bill)
    assert (
        "Single person discount (25%) and disabled band reduction apply. That makes the charge £1,000.00 a year "
        "instead of £2,270.00." in lines
    )
    assert "Council tax reduction takes £300.00 off." in lines
    assert not any("s." in line.split()[0] or "Sch" in line or "reg." in line for line in lines)  # no citations
