from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import Run
from borough.core.runs import run_execute, run_start
from borough.revenues.models import BacsFile, DirectDebitMandate, LedgerEntry, RevenuesSettings
from borough.revenues.payments import bacs, runs
from borough.revenues.payments.arudd import arudd_import
from borough.revenues.payments.balances import arrears, instalments_status
from borough.revenues.payments.collections import collection_file_create, collections_post
from borough.revenues.payments.direct_debit import (
    auddis_file_create,
    mandate_cancel,
    mandate_create,
    processing_day_for,
)
from borough.revenues.services import account_move_out
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = "2026-27"


@pytest.fixture
def bacs_council(council):
    RevenuesSettings.objects.create(
        tenant=council,
        bacs_service_user_number="123456",
        bacs_sort_code="401234",
        bacs_account_number="87654321",
        bacs_account_name="NORTHFIELD DC",
    )
    return council


def mandate_for(account, **overrides):
    values = {"payer_name": "Ann Example", "sort_code": "11-22-33", "account_number": "1234 5678"}
    values.update(overrides)
    return mandate_create(account=account, **values)


def test_mandate_create_checks_each_field(council):
    account = make_account(council)
    with pytest.raises(ValidationError) as error:
        mandate_create(
            account=account,
            payer_name="",
            sort_code="12345",
            account_number="1234567",
            reference="AB",
            collection_day=31,
        )
    assert set(error.value.message_dict) == {"payer_name", "sort_code", "account_number", "reference", "collection_day"}
    with pytest.raises(ValidationError) as error:
        mandate_for(account, payer_name="A name far too long for bacs")
    assert "18 characters" in error.value.message_dict["payer_name"][0]
    mandate = mandate_for(account)
    assert (mandate.sort_code, mandate.account_number, mandate.reference) == ("112233", "12345678", account.number)
    with pytest.raises(ValidationError) as error:
        mandate_for(account)
    assert "account" in error.value.message_dict
    other = make_account(council)
    with pytest.raises(ValidationError) as error:
        mandate_for(other, reference=account.number)
    assert "reference" in error.value.message_dict


def test_auddis_lodges_new_mandates_and_cancels_lodged_ones(bacs_council):
    first, second = make_account(bacs_council), make_account(bacs_council)
    one, two = mandate_for(first), mandate_for(second, payer_name="B Person")
    file = auddis_file_create(tenant=bacs_council, processing_day=date(2026, 3, 20))
    parsed = bacs.read_standard18(file.content)
    assert [(r.code, r.pence, r.reference) for r in parsed.records] == [
        ("0N", 0, first.number),
        ("0N", 0, second.number),
    ]
    assert file.kind == BacsFile.Kind.AUDDIS and file.record_count == 2 and file.total == 0
    one.refresh_from_db()
    assert one.status == DirectDebitMandate.Status.LODGED and one.lodged_in == file
    assert auddis_file_create(tenant=bacs_council) is None  # nothing new: nothing lodged twice
    mandate_cancel(mandate=two, reason="Payer asked to pay by card")
    never_lodged = mandate_for(make_account(bacs_council))
    mandate_cancel(mandate=never_lodged, reason="Entered in error")
    cancel_file = auddis_file_create(tenant=bacs_council, processing_day=date(2026, 3, 27))
    assert [(r.code, r.reference) for r in bacs.read_standard18(cancel_file.content).records] == [("0C", second.number)]
    two.refresh_from_db()
    assert two.cancellation_lodged_in == cancel_file


def test_auddis_needs_the_councils_bacs_details(council):
    mandate_for(make_account(council))
    with pytest.raises(ValidationError) as error:
        auddis_file_create(tenant=council)
    assert "service user number" in error.value.message_dict["settings"][0]


def test_processing_day_is_the_working_day_before_the_due_date(bacs_council):
    assert processing_day_for(bacs_council, date(2026, 5, 1)) == date(2026, 4, 30)  # Friday: Thursday
    assert processing_day_for(bacs_council, date(2026, 6, 1)) == date(2026, 5, 29)  # Monday: the Friday before
    # Saturday 1 August: entry on Monday 3rd, processed on Friday 31 July.
    assert processing_day_for(bacs_council, date(2026, 8, 1)) == date(2026, 7, 31)


def lodged(council, *accounts):
    mandates = [mandate_for(account, payer_name=f"Payer {i}") for i, account in enumerate(accounts)]
    auddis_file_create(tenant=council, processing_day=date(2026, 3, 20))
    return mandates


