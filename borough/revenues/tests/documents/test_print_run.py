"""The print file (run kind `revenues.bill_print`): one PDF and a manifest part per chunk, joined at the end; each
waiting bill printed once, even when the run is killed half way and resumed; e-billing bills emailed instead."""

import csv
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import OutboxMessage, Run
from borough.core.runs import run_directory, run_execute, run_file, run_start
from borough.revenues.documents.print_run import MANIFEST_COLUMNS, BillPrint
from borough.revenues.models import Bill
from borough.revenues.tests.documents.bills import FULL_YEAR, make_bill, piece
from borough.revenues.tests.documents.pdftext import pdf_pages
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db


class Killed(Exception):
    """The worker dying after a chunk committed."""


@pytest.fixture
def bills(billing_council):
    made = []
    for n, name in enumerate(("Ann Able", "=cmd|' /C calc'!A0", "Cat Crane", "Dan Dune")):
        account = make_account(billing_council, names=(name,))
        if n == 2:
            account.ebilling_email = "cat@example.org"
            account.save(update_fields=["ebilling_email"])
        made.append(make_bill(account, [piece(*FULL_YEAR, "D")]))
    return made


def manifest(run: Run) -> list[dict]:
    with run_file(run).open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def start(tenant, **parameters) -> Run:
    return run_start(tenant=tenant, kind="revenues.bill_print", parameters={"financial_year": "2026-27", **parameters},
                     dispatch=False)  # fmt: skip


def test_a_print_file_of_the_waiting_bills(billing_council, bills, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(BillPrint, "CHUNK_SIZE", 3)
    already = bills[3]
    Bill.objects.filter(pk=already.pk).update(sent_at="2026-03-10T09:00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        run = run_execute(run=start(billing_council))
    assert run.status == Run.Status.SUCCEEDED, run.errors
    rows = manifest(run)
    assert list(rows[0]) == MANIFEST_COLUMNS
    assert [row["bill_number"] for row in rows] == [bills[0].number, bills[1].number]
    first, second = rows
    assert first["name"] == "Ann Able" and first["address_1"].endswith("Test Street") and first["postcode"] == "NF1 2AB"
    assert second["name"] == "'=cmd|' /C calc'!A0"  # a name that a spreadsheet would run stays text
    # Both bills in one PDF, each from a new page, where the manifest says.
    pdf = (run_directory(run) / first["file"]).read_bytes()
    pages = pdf_pages(pdf)
    assert int(first["first_page"]) == 1 and int(second["first_page"]) == 1 + int(first["pages"])
    assert len(pages) == int(first["pages"]) + int(second["pages"])
    assert bills[0].number in pages[0] and "Ann Able" in pages[0]
    assert bills[1].number in pages[int(second["first_page"]) - 1]
    assert run.result["printed"] == 2 and run.result["emailed"] == 1 and run.result["pages"] == len(pages)
    # The printed bills are marked sent; the e-billing one went by email; the one sent before is untouched.
    printed = Bill.objects.filter(pk__in=[bills[0].pk, bills[1].pk])
    assert all(b.sent_at is not None and b.delivery == Bill.Delivery.PRINT for b in printed)
    emailed = Bill.objects.get(pk=bills[2].pk)
    assert emailed.delivery == Bill.Delivery.EMAIL and OutboxMessage.objects.filter(kind="email.smtp").count() == 1
    # A second print run finds nothing left to print.
    again = run_execute(run=start(billing_council))
    assert again.status == Run.Status.SUCCEEDED and again.result["printed"] == 0 and manifest(again) == []


def test_a_run_killed_half_way_and_resumed_prints_each_bill_once(billing_council, bills, monkeypatch):
    monkeypatch.setattr(BillPrint, "CHUNK_SIZE", 1)
    run = start(billing_council)

    def die_after_two_chunks(run, done, total):
        if done == 2:
            raise Killed

    with pytest.raises(Killed):
        run_execute(run=run, on_progress=die_after_two_chunks)
    assert Bill.objects.filter(sent_at__isnull=False).count() == 2
    run = run_execute(run=Run.objects.get(pk=run.pk))  # a worker picks it up again
    assert run.status == Run.Status.SUCCEEDED, run.errors
    numbers = [row["bill_number"] for row in manifest(run)]
    assert sorted(numbers) == sorted([bills[0].number, bills[1].number, bills[3].number])
    assert len(numbers) == len(set(numbers)) and run.result["emailed"] == 1


def test_only_the_bills_of_a_billing_run_when_given(billing_council, bills):
    billing_run = Run.objects.create(tenant=billing_council, kind="revenues.annual_billing", parameters={})
    Bill.objects.filter(pk=bills[0].pk).update(run=billing_run)
    run = run_execute(run=start(billing_council, billing_run=billing_run.pk))
    assert [row["bill_number"] for row in manifest(run)] == [bills[0].number]
    assert Bill.objects.filter(sent_at__isnull=True).count() == 3


def test_a_bill_that_cannot_be_printed_stays_waiting_and_the_rest_go(billing_council, bills):
    Bill.objects.filter(pk=bills[1].pk).update(detail={"pieces": [{"start": "not a date"}]})
    run = run_execute(run=start(billing_council))
    assert run.status == Run.Status.FAILED
    assert any(bills[1].number in error["message"] for error in run.errors)
    assert Bill.objects.get(pk=bills[1].pk).sent_at is None
    assert Bill.objects.get(pk=bills[0].pk).sent_at is not None


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"financial_year": "2026"}, "financial_year"),
        ({}, "financial_year"),
        ({"financial_year": "2026-27", "billing_run": "seven"}, "billing_run"),
        ({"financial_year": "2026-27", "billing_run": 999999}, "billing_run"),
        ({"financial_year": "2026-27", "colour": "blue"}, "parameters"),
    ],
)
def test_bad_parameters_are_refused_by_field(billing_council, parameters, field):
    with pytest.raises(ValidationError) as error:
        run_start(tenant=billing_council, kind="revenues.bill_print", parameters=parameters, dispatch=False)
    assert field in error.value.message_dict
    assert not Run.objects.filter(kind="revenues.bill_print").exists()


def test_bills_made_after_the_run_started_wait_for_the_next(billing_council, bills):
    run = start(billing_council)
    late = make_bill(make_account(billing_council), [piece(date(2026, 4, 1), date(2027, 3, 31), "D")])
    run = run_execute(run=run)
    assert late.number not in [row["bill_number"] for row in manifest(run)]
    assert Bill.objects.get(pk=late.pk).sent_at is None
