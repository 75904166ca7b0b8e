"""The BACS refund credit file: each refund by BACS a code 99 record crediting the payee, a code 17 contra debiting
the council, in one file only; a refund by cheque or card never in it; the command, the button, the download;
another council's refunds never in it."""

from datetime import date
from decimal import Decimal
from io import StringIO
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from borough.core.models import AuditEvent
from borough.revenues.models import BacsFile, BacsRefund, LedgerEntry, RevenuesSettings
from borough.revenues.payments import bacs
from borough.revenues.payments.balances import payment_record, refund_record
from borough.revenues.payments.refunds import refund_file_create
from borough.revenues.payments.staff_services import refund_issue
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = "2026-27"
TUESDAY = date(2026, 4, 7)  # day 97 of 2026; Monday 6 April is Easter Monday
BASE = "/staff/revenues/payments/"


def bacs_settings(tenant, **values):
    defaults = {
        "bacs_service_user_number": "123456",
        "bacs_sort_code": "401234",
        "bacs_account_number": "87654321",
        "bacs_account_name": "Northfield DC",
    }
    return RevenuesSettings.objects.create(tenant=tenant, **(defaults | values))


def in_credit(tenant, credit="80.00"):
    account = make_account(tenant)
    make_bill(account, charge="100.00")
    payment_record(
        account=account, financial_year=YEAR, amount=D("100.00") + D(credit), method="bank",
        posted_on=date(2026, 4, 2), source_key=f"test:{uuid4().hex}",
    )  # fmt: skip
    return account


def refund(account, amount, method="bacs", **payee):
    values = {"payee_name": "Ann Example", "sort_code": "30-94-30", "account_number": "1234 5678"} | payee
    return refund_issue(
        account=account, financial_year=YEAR, amount=D(amount), method=method, reason="Overpaid",
        posted_on=date(2026, 4, 3), key=uuid4().hex, **values,
    )  # fmt: skip


def test_the_file_credits_each_payee_and_debits_the_council(council):
    bacs_settings(council)
    first, second, third = in_credit(council), in_credit(council), in_credit(council)
    one = refund(first, "50.00")
    two = refund(second, "12.34", payee_name="Mr O'Brien-Smith & Co Ltd", sort_code="112233", account_number="87654321")
    refund(third, "20.00", method="cheque")
    refund(third, "10.00", method="card")
    file = refund_file_create(tenant=council, processing_day=TUESDAY)
    assert (file.kind, file.processing_date, file.due_date) == ("refund", TUESDAY, None)
    assert (file.record_count, file.total) == (2, D("62.34"))
    lines = file.content.split("\r\n")
    assert lines[-1] == "" and len(lines) == 4 + 3 + 3 + 1
    vol1, hdr1, hdr2, uhl1, rec1, rec2, contra, eof1, eof2, utl1 = lines[:-1]
    assert [len(line) for line in lines[:-1]] == [80, 80, 80, 80, 106, 106, 106, 80, 80, 80]
    assert vol1 == "VOL1" + f"{file.pk:06d}" + " " * 31 + "123456" + " " * 32 + "1"
    assert uhl1[:20] == "UHL1 26097999999    " and uhl1[28:40] == "4 MULTI  " + f"{file.pk % 999 + 1:03d}"
    # 1-6 sort code | 7-14 account | 15 "0" | 16-17 code | 18-23, 24-31 the council's | 32-35 blanks |
    # 36-46 pence | 47-64 council's name | 65-82 reference | 83-100 payee's name | 101-106 processing day
    assert rec1 == (
        "309430" "12345678" "0" "99" "401234" "87654321" "    " "00000005000"
        "NORTHFIELD DC     " f"{first.number:<18}" "ANN EXAMPLE       " " 26097"
    )  # fmt: skip
    assert rec2 == (
        "112233" "87654321" "0" "99" "401234" "87654321" "    " "00000001234"
        "NORTHFIELD DC     " f"{second.number:<18}" "MR O BRIEN-SMITH &" " 26097"
    )  # fmt: skip
    assert contra == (
        "401234" "87654321" "0" "17" "401234" "87654321" "    " "00000006234"
        "NORTHFIELD DC     " "CONTRA            " "NORTHFIELD DC     " " 26097"
    )  # fmt: skip
    # UTL1: 5-17 debit total, 18-30 credit total (pence), 31-37 debit count, 38-44 credit count, 53-59 DDIs.
    assert utl1 == "UTL1" + "0000000006234" + "0000000006234" + "0000001" + "0000002" + " " * 8 + "0000000" + " " * 21
    assert eof1 == "EOF1" + hdr1[4:] and eof2 == "EOF2" + hdr2[4:]
    parsed = bacs.read_standard18(file.content)  # the reader checks UTL1 against the records
    assert [(r.code, r.pence) for r in parsed.records] == [("99", 5000), ("99", 1234), ("17", 6234)]
    assert set(BacsRefund.objects.values_list("entry_id", "paid_in_id")) == {(one.pk, file.pk), (two.pk, file.pk)}
    # Refunds by cheque or card keep no bank details and are never in a file.
    assert not BacsRefund.objects.filter(entry__method__in=["cheque", "card"]).exists()
    assert LedgerEntry.objects.filter(kind="refund").count() == 4
    audit = AuditEvent.objects.get(action="revenues.refund_file_create")
    assert audit.changes["refunds"] == [None, 2] and audit.changes["total"] == [None, "62.34"]