def test_collection_file_collects_each_due_instalment_once(bacs_council):
    paying, prepaid, closing, no_mandate = (make_account(bacs_council) for _ in range(4))
    for account in (paying, prepaid, closing, no_mandate):
        make_bill(account, charge="1000.00")
    lodged(bacs_council, paying, prepaid, closing)
    # Paid the first instalment already by card: nothing to collect from them on 1 April.
    LedgerEntry.objects.create(
        tenant=bacs_council, account=prepaid, financial_year=YEAR, kind="payment", method="card",
        amount=D("-100.00"), posted_on=date(2026, 3, 25), source_key="pre",
    )  # fmt: skip
    april = collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1))
    parsed = bacs.read_standard18(april.content)
    debits = [r for r in parsed.records if r.code != "99"]
    assert [(r.reference, r.code, r.pence) for r in debits] == [
        (paying.number, "01", 10000),
        (closing.number, "01", 10000),
    ]
    assert all(r.processing_day == date(2026, 3, 31) for r in parsed.records)
    contra = parsed.records[-1]
    assert contra.code == "99" and contra.pence == 20000 and contra.reference == "CONTRA"
    assert (april.record_count, april.total, april.due_date) == (2, D("200.00"), date(2026, 4, 1))
    entry = LedgerEntry.objects.get(source_key=f"dd:2026-04-01:{paying.pk}")
    assert entry.amount == D("-100.00") and entry.posted_on == date(2026, 3, 31) and entry.method == "direct_debit"
    assert DirectDebitMandate.objects.get(account=paying).status == DirectDebitMandate.Status.ACTIVE
    # Run again for the same date: the same file, nothing collected twice.
    assert collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1)).pk == april.pk
    assert LedgerEntry.objects.filter(method="direct_debit").count() == 2
    # May: regular collections, and the prepaid account's instalment is due in full now.
    may = collection_file_create(tenant=bacs_council, due_date=date(2026, 5, 1))
    codes = {r.reference: r.code for r in bacs.read_standard18(may.content).records}
    assert codes == {paying.number: "17", prepaid.number: "01", closing.number: "17", "CONTRA": "99"}
    assert arrears(account=paying, financial_year=YEAR, as_of=date(2026, 5, 1)) == 0


def test_the_last_instalment_of_a_closed_account_is_a_final_collection(bacs_council):
    account = make_account(bacs_council)
    make_bill(account, charge="200.00", instalments=[["2026-04-01", "100.00"], ["2026-05-01", "100.00"]])
    lodged(bacs_council, account)
    collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1))
    account_move_out(account=account, end=date(2026, 5, 31))
    may = collection_file_create(tenant=bacs_council, due_date=date(2026, 5, 1))
    assert [r.code for r in bacs.read_standard18(may.content).records] == ["19", "99"]


def arudd_report(items, current="2026-04-08"):
    body = "".join(
        f'<ReturnedDebitItem ref="{ref}" transCode="17" returnCode="{code}" returnDescription="X" '
        f'originalProcessingDate="{original}" valueOf="{value}" currency="GBP">'
        f'<PayerAccount number="12345678" ref="{ref}" name="PAYER" sortCode="112233" bankName="B" branchName="C"/>'
        "</ReturnedDebitItem>"
        for ref, code, value, original in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><BACSDocument><Data><ARUDD>'
        f'<Header reportType="REFT1027" adviceNumber="00123" currentProcessingDate="{current}"/>'
        '<ServiceLicenseInformation userName="NORTHFIELD DC" userNumber="123456"/>'
        f"<Advice><OriginatingAccountRecords><OriginatingAccountRecord>{body}"
        "</OriginatingAccountRecord></OriginatingAccountRecords></Advice></ARUDD></Data></BACSDocument>"
    ).encode()


