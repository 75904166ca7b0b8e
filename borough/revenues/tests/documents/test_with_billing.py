"""The documents on bills that billing itself wrote (borough.revenues.billing.services), not on hand-made ones:
an annual bill, then a single person discount from mid-year that amends it."""

from datetime import date

import pytest

from borough.revenues.billing.services import bill_issue
from borough.revenues.documents.bills import bill_pdf
from borough.revenues.documents.explanation import bill_explanation
from borough.revenues.models import Bill
from borough.revenues.services.reductions import reduction_add
from borough.revenues.tests.documents.pdftext import pdf_text
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_an_annual_bill_and_its_amendment_as_billing_writes_them(billing_council):
    account = make_account(billing_council, names=("Ann Example",))
    annual = bill_issue(account=account, financial_year="2026-27", issued_on=date(2026, 3, 9))
    text = pdf_text(bill_pdf(annual))
    assert "Valuation band Band D" in text and "Amount to pay £2,270.00" in text
    assert "Midshire County Council adult social care (adult social care precept) £80.00 £100.00 +25.0%" in text
    assert "Your home is in valuation band D." in bill_explanation(annual)

    reduction_add(account=account, kind="discount", code="single_person", start=date(2026, 7, 1),
                  reason="Lives alone")  # fmt: skip
    amended = Bill.objects.get(account=account, financial_year="2026-27", superseded_on__isnull=True)
    assert amended.kind == Bill.Kind.AMENDED
    lines = bill_explanation(amended)
    assert any(line.startswith(f"This bill replaces bill {annual.number} of 9 March 2026 because ") for line in lines)
    assert any(line.startswith("From 1 July 2026 to 31 March 2027, single person discount") for line in lines)
    assert "The charge for the year has gone down from £2,270.00 to £1,843.99." in lines
    text = pdf_text(bill_pdf(amended))
    assert "Amended council tax bill 2026-27" in text and f"This bill replaces bill {annual.number}" in text
    assert f"The charge for the year was £2,270.00 and is now £{amended.charge:,}" in text
