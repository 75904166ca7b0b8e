"""Bills as PDFs: what the Council Tax (Demand Notices) (England) Regulations 2011, Sch. 1, ask a bill to show,
read back from the PDF itself; a business rates bill; an amended bill; the PDF is tagged for screen readers."""

from datetime import date
from decimal import Decimal

import pytest

from borough.revenues.documents.bills import bill_document, bill_pdf
from borough.revenues.documents.explanation import bill_explanation
from borough.revenues.documents.render import pdf_of
from borough.revenues.models import Bill
from borough.revenues.services import account_open, hereditament_save
from borough.revenues.tests.documents.bills import FULL_YEAR, band_total, make_bill, piece
from borough.revenues.tests.documents.pdftext import pdf_objects, pdf_pages, pdf_text
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def single_person_bill(billing_council):
    account = make_account(billing_council, names=("Ann Example",))
    annual = band_total("D") * Decimal("0.75")
    return make_bill(account, [piece(*FULL_YEAR, "D", annual=annual, notes=["Single person discount (25%)"])])


def test_a_council_tax_bill_shows_what_the_regulations_ask(single_person_bill):
    bill = single_person_bill
    text = pdf_text(bill_pdf(bill))
    # Sch. 1 paras 2-6: the person, the date of issue, the period, the dwelling's address, its band.
    assert "Ann Example" in text and "Date of issue" in text and "9 March 2026" in text
    assert "issued on 9 March 2026" in text and "for the period 1 April 2026 to 31 March 2027" in text
    assert bill.account.dwelling.address in text and "Valuation band Band D" in text
    # Paras 7-10 and 13: each authority's amount for the band, and its band D now and last year with the change.
    assert "Northfield District Council £240.00 £250.00 +4.2% £250.00" in text
    assert "Midshire Police and Crime Commissioner £266.00 £280.00 +5.3% £280.00" in text
    # The adult social care precept on a line of its own, with its change.
    assert "Midshire County Council adult social care (adult social care precept) £80.00 £100.00 +25.0% £100.00" in text
    assert "Total £2,166.00 £2,270.00 +4.8% £2,270.00" in text
    # Paras 18-21: the discount applied, and the duty to tell us of changes (the penalty).
    assert "Single person discount (25%) £1,702.50 £1,702.50" in text
    assert "you must tell us within 21 days" in text and "penalty of £70" in text
    # Paras 22-24: the amount to pay and the instalments.
    assert "Amount to pay £1,702.50" in text
    assert "1 April 2026 £172.50" in text and "1 January 2027 £170.00" in text
    # How to pay, how to appeal, the explanatory notes, where the spending information is, and who to contact.
    assert "How to pay" in text and "Direct Debit" in text and "quote your account number NOR-" in text
    assert "Valuation Office Agency" in text and "Valuation Tribunal" in text
    assert "Paying in 12 instalments" in text and "1 April 1991" in text
    assert "Telephone 01234 567890" in text and "Market Square" in text
    # And why the bill is this amount, in the same words as the web pages.
    for line in bill_explanation(bill):
        assert line in text


def test_the_pdf_is_a4_tagged_for_screen_readers_and_numbers_its_pages(single_person_bill):
    pdf = bill_pdf(single_person_bill)
    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    # The objects' dictionaries, most of them inside compressed object streams.
    heads = " ".join(head for head, _data in pdf_objects(pdf).values())
    assert heads.count("/MediaBox [0 0 595.275591 841.889764]") == len(pages)  # A4, in points
    # PDF/UA-1: a structure tree, the language, the title shown, and the claim in the metadata.
    assert "/StructTreeRoot" in heads and "/Lang (en-GB)" in heads and "/DisplayDocTitle true" in heads
    metadata = b"".join(data for head, data in pdf_objects(pdf).values() if "/Type /Metadata" in head)
    assert b'pdfuaid:part="1"' in metadata and b"<dc:title>" in metadata


def test_the_explanatory_notes_are_a_page_of_their_own_laid_out_once_for_every_bill(billing_council):
    bills = [make_bill(make_account(billing_council), [piece(*FULL_YEAR, band)]) for band in "AD"]
    first, second = (bill_document(bill) for bill in bills)
    assert first.pages[-1] is second.pages[-1]
    pages = pdf_pages(pdf_of([first, second]))
    own = len(first.pages)
    assert pages[own - 1].startswith("Explanatory notes Valuation bands") and "Valuation bands" not in pages[own - 2]
    assert pages[own - 1].endswith(f"Explanatory notes Page {own} of {own}") and pages[-1] == pages[own - 1]
    assert bills[1].number in pages[own] and "Band D" in pages[own]


