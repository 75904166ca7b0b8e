"""An ARUDD report is imported once: kept as a BacsReport (kind "arudd") with an item per returned debit, applied
or kept for review with why (unknown reference, no such payment, amount differs); the same file is refused with
nothing changed; the report pages show it and an officer resolves what was kept."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from borough.core.models import AuditEvent
from borough.revenues.models import BacsReport, BacsReportItem, DirectDebitMandate, LedgerEntry, RevenuesSettings
from borough.revenues.payments.arudd import arudd_import
from borough.revenues.payments.collections import collection_file_create
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill
from borough.revenues.tests.payments.test_direct_debit import arudd_report, lodged
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
BASE = "/staff/revenues/payments/"
Status = BacsReportItem.Status


@pytest.fixture
def bacs_council(council):
    RevenuesSettings.objects.create(
        tenant=council, bacs_service_user_number="123456", bacs_sort_code="401234", bacs_account_number="87654321"
    )
    return council


@pytest.fixture
def collected(bacs_council):
    """Three accounts, each collected £100.00 for 1 April (processing day 31 March); one without a mandate now."""
    refer, closed, other = (make_account(bacs_council) for _ in range(3))
    for account in (refer, closed, other):
        make_bill(account, charge="1000.00")
    lodged(bacs_council, refer, closed, other)
    collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1))
    return refer, closed, other


def test_each_return_is_an_item_applied_or_kept_with_why(bacs_council, collected):
    refer, closed, other = collected
    content = arudd_report(
        [
            (refer.number, "0", "100.00", "2026-03-31"),
            (closed.number, "B", "100.00", "2026-03-31"),
            ("NFD-999999", "0", "5.00", "2026-03-31"),
            (other.number, "0", "100.00", "2026-02-27"),
            (other.number, "0", "99.00", "2026-03-31"),
        ]
    )
    result = arudd_import(tenant=bacs_council, content=content, name="arudd  0408.xml")
    report = result.report
    assert (report.kind, report.name, report.report_date) == ("arudd", "arudd 0408.xml", date(2026, 4, 8))
    assert (report.items_total, report.items_applied, report.items_kept) == (5, 2, 3)
    items = list(report.items.order_by("position"))
    assert [(i.position, i.status, i.reason_code) for i in items] == [
        (1, Status.APPLIED, "0"), (2, Status.APPLIED, "B"), (3, Status.REVIEW, "0"),
        (4, Status.REVIEW, "0"), (5, Status.REVIEW, "0"),
    ]  # fmt: skip
    reversals = {e.account_id: e for e in LedgerEntry.objects.filter(kind="reversal")}
    assert set(reversals) == {refer.pk, closed.pk}
    assert items[0].entry == reversals[refer.pk] and items[0].account == refer and not items[0].follow_up
    assert items[0].outcome == (
        "Reversed: £100.00 collected on 2026-03-31, returned (refer to payer); the next collection file re-presents it"
    )
    assert items[1].outcome == (
        f"Reversed: £100.00 collected on 2026-03-31, returned (account closed); direct debit {closed.number} ended"
    )
    assert items[1].follow_up and items[1].mandate.status == DirectDebitMandate.Status.REJECTED
    assert items[2].outcome == "Unknown reference: no direct debit has the reference NFD-999999"
    assert items[2].account is None
    assert items[3].outcome == f"No such payment: no collection from {other.number} on 2026-02-27"
    assert items[4].outcome == (
        f"Amount differs: {other.number} was collected £100.00 on 2026-03-31, the report returns £99.00"
    )
    assert items[3].account == other and items[4].account == other
    assert items[4].values == {
        "payer_name": "PAYER", "amount": "99.00", "reason": "Refer to payer", "original_processing_date": "2026-03-31",
    }  # fmt: skip
    assert "<ReturnedDebitItem" in items[4].raw and 'valueOf="99.00"' in items[4].raw
    audit = AuditEvent.objects.get(action="revenues.arudd_import")
    assert audit.object_id == str(report.pk) and audit.changes["reversed"] == [None, 2]


def test_the_same_file_is_refused_and_nothing_changes(bacs_council, collected):
    refer, _closed, _other = collected
    content = arudd_report([(refer.number, "0", "100.00", "2026-03-31")])
    arudd_import(tenant=bacs_council, content=content, name="first.xml")
    with pytest.raises(ValidationError) as error:
        arudd_import(tenant=bacs_council, content=content, name="again.xml")
    assert error.value.message_dict["file"][0].startswith("This report was imported already, as first.xml on ")
    assert BacsReport.objects.count() == 1 and BacsReportItem.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    # Another file returning the same collection is recorded, and reverses nothing twice.
    other = arudd_import(tenant=bacs_council, content=arudd_report([(refer.number, "0", "100.00", "2026-03-31")],
                                                                   current="2026-04-09"))  # fmt: skip
    item = other.report.items.get()
    assert item.status == Status.APPLIED and item.outcome.startswith("Already reversed (by an earlier report)")
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_an_unreadable_or_empty_report_records_nothing(bacs_council):
    for content, message in ((b"", "The file is empty"), (b"<nope", "not well-formed")):
        with pytest.raises(ValidationError) as error:
            arudd_import(tenant=bacs_council, content=content)
        assert message in error.value.message_dict["file"][0]
    assert not BacsReport.objects.exists()


def test_one_councils_report_is_not_anothers(bacs_council, collected, tenant_b):
    refer, _closed, _other = collected
    content = arudd_report([(refer.number, "0", "100.00", "2026-03-31")])
    arudd_import(tenant=bacs_council, content=content)
    with tenant_scope(tenant_b):
        result = arudd_import(tenant=tenant_b, content=content)  # the same bytes: not refused for another council
        assert result.report.items.get().status == Status.REVIEW and not result.reversed
        assert BacsReport.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1 and BacsReport.objects.count() == 1


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_the_report_pages_show_it_and_an_officer_resolves_what_was_kept(bacs_council, collected, officer):
    refer, _closed, other = collected
    content = arudd_report([(refer.number, "0", "100.00", "2026-03-31"), (other.number, "0", "1.00", "2026-03-31")])
    response = officer.post(f"{BASE}bacs/", {"file": SimpleUploadedFile("arudd.xml", content)})
    report = BacsReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}reports/{report.pk}/"
    page = officer.get(response["Location"]).content.decode()
    assert "ARUDD (returned direct debits)" in page and "Returned item 2" in page
    assert "Amount differs" in page and "£1.00, collected on 2026-03-31" in page
    assert "1 collection(s) reversed" in page
    from borough.revenues.tests.web.test_page_structure import problems

    assert problems(officer.get(response["Location"])) == [] and problems(officer.get(f"{BASE}reports/")) == []
    again = officer.post(f"{BASE}reports/", {"kind": "arudd", "file": SimpleUploadedFile("copy.xml", content)})
    assert again.status_code == 400 and "This report was imported already, as arudd.xml" in again.content.decode()
    listing = officer.get(f"{BASE}reports/").content.decode()
    assert "arudd.xml" in listing and "ARUDD (returned direct debits)" in listing
    kept = report.items.get(status=Status.REVIEW)
    done = officer.post(f"{BASE}reports/items/{kept.pk}/resolve", {"note": "Payer paid the difference by card"})
    assert done.status_code == 302
    kept.refresh_from_db()
    assert (kept.status, kept.note) == (Status.RESOLVED, "Payer paid the difference by card")


def test_the_reports_page_imports_an_arudd_report(bacs_council, collected, officer):
    refer, _closed, _other = collected
    content = arudd_report([(refer.number, "0", "100.00", "2026-03-31")])
    response = officer.post(f"{BASE}reports/", {"kind": "arudd", "file": SimpleUploadedFile("a.xml", content)})
    report = BacsReport.objects.get(kind="arudd")
    assert response.status_code == 302 and response["Location"] == f"{BASE}reports/{report.pk}/"
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_the_command_refuses_the_same_file(bacs_council, collected, tmp_path):
    refer, _closed, _other = collected
    path = tmp_path / "arudd.xml"
    path.write_bytes(arudd_report([(refer.number, "0", "100.00", "2026-03-31"), ("NFD-999999", "0", "5.00", "")]))

    def run():
        out, err = StringIO(), StringIO()
        try:
            call_command("revenues_payments_arudd", "--tenant", bacs_council.slug, str(path), stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    code, out, _err = run()
    assert code == 1 and "1 reversed" in out and "no collection matches: NFD-999999 £5.00" in out
    assert BacsReport.objects.get().name == "arudd.xml"
    code, _out, err = run()
    assert code == 2 and "imported already" in err
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