def test_arudd_reverses_returned_collections_once_and_ends_mandates(bacs_council):
    refer, closed, fine = (make_account(bacs_council) for _ in range(3))
    for account in (refer, closed, fine):
        make_bill(account, charge="1000.00")
    lodged(bacs_council, refer, closed, fine)
    collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1))
    report = arudd_report(
        [
            (refer.number, "0", "100.00", "2026-03-31"),
            (closed.number, "B", "100.00", "2026-03-31"),
            ("NFD-999999", "0", "5.00", "2026-03-31"),
        ]
    )
    result = arudd_import(tenant=bacs_council, content=report)
    assert len(result.reversed) == 2 and not result.already
    assert result.unmatched == ["NFD-999999 £5.00 (0 Refer to payer)"]
    assert arrears(account=refer, financial_year=YEAR, as_of=date(2026, 4, 8)) == D("100.00")
    assert instalments_status(account=refer, financial_year=YEAR, as_of=date(2026, 4, 8))[0].outstanding == D("100.00")
    assert DirectDebitMandate.objects.get(account=closed).status == DirectDebitMandate.Status.REJECTED
    assert DirectDebitMandate.objects.get(account=refer).status == DirectDebitMandate.Status.ACTIVE
    with pytest.raises(ValidationError) as error:
        arudd_import(tenant=bacs_council, content=report)
    assert "imported already" in error.value.message_dict["file"][0]
    again = arudd_import(tenant=bacs_council, content=report + b"\n")  # the same returns in another file
    assert len(again.already) == 2 and not again.reversed
    assert LedgerEntry.objects.filter(kind="reversal").count() == 2
    # "Refer to payer" is re-presented (18) with May's collection; the ended mandate collects nothing.
    may = collection_file_create(tenant=bacs_council, due_date=date(2026, 5, 1))
    records = [(r.reference, r.code, r.pence) for r in bacs.read_standard18(may.content).records]
    assert (refer.number, "18", 10000) in records and (refer.number, "17", 10000) in records
    assert not any(ref == closed.number for ref, _code, _pence in records)
    june = collection_file_create(tenant=bacs_council, due_date=date(2026, 6, 1))
    assert [r.code for r in bacs.read_standard18(june.content).records if r.reference == refer.number] == ["17"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not xml", "not well-formed"),
        (b"<Other/>", "not an ARUDD report"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><ARUDD/>', "DOCTYPE"),
        (arudd_report([("X", "0", "abc", "2026-03-31")]), "not an amount"),
    ],
)
def test_unreadable_arudd_reports_are_refused(bacs_council, content, message):
    with pytest.raises(ValidationError) as error:
        arudd_import(tenant=bacs_council, content=content)
    assert message in error.value.message_dict["file"][0]


def test_a_returned_collection_paid_since_is_not_represented(bacs_council):
    account = make_account(bacs_council)
    make_bill(account, charge="1000.00")
    lodged(bacs_council, account)
    collection_file_create(tenant=bacs_council, due_date=date(2026, 4, 1))
    arudd_import(tenant=bacs_council, content=arudd_report([(account.number, "0", "100.00", "2026-03-31")]))
    LedgerEntry.objects.create(
        tenant=bacs_council, account=account, financial_year=YEAR, kind="payment", method="card",
        amount=D("-100.00"), posted_on=date(2026, 4, 10), source_key="card-after-return",
    )  # fmt: skip
    may = collection_file_create(tenant=bacs_council, due_date=date(2026, 5, 1))
    assert [r.code for r in bacs.read_standard18(may.content).records] == ["17", "99"]


def test_the_collection_run_posts_in_chunks_and_makes_one_file(bacs_council, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_SIZE", 2)
    accounts = [make_account(bacs_council) for _ in range(5)]
    for account in accounts:
        make_bill(account)
    lodged(bacs_council, *accounts)
    with pytest.raises(ValidationError) as error:
        run_start(tenant=bacs_council, kind=runs.KIND, parameters={"due_date": "2026-13-01"}, dispatch=False)
    assert "due_date" in error.value.message_dict
    run = run_start(tenant=bacs_council, kind=runs.KIND, parameters={"due_date": "2026-04-01"}, dispatch=False)
    # As if a worker died after posting one chunk's collections: posting them again changes nothing.
    assert collections_post(tenant=bacs_council, due_date=date(2026, 4, 1), account_ids=[accounts[0].pk]) == 1
    run = run_execute(run=run)
    assert run.status == Run.Status.SUCCEEDED, run.errors
    assert run.result["collections"] == 5 and run.result["total"] == "500.00"
    assert LedgerEntry.objects.filter(method="direct_debit").count() == 5
    file = BacsFile.objects.get(kind="collection")
    assert [r.code for r in bacs.read_standard18(file.content).records] == ["01"] * 5 + ["99"]
    with pytest.raises(ValidationError, match="made already"):
        run_start(tenant=bacs_council, kind=runs.KIND, parameters={"due_date": "2026-04-01"}, dispatch=False)
    assert collections_post(tenant=bacs_council, due_date=date(2026, 4, 1)) == 0
