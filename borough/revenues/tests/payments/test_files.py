from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import audit_history
from borough.revenues.models import LedgerEntry, PaymentFile, PaymentFileRow
from borough.revenues.payments.balances import year_balance
from borough.revenues.payments.files import FileRefused, barcode_for, decode, luhn_ok
from borough.revenues.payments.services import (
    Unmatched,
    account_for_reference,
    payment_file_import,
    payment_row_dismiss,
    payment_row_post,
)
from borough.revenues.services import account_move_out
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.payments.helpers import make_bill

pytestmark = pytest.mark.django_db
D = Decimal


def digits(account):
    return account.number.split("-")[1]


def rows_by_line(file):
    return {row.line_number: row for row in file.rows.all()}


def test_bank_file_posts_good_rows_and_keeps_bad_ones(council):
    one, two = make_account(council), make_account(council)
    content = (
        "Date,Description,Amount,Balance\n"
        f"03/04/2026,CTAX {one.number} SMITH,125.50,1000.00\n"
        f'04/04/2026,"{two.number.lower().replace("-", "")} J JONES","£1,000.00",2000.00\n'
        "05/04/2026,NO IDEA WHO,20.00,2020.00\n"
        f"31/02/2026,{one.number},10.00,2030.00\n"
        f"06/04/2026,{one.number},ten pounds,2030.00\n"
        f"07/04/2026,{one.number},-15.00,2015.00\n"
        f"08/04/2026,{digits(two)},7.25,2022.25\n"
    ).encode()
    file = payment_file_import(tenant=council, source="bank", name="statement.csv", content=content)
    rows = rows_by_line(file)
    assert [rows[n].status for n in (2, 3, 8)] == ["posted"] * 3
    assert rows[4].error.startswith("No account matches")
    assert "not a date" in rows[5].error
    assert "not an amount" in rows[6].error
    assert "not a payment in" in rows[7].error
    assert (file.rows_total, file.rows_posted, file.rows_rejected) == (7, 3, 4)
    assert file.total_posted == D("1132.75")
    assert rows[2].entry.amount == D("-125.50") and rows[2].entry.account == one
    assert rows[2].entry.method == LedgerEntry.Method.BANK and rows[2].entry.posted_on == date(2026, 4, 3)
    assert year_balance(account=two, financial_year="2026-27") == D("-1007.25")
    assert rows[4].values["amount"] == "20.00" and rows[4].raw.startswith("05/04/2026")
    assert rows[6].values["cells"]["amount"] == "ten pounds"
    assert [e.action for e in audit_history(file)] == ["revenues.payment_file_import"]


