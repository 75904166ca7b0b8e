"""Liability order notices are sent as every other notice is: emailed with the PDF, once, when the account has
e-billing (at the moment the order is recorded); otherwise in the print file of their hearing day."""

import csv
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from borough.core.models import AuditEvent, OutboxMessage, Run
from borough.core.runs import run_execute, run_file, run_start
from borough.revenues.models import RecoveryAction
from borough.revenues.recovery.sending import recovery_notice_send
from borough.revenues.recovery.services import liability_order_record
from borough.revenues.tests.documents.pdftext import pdf_pages
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.recovery.conftest import bill_account, run_on

pytestmark = pytest.mark.django_db
HEARING = date(2026, 5, 20)


def summonsed(council, email=""):
    account = bill_account(council, make_account(council, names=("Ann Example",)))
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run_on(council, date(2026, 4, 29), hearing_date=HEARING.isoformat())
    if email:
        account.ebilling_email = email
        account.save(update_fields=["ebilling_email"])
    return account, RecoveryAction.objects.get(account=account, stage="summons")


def print_file(council, day=HEARING):
    run = run_start(
        tenant=council, kind="revenues.recovery_print", parameters={"date": day.isoformat()}, dispatch=False
    )
    run = run_execute(run=run)
    assert run.status == Run.Status.SUCCEEDED, run.errors
    return run, list(csv.DictReader(run_file(run).open(encoding="utf-8-sig")))


def test_an_ebilling_account_gets_its_liability_order_by_email_once(council, media, django_capture_on_commit_callbacks):
    account, summons = summonsed(council, email="ann@example.org")
    before = OutboxMessage.objects.count()  # the earlier notices went by email too
    with django_capture_on_commit_callbacks(execute=True):
        [order] = liability_order_record(
            summonses=[summons], hearing_date=HEARING, costs=Decimal("10.00"), today=HEARING
        )
    order.refresh_from_db()
    assert order.delivery == RecoveryAction.Delivery.EMAIL and order.sent_at is not None
    message = OutboxMessage.objects.get(idempotency_key=f"revenues-recovery-{order.pk}")
    assert OutboxMessage.objects.count() == before + 1
    assert message.payload["to"] == ["ann@example.org"]
    assert message.payload["subject"] == f"Council tax: liability order made (account {account.number})"
    [email] = [m for m in mail.outbox if "liability order" in m.subject]
    [(filename, content, _type)] = email.attachments
    assert filename == f"liability-order-{account.number}-2026-05-20.pdf"
    assert "magistrates' court made a liability order" in " ".join(pdf_pages(content))
    sends = AuditEvent.objects.filter(action="revenues.recovery_send", detail__recovery_action_id=order.pk)
    assert sends.count() == 1
    # Not again: the print file of the hearing day leaves it out, and sending it again does nothing.
    run, rows = print_file(council)
    assert rows == [] and run.result["emailed"] == 0
    assert recovery_notice_send(action=order).sent_at == order.sent_at
    assert OutboxMessage.objects.filter(idempotency_key=f"revenues-recovery-{order.pk}").count() == 1


def test_without_ebilling_the_liability_order_waits_for_the_print_file_of_its_hearing_day(council, media):
    account, summons = summonsed(council)
    [order] = liability_order_record(summonses=[summons], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)
    order.refresh_from_db()
    assert (order.delivery, order.sent_at) == ("", None)
    assert not OutboxMessage.objects.exists()
    _run, rows = print_file(council)
    assert [(r["notice"], r["notice_id"], r["account_number"]) for r in rows] == [
        ("liability_order", str(order.pk), account.number)
    ]
    order.refresh_from_db()
    assert order.delivery == RecoveryAction.Delivery.PRINT
    _again, rows = print_file(council)
    assert rows == []


def test_a_large_hearing_emails_its_first_orders_and_leaves_the_rest_to_the_print_run(council, media, monkeypatch):
    monkeypatch.setattr("borough.revenues.recovery.services.EMAILED_WHILE_RECORDING", 1)
    first_account, first = summonsed(council, email="ann@example.org")
    second_account = bill_account(council, make_account(council, names=("Bo Example",)))
    second_account.ebilling_email = "bo@example.org"
    second_account.save(update_fields=["ebilling_email"])
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run_on(council, date(2026, 4, 29), hearing_date=HEARING.isoformat())
    second = RecoveryAction.objects.get(account=second_account, stage="summons")
    orders = liability_order_record(summonses=[first, second], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)
    sent = {order.account_id: RecoveryAction.objects.get(pk=order.pk).sent_at for order in orders}
    assert [sent[first_account.pk] is not None, sent[second_account.pk] is not None] == [True, False]
    run, rows = print_file(council)
    assert rows == [] and run.result["emailed"] == 1  # the second order, by email: e-billing notices are not printed
    waiting = RecoveryAction.objects.get(account=second_account, stage="liability_order")
    assert waiting.delivery == RecoveryAction.Delivery.EMAIL and waiting.sent_at is not None
    keys = set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert {f"revenues-recovery-{order.pk}" for order in orders} <= keys