def test_built_twice_it_is_one_file_and_each_refund_is_paid_once(council):
    bacs_settings(council)
    account = in_credit(council)
    first = refund(account, "30.00")
    file = refund_file_create(tenant=council, processing_day=TUESDAY)
    assert refund_file_create(tenant=council, processing_day=TUESDAY).pk == file.pk
    later = refund(account, "25.00")  # made after the day's file: waits for the next one
    assert refund_file_create(tenant=council, processing_day=TUESDAY).content == file.content
    next_day = refund_file_create(tenant=council, processing_day=date(2026, 4, 8))
    assert [r.pence for r in bacs.read_standard18(next_day.content).records] == [2500, 2500]
    assert (
        BacsRefund.objects.get(entry=first).paid_in == file and BacsRefund.objects.get(entry=later).paid_in == next_day
    )
    assert refund_file_create(tenant=council, processing_day=date(2026, 4, 9)) is None  # nothing left to pay
    assert BacsFile.objects.filter(kind="refund").count() == 2


def test_what_cannot_be_a_file_is_refused_and_nothing_is_marked(council):
    account = in_credit(council)
    refund(account, "30.00")
    with pytest.raises(ValidationError) as error:
        refund_file_create(tenant=council, processing_day=TUESDAY)
    assert "Set the council's BACS service user number, sort code, account number" in str(error.value)
    bacs_settings(council)
    with pytest.raises(ValidationError) as error:
        refund_file_create(tenant=council, processing_day=date(2026, 4, 6))
    assert error.value.message_dict["processing_date"] == [
        "6 April 2026 is not a working day: Bacs processes on working days"
    ]
    # A refund posted after the processing day is not paid by that day's file.
    assert refund_file_create(tenant=council, processing_day=date(2026, 4, 2)) is None
    assert not BacsFile.objects.exists() and not BacsRefund.objects.filter(paid_in__isnull=False).exists()


def test_a_refund_recorded_without_bank_details_is_not_in_a_file(council):
    """A refund posted straight to the ledger (method bank, no payee kept) was paid by hand: never in a file."""
    bacs_settings(council)
    account = in_credit(council)
    refund_record(
        account=account, financial_year=YEAR, amount=D("10.00"), posted_on=date(2026, 4, 3), reason="By hand",
        source_key="manual:1",
    )  # fmt: skip
    assert refund_file_create(tenant=council, processing_day=TUESDAY) is None


def test_bad_payee_details_are_refused_before_any_refund(council):
    account = in_credit(council)
    with pytest.raises(ValidationError) as error:
        refund(account, "10.00", sort_code="3094", account_number="12")
    assert set(error.value.message_dict) == {"sort_code", "account_number"}
    assert not LedgerEntry.objects.filter(kind="refund").exists() and not BacsRefund.objects.exists()