def test_the_same_file_twice_is_refused(council):
    account = make_account(council)
    content = f"Date,Amount,Reference\n03/04/2026,10.00,{account.number}\n".encode()
    payment_file_import(tenant=council, source="bank", name="a.csv", content=content)
    with pytest.raises(ValidationError) as error:
        payment_file_import(tenant=council, source="bank", name="b.csv", content=content)
    assert "imported already" in error.value.message_dict["file"][0]
    assert PaymentFile.objects.count() == 1 and LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        (b"Date,Amount\n03/04/2026,1.00\n", "no 'reference' column"),
        (b"Date,Amount,Reference\n", "no payments"),
        (b"Date,Amount,Reference\n03/04/2026,1.00,X\x81\x8d\n", "not UTF-8 or Windows-1252"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(council, content, message):
    with pytest.raises(ValidationError) as error:
        payment_file_import(tenant=council, source="bank", name="x.csv", content=content)
    assert message in error.value.message_dict["file"][0]
    assert not PaymentFile.objects.exists()


def test_decoding_accepts_bom_utf16_and_windows_1252():
    assert decode("\ufeffDate,£".encode()) == "Date,£"
    assert decode("Date,£".encode("utf-16")) == "Date,£"
    assert decode("Date,£".encode("cp1252")) == "Date,£"
    with pytest.raises(FileRefused):
        decode(b"abc\x00")


def post_office_file(details, count=None, pence=None):
    lines = ["H" + "NORTHFLD" + "20260410" + "000001"]
    total = 0
    for day, barcode, amount in details:
        lines.append(f"D{day}101500" + "0012345" + barcode + f"{amount:09d}" + "C")
        total += amount
    lines.append("T" + f"{count if count is not None else len(details):07d}" + f"{pence or total:012d}")
    return ("\r\n".join(line.ljust(80) for line in lines) + "\r\n").encode("ascii")


def test_post_office_file(council):
    account = make_account(council)
    good = barcode_for(digits(account))
    assert len(good) == 19 and luhn_ok(good)
    misread = good[:-1] + str((int(good[-1]) + 1) % 10)
    content = post_office_file(
        [
            ("20260409", good, 5000),
            ("20260409", misread, 1000),
            ("20261340", good, 700),
            ("20260409", barcode_for("999999"), 300),
        ]
    )
    file = payment_file_import(tenant=council, source="post_office", name="PO0410.txt", content=content)
    rows = rows_by_line(file)
    assert rows[2].status == "posted" and rows[2].entry.amount == D("-50.00")
    assert rows[2].entry.method == "post_office" and rows[2].values["outlet"] == "0012345"
    assert "check digit" in rows[3].error
    assert "not YYYYMMDD" in rows[4].error
    assert rows[5].error.startswith("No account matches")
    assert (file.rows_posted, file.rows_rejected, file.total_posted) == (1, 3, D("50.00"))
    assert len(rows[2].raw) == 80


def test_post_office_trailer_must_agree(council):
    account = make_account(council)
    content = post_office_file([("20260409", barcode_for(digits(account)), 5000)], count=2)
    with pytest.raises(ValidationError, match="incomplete"):
        payment_file_import(tenant=council, source="post_office", name="x", content=content)
    content = post_office_file([("20260409", barcode_for(digits(account)), 5000)])
    with pytest.raises(ValidationError, match="no trailer"):
        payment_file_import(tenant=council, source="post_office", name="x", content=content.rsplit(b"T", 1)[0])
    assert not LedgerEntry.objects.exists()


def paypoint_file(rows):
    header = "transaction_id,site_id,transaction_date,transaction_time,barcode,amount_pence,tender"
    return ("\n".join([header, *rows]) + "\n").encode()


def test_paypoint_file_and_a_transaction_repeated_in_a_later_file(council):
    account = make_account(council)
    code = barcode_for(digits(account))
    first = paypoint_file(
        [
            f"PP0001,S123,09/04/2026,14:02:11,{code},2500,CASH",
            f"PP0002,S123,09/04/2026,25:61:00,{code},2500,CASH",
            f"PP0003,S123,09/04/2026,14:05:00,{code},12.50,CASH",
            f",S123,09/04/2026,14:05:00,{code},100,CASH",
        ]
    )
    file = payment_file_import(tenant=council, source="paypoint", name="pp1.csv", content=first)
    rows = rows_by_line(file)
    assert rows[2].status == "posted" and rows[2].entry.source_key == "paypoint:PP0001"
    assert "HH:MM:SS" in rows[3].error and "whole number of pence" in rows[4].error
    assert "no transaction_id" in rows[5].error
    second = paypoint_file([f"PP0001,S123,09/04/2026,14:02:11,{code},2500,CASH"])
    again = payment_file_import(tenant=council, source="paypoint", name="pp2.csv", content=second)
    row = again.rows.get()
    assert row.status == "rejected" and "Already posted" in row.error
    assert LedgerEntry.objects.count() == 1


def test_a_closed_account_that_owes_nothing_is_rejected(council):
    closed = make_account(council)
    account_move_out(account=closed, end=date(2026, 4, 2))
    owing = make_account(council)
    make_bill(owing)
    account_move_out(account=owing, end=date(2026, 6, 30))
    content = f"Date,Amount,Reference\n03/04/2026,10.00,{closed.number}\n03/04/2026,10.00,{owing.number}\n".encode()
    file = payment_file_import(tenant=council, source="bank", name="x.csv", content=content)
    rows = rows_by_line(file)
    assert "closed and owes nothing" in rows[2].error
    assert rows[3].status == "posted"


def test_a_future_date_is_rejected(council):
    account = make_account(council)
    content = f"Date,Amount,Reference\n01/01/2099,10.00,{account.number}\n".encode()
    file = payment_file_import(tenant=council, source="bank", name="x.csv", content=content)
    assert "in the future" in file.rows.get().error


def test_an_officer_resolves_rejected_rows(council):
    account = make_account(council)
    content = b"Date,Amount,Reference\n03/04/2026,40.00,MRS SMITH\n04/04/2026,oops,MR JONES\n"
    file = payment_file_import(tenant=council, source="bank", name="x.csv", content=content)
    unknown, unreadable = file.rows.order_by("line_number")
    with pytest.raises(ValidationError) as error:
        payment_row_post(row=unreadable, account=account)
    assert "row" in error.value.message_dict
    posted = payment_row_post(row=unknown, account=account, note="Phoned Mrs Smith")
    assert posted.status == PaymentFileRow.Status.RESOLVED and posted.entry.amount == D("-40.00")
    assert posted.entry.account == account and posted.note == "Phoned Mrs Smith"
    with pytest.raises(ValidationError):
        payment_row_post(row=unknown, account=account)
    with pytest.raises(ValidationError) as error:
        payment_row_dismiss(row=unreadable, note="  ")
    assert "note" in error.value.message_dict
    payment_row_dismiss(row=unreadable, note="Returned to payer")
    file.refresh_from_db()
    assert (file.rows_posted, file.rows_rejected, file.total_posted) == (1, 0, D("40.00"))
    actions = [e.action for e in audit_history(file)]
    assert "revenues.payment_row_post" in actions and "revenues.payment_row_dismiss" in actions


def test_account_for_reference(council):
    account = make_account(council)
    n = int(digits(account))
    for text in (account.number, f"ctax {account.number.lower()} x", f"NFD {n}", f"ref {digits(account)} thanks"):
        assert account_for_reference(council, text.replace("NFD", council.reference_prefix)) == account
    with pytest.raises(Unmatched):
        account_for_reference(council, "")
    with pytest.raises(Unmatched):
        account_for_reference(council, "12.50")
