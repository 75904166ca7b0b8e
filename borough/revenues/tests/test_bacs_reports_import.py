"""ADDACS and AUDDIS reports applied to mandates: each reason code's effect, advices kept for review with their
reason, the same report refused twice, follow-up resolved by an officer; the command and the staff pages."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from borough.core.models import AuditEvent
from borough.revenues.models import BacsReport, BacsReportItem, DirectDebitMandate, RevenuesSettings
from borough.revenues.payments.direct_debit import auddis_file_create, mandate_cancel, mandate_create
from borough.revenues.payments.mandate_reports import bacs_report_import, bacs_report_item_resolve
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.test_bacs_reports import advice, report_xml

pytestmark = pytest.mark.django_db
Status = DirectDebitMandate.Status
REPORTS = "/staff/revenues/payments/reports/"


@pytest.fixture
def settings_row(council):
    return RevenuesSettings.objects.create(
        tenant=council, bacs_service_user_number="123456", bacs_sort_code="200000", bacs_account_number="11112222"
    )


def lodged(council, number_of=1, **values):
    """`number_of` accounts, each with a mandate lodged by an AUDDIS file."""
    mandates = []
    for _ in range(number_of):
        account = make_account(council)
        mandates.append(
            mandate_create(
                account=account, payer_name="A EXAMPLE", sort_code="309430", account_number="12345678", **values
            )
        )
    auddis_file_create(tenant=council, processing_day=date(2026, 4, 1))
    return [DirectDebitMandate.objects.get(pk=m.pk) for m in mandates]


def imported(council, *advices, kind="addacs", name="addacs.xml"):
    return bacs_report_import(tenant=council, kind=kind, name=name, content=report_xml(*advices))


@pytest.mark.parametrize("code", ["0", "1", "2", "B", "C"])
def test_addacs_codes_that_end_the_instruction(council, settings_row, code):
    (mandate,) = lodged(council)
    report = imported(council, advice(mandate.reference, code))
    mandate.refresh_from_db()
    assert mandate.status == Status.REJECTED and mandate.cancelled_on == date(2026, 5, 3)
    assert mandate.cancel_reason.startswith(f"ADDACS {code}:")
    item = report.items.get()
    assert (item.status, item.follow_up, item.mandate, item.account) == (
        BacsReportItem.Status.APPLIED, True, mandate, mandate.account,
    )  # fmt: skip
    assert (report.items_applied, report.items_kept) == (1, 0)
    assert AuditEvent.objects.filter(action="revenues.mandate_end_by_bank", object_id=str(mandate.account_id)).exists()
    # The bank ended it: no 0C goes back to it.
    assert auddis_file_create(tenant=council, processing_day=date(2026, 5, 6)) is None


@pytest.mark.parametrize("code", ["3", "C", "E"])
def test_addacs_new_details_amend_the_mandate_which_stays_live(council, settings_row, code):
    (mandate,) = lodged(council)
    new = {"payer-new-sort-code": "20-00-00", "payer-new-account-number": "87654321"}
    report = imported(council, advice(mandate.reference, code, **new))
    mandate.refresh_from_db()
    assert (mandate.status, mandate.sort_code, mandate.account_number) == (Status.LODGED, "200000", "87654321")
    (change,) = mandate.amendments
    assert change["code"] == code and change["before"]["sort_code"] == "309430"
    assert change["before"]["account"] == "****5678" and change["after"]["account"] == "****4321"
    assert "sort code, account changed" in report.items.get().outcome
    assert auddis_file_create(tenant=council, processing_day=date(2026, 5, 6)) is None  # no 0C to the old bank


def test_addacs_d_leaves_the_mandate_and_asks_for_follow_up(council, settings_row):
    (mandate,) = lodged(council)
    item = imported(council, advice(mandate.reference, "D")).items.get()
    mandate.refresh_from_db()
    assert mandate.status == Status.LODGED and item.follow_up and "unchanged" in item.outcome


def test_addacs_r_reinstates_an_ended_mandate(council, settings_row):
    (mandate,) = lodged(council)
    imported(council, advice(mandate.reference, "1"))
    item = imported(council, advice(mandate.reference, "R", **{"effective-date": "2026-05-20"}), name="r.xml")
    mandate.refresh_from_db()
    assert mandate.status == Status.ACTIVE and mandate.cancel_reason == "" and mandate.amendments[-1]["code"] == "R"
    assert item.items.get().status == BacsReportItem.Status.APPLIED


def test_r_is_kept_when_the_account_has_another_live_mandate(council, settings_row):
    (mandate,) = lodged(council)
    imported(council, advice(mandate.reference, "1"))
    mandate_create(
        account=mandate.account, payer_name="A EXAMPLE", sort_code="309430", account_number="12345678",
        reference="NEWREF01",
    )  # fmt: skip
    item = imported(council, advice(mandate.reference, "R"), name="r.xml").items.get()
    assert item.status == BacsReportItem.Status.REVIEW and "another live direct debit" in item.outcome
    mandate.refresh_from_db()
    assert mandate.status == Status.REJECTED


def test_auddis_rejection_marks_the_mandate_rejected(council, settings_row):
    (mandate,) = lodged(council)
    report = imported(council, advice(mandate.reference, "L", **{"transaction-code": "0N"}), kind="auddis")
    mandate.refresh_from_db()
    assert mandate.status == Status.REJECTED and mandate.cancel_reason.startswith("AUDDIS L:")
    assert report.items.get().follow_up
    assert AuditEvent.objects.filter(action="revenues.mandate_reject_by_bank").count() == 1


def test_auddis_rejecting_a_cancellation_leaves_it_cancelled(council, settings_row):
    (mandate,) = lodged(council)
    mandate_cancel(mandate=mandate, reason="Payer asked")
    item = imported(council, advice(mandate.reference, "6", **{"transaction-code": "0C"}), kind="auddis").items.get()
    assert item.status == BacsReportItem.Status.APPLIED and not item.follow_up and "stays ended" in item.outcome


def test_unmatched_and_unreadable_advices_are_kept_with_their_reason(council, settings_row):
    first, second = lodged(council, number_of=2)
    imported_report = imported(
        council,
        advice("NOBODY01", "0"),
        advice(first.reference, "0", **{"payer-account-number": "99999999"}),
        advice(second.reference, "Z"),
        advice(second.reference, "0"),
    )
    items = {item.position: item for item in imported_report.items.all()}
    assert "No direct debit has the reference NOBODY01" in items[1].outcome
    assert "bank details in the advice are not those" in items[2].outcome
    assert "Reason code Z is not one ADDACS uses" in items[3].outcome
    assert [items[n].status for n in (1, 2, 3, 4)] == ["review", "review", "review", "applied"]
    assert items[2].account == first.account  # shown on the account's page too
    assert (imported_report.items_total, imported_report.items_applied, imported_report.items_kept) == (4, 1, 3)
    first.refresh_from_db()
    assert first.status == Status.LODGED
    # An advice for a mandate ended already is kept, not applied twice.
    again = imported(council, advice(second.reference, "1"), name="later.xml").items.get()
    assert again.status == "review" and "is rejected by the payer's bank" in again.outcome


def test_the_same_report_twice_is_refused_and_nothing_changes(council, settings_row):
    (mandate,) = lodged(council)
    imported(council, advice(mandate.reference, "0"))
    with pytest.raises(ValidationError) as refused:
        imported(council, advice(mandate.reference, "0"), name="copy.xml")
    assert "imported already, as addacs.xml" in refused.value.message_dict["file"][0]
    assert BacsReport.objects.count() == 1 and BacsReportItem.objects.count() == 1


def test_an_unreadable_report_is_refused_on_file(council, settings_row):
    with pytest.raises(ValidationError) as refused:
        bacs_report_import(tenant=council, kind="addacs", name="x.xml", content=b"not xml")
    assert "not well-formed XML" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as wrong:
        bacs_report_import(tenant=council, kind="addacs", name="x.xml", content=report_xml(user_number="654321"))
    assert "not this council's 123456" in wrong.value.message_dict["file"][0]
    assert not BacsReport.objects.exists()


def test_resolving_an_advice_needs_a_note_and_happens_once(council, settings_row):
    (mandate,) = lodged(council)
    item = imported(council, advice(mandate.reference, "2")).items.get()
    with pytest.raises(ValidationError) as no_note:
        bacs_report_item_resolve(item=item, note="  ")
    assert no_note.value.message_dict == {"note": ["Say what was done"]}
    done = bacs_report_item_resolve(item=item, note="Wrote to the executor")
    assert (done.status, done.follow_up, done.note) == ("applied", False, "Wrote to the executor")
    with pytest.raises(ValidationError, match="dealt with already"):
        bacs_report_item_resolve(item=item, note="Again")


def test_command_exit_codes(council, settings_row, tmp_path):
    (mandate,) = lodged(council)
    path = tmp_path / "addacs.xml"
    path.write_bytes(report_xml(advice(mandate.reference, "B"), advice("NOBODY01", "0")))
    with pytest.raises(SystemExit) as kept:
        call_command("revenues_payments_addacs", tenant=council.slug, file=str(path))
    assert kept.value.code == 1
    mandate.refresh_from_db()
    assert mandate.status == Status.REJECTED
    with pytest.raises(SystemExit) as refused:
        call_command("revenues_payments_addacs", tenant=council.slug, file=str(path))
    assert refused.value.code == 2
    auddis = tmp_path / "auddis.xml"
    (other,) = lodged(council)
    auddis.write_bytes(report_xml(advice(other.reference, "5")))
    call_command("revenues_payments_addacs", tenant=council.slug, file=str(auddis), kind="auddis")
    other.refresh_from_db()
    assert other.status == Status.REJECTED and BacsReport.objects.filter(kind="auddis").count() == 1


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_upload_review_and_resolve_pages(council, settings_row, officer):
    (mandate,) = lodged(council)
    content = report_xml(advice(mandate.reference, "2"), advice("NOBODY01", "0"))
    response = officer.post(REPORTS, {"kind": "addacs", "file": SimpleUploadedFile("addacs.xml", content)})
    report = BacsReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{REPORTS}{report.pk}/"
    page = officer.get(response["Location"]).content.decode()
    assert "1 advice applied, 1 kept for review" in page and "No direct debit has the reference NOBODY01" in page
    account_page = officer.get(f"/staff/revenues/accounts/{mandate.account.number}/").content.decode()
    assert "bank reported on this account" in account_page and "ended (payer deceased)" in account_page
    kept = report.items.get(status="review")
    bad = officer.post(f"{REPORTS}items/{kept.pk}/resolve", {"note": ""})
    assert bad.status_code == 400 and "Say what was done" in bad.content.decode()
    assert officer.post(f"{REPORTS}items/{kept.pk}/resolve", {"note": "Not ours"}).status_code == 302
    kept.refresh_from_db()
    assert kept.status == "resolved"
    again = officer.post(REPORTS, {"kind": "addacs", "file": SimpleUploadedFile("copy.xml", content)})
    assert again.status_code == 400 and "imported already" in again.content.decode()
    listing = officer.get(REPORTS).content.decode()
    assert "addacs.xml" in listing and "1 waiting" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "addacs"}, "Choose the report file"),
        ({"file": b"<x/>"}, "Choose which report it is"),
        ({"kind": "addacs", "file": b"\x00\x01"}, "not well-formed XML"),
    ],
)
def test_a_bad_upload_is_a_form_error(council, settings_row, officer, data, message):
    if "file" in data:
        data["file"] = SimpleUploadedFile("r.xml", data["file"])
    response = officer.post(REPORTS, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert "There is a problem" in response.content.decode() and not BacsReport.objects.exists()


def test_another_role_is_refused(council, make_staff, client_for):
    clerk = client_for(council, make_staff(council, roles=("crm.agent",)))
    assert clerk.get(REPORTS).status_code == 403


def test_the_report_pages_are_structured(council, settings_row, officer):
    from borough.revenues.tests.web.test_page_structure import problems

    (mandate,) = lodged(council)
    assert problems(officer.get(REPORTS)) == []
    assert problems(officer.post(REPORTS, {})) == []
    report = imported(council, advice(mandate.reference, "0"), advice("NOBODY01", "0"))
    assert problems(officer.get(f"{REPORTS}{report.pk}/")) == []
    item = report.items.get(status="review")
    response = officer.post(f"{REPORTS}items/{item.pk}/resolve", {"note": ""})
    assert response.status_code == 400 and problems(response) == []