def test_another_councils_refunds_are_never_in_the_file(council, tenant_b):
    bacs_settings(council)
    mine = refund(in_credit(council), "40.00")
    with tenant_scope(tenant_b):
        bacs_settings(tenant_b, bacs_service_user_number="654321", bacs_account_name="Southvale BC")
        theirs = refund(in_credit(tenant_b), "15.00")
    file = refund_file_create(tenant=council, processing_day=TUESDAY)
    assert [r.pence for r in bacs.read_standard18(file.content).records] == [4000, 4000]
    with tenant_scope(tenant_b):
        assert BacsRefund.objects.get().paid_in is None
        other = refund_file_create(tenant=tenant_b, processing_day=TUESDAY)
        assert other.pk != file.pk and "654321" in other.content.splitlines()[0]
        assert [r.pence for r in bacs.read_standard18(other.content).records] == [1500, 1500]
        assert BacsRefund.objects.get().entry_id == theirs.pk
    assert BacsRefund.objects.get().entry_id == mine.pk and BacsFile.objects.get().pk == file.pk


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_makes_the_file_once(council, tmp_path):
    from django.core.management.base import CommandError

    bacs_settings(council)
    refund(in_credit(council), "45.00")
    path = tmp_path / "refunds.txt"
    out = run("revenues_refund_file", "--tenant", council.slug, "--date", "2026-04-07", "--output", str(path))
    file = BacsFile.objects.get(kind="refund")
    assert f"Refund file {file.pk} for processing day 2026-04-07: 1 refunds, £45.00" in out
    assert path.read_bytes() == file.content.encode("ascii")
    again = run("revenues_refund_file", "--tenant", council.slug, "--date", "2026-04-07")
    assert f"Refund file {file.pk}" in again and BacsFile.objects.count() == 1
    assert "No refunds by BACS are waiting" in run(
        "revenues_refund_file", "--tenant", council.slug, "--date", "2026-04-08"
    )
    with pytest.raises(CommandError, match="is not a date"):
        run("revenues_refund_file", "--tenant", council.slug, "--date", "7 April")
    with pytest.raises(CommandError, match="not a working day"):
        run("revenues_refund_file", "--tenant", council.slug, "--date", "2026-04-11")


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_the_button_makes_the_file_and_it_downloads(council, officer, make_staff, client_for):
    bacs_settings(council)
    refund(in_credit(council), "45.00")
    page = officer.get(f"{BASE}bacs/").content.decode()
    assert "1 refund by BACS waiting for a file (£45.00)" in page and "Make the refund file" in page
    bad = officer.post(f"{BASE}bacs/refund-file", {"processing_date": "31/02/2026"})
    assert bad.status_code == 400 and "Enter a real date" in bad.content.decode()
    holiday = officer.post(f"{BASE}bacs/refund-file", {"processing_date": "2026-04-06"})
    assert holiday.status_code == 400 and "is not a working day" in holiday.content.decode()
    assert not BacsFile.objects.exists()
    made = officer.post(f"{BASE}bacs/refund-file", {"processing_date": "07/04/2026"}, follow=True)
    file = BacsFile.objects.get(kind="refund")
    text = made.content.decode()
    assert "Refund file for 07 April 2026: 1 refund, £45.00" in text and "Refunds (credits)" in text
    assert "No refunds by BACS are waiting for a file" in text
    download = officer.get(f"{BASE}bacs/{file.pk}/download")
    assert download.content == file.content.encode("ascii")
    assert download["Content-Disposition"] == f'attachment; filename="refund-2026-04-07-{file.pk}.txt"'
    again = officer.post(f"{BASE}bacs/refund-file", {"processing_date": "2026-04-07"})
    assert again.status_code == 302 and BacsFile.objects.count() == 1
    clerk = client_for(council, make_staff(council, roles=("crm.agent",)))
    assert clerk.post(f"{BASE}bacs/refund-file", {}).status_code == 403


def test_the_bacs_page_is_structured(council, officer):
    from borough.revenues.tests.web.test_page_structure import problems

    bacs_settings(council)
    refund(in_credit(council), "45.00")
    assert problems(officer.get(f"{BASE}bacs/")) == []
    response = officer.post(f"{BASE}bacs/refund-file", {"processing_date": "nonsense"})
    assert response.status_code == 400 and problems(response) == []