def test_a_bill_goes_to_the_correspondence_address_when_there_is_one(billing_council):
    account = make_account(billing_council, names=("Ann Example", "Bob Example"))
    account.correspondence_address = "Flat 2\n9 Far Road\nElsewhere\nEL1 9ZZ"
    account.save(update_fields=["correspondence_address"])
    text = pdf_pages(bill_pdf(make_bill(account, [piece(*FULL_YEAR, "D")])))[0]
    assert "Ann Example Bob Example Flat 2 9 Far Road Elsewhere EL1 9ZZ" in text


def test_an_amended_bill_shows_what_changed_and_the_credit(billing_council):
    account = make_account(billing_council)
    first = make_bill(account, [piece(*FULL_YEAR, "D")])
    amended_pieces = [
        piece(date(2026, 4, 1), date(2026, 6, 30), "D"),
        piece(date(2026, 7, 1), date(2027, 3, 31), "D", annual=band_total("D") * Decimal("0.75"),
              notes=["Single person discount (25%)"]),
    ]  # fmt: skip
    Bill.objects.filter(pk=first.pk).update(superseded_on=date(2026, 7, 14))
    amended = make_bill(
        account,
        amended_pieces,
        kind=Bill.Kind.AMENDED,
        issued_on=date(2026, 7, 14),
        credited=Decimal("681.00"),
        first_due=date(2026, 8, 1),
        instalments=8,
        detail={"reason": "A single person discount from 1 July 2026"},
    )
    Bill.objects.filter(pk=first.pk).update(superseded_by=amended)
    text = pdf_text(bill_pdf(amended))
    assert "Amended council tax bill 2026-27" in text
    assert f"This bill replaces bill {first.number} issued on 9 March 2026" in text
    assert "Reason: A single person discount from 1 July 2026." in text
    assert f"The charge for the year was £2,270.00 and is now {_gbp(amended.charge)}" in text
    assert "Already paid or credited (taken off) £681.00" in text
    assert f"Amount to pay {_gbp(amended.balance)}" in text
    assert "1 April 2026 to 30 June 2026 91 D None" in text and "1 July 2026 to 31 March 2027 274 D" in text


def test_a_credit_is_shown_as_owed_back(billing_council):
    account = make_account(billing_council)
    bill = make_bill(account, [piece(date(2026, 4, 1), date(2026, 5, 31), "D")], credited=Decimal("1000.00"))
    text = pdf_text(bill_pdf(bill))
    owed = _gbp(Decimal("1000.00") - bill.charge)
    assert f"We owe you (a credit) {owed}" in text and "Your instalments" not in text


def test_a_business_rates_bill_shows_the_value_multiplier_and_reliefs(billing_council):
    hereditament_save(
        tenant=billing_council,
        values={
            "voa_reference": "BR0001",
            "address_line_1": "3 Market Street",
            "town": "Northfield",
            "postcode": "NF1 3CD",
            "description": "Shop and premises",
            "rateable_value": 14000,
            "value_effective_from": date(2026, 4, 1),
            "retail_hospitality_leisure": True,
        },
    )
    from borough.revenues.models import Hereditament

    shop = Hereditament.objects.get(voa_reference="BR0001")
    account = account_open(tenant=billing_council, hereditament=shop, parties=[{"name": "Corner Shop Ltd"}],
                           start=date(2026, 4, 1))  # fmt: skip
    rates_piece = {
        "start": "2026-04-01", "end": "2027-03-31", "days": 365, "rateable_value": "14000", "authorities": [],
        "annual": "1337.00", "charge": "1337.00", "notes": ["Rateable value £14,000", "Small business rate relief"],
        "reliefs": [{"name": "Small business rate relief", "amount": "4011.00"}],
    }  # fmt: skip
    bill = make_bill(account, [rates_piece])
    text = pdf_text(bill_pdf(bill))
    assert "Business rates bill 2026-27" in text and "Corner Shop Ltd" in text
    assert "Rateable value £14,000" in text and "Small business rate relief £4,011.00" in text
    assert "small business retail, hospitality and leisure multiplier of 38.2p" in text.lower() or "38.2p" in text
    assert "£5,348.00 for a whole year before any relief" in text  # 14,000 × 38.2p
    assert "Your business rates for the year are £1,337.00." in text
    assert "check, challenge and appeal" in text


def _gbp(amount: Decimal) -> str:
    return f"£{amount:,.2f}"
