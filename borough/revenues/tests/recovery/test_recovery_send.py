"""Recovery notices reach the resident: e-billing accounts by email with the PDF attached (once), the rest in the
day's print file (PDF + manifest, each notice once even when the run is killed and resumed); summonses go to the
court on the summons list; a notice withdrawn or paid before it goes is not sent."""

import csv
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent, OutboxMessage, Run
from borough.core.runs import run_directory, run_execute, run_file, run_start
from borough.revenues.models import RecoveryAction
from borough.revenues.recovery.print_run import RecoveryPrint
from borough.revenues.recovery.sending import recovery_notice_send
from borough.revenues.recovery.withdrawal import recovery_withdraw
from borough.revenues.tests.documents.pdftext import pdf_pages
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.recovery.conftest import bill_account, run_on

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 8)


class Killed(Exception):
    pass


def ebilling(council, email="ann@example.org"):
    account = bill_account(council, make_account(council, names=("Ann Example",)))
    account.ebilling_email = email
    account.save(update_fields=["ebilling_email"])
    return account


def print_run(council, day=DAY, **extra):
    run = run_start(
        tenant=council, kind="revenues.recovery_print", parameters={"date": day.isoformat(), **extra}, dispatch=False
    )
    return run


def manifest(run):
    return list(csv.DictReader(run_file(run).open(encoding="utf-8-sig")))


def test_an_ebilling_account_gets_the_notice_by_email_once(council, media, django_capture_on_commit_callbacks):
    account = ebilling(council)
    with django_capture_on_commit_callbacks(execute=True):
        run_on(council, DAY)
        run_on(council, DAY)  # the same day again: nothing twice
    reminder = RecoveryAction.objects.get(account=account)
    assert reminder.delivery == RecoveryAction.Delivery.EMAIL and reminder.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["ann@example.org"]
    assert email.subject == f"Council tax: reminder notice (account {account.number})"
    assert "Dear Ann Example" in email.body and "Pay £150.00 by 14 April 2026" in email.body
    [(filename, content, content_type)] = email.attachments
    assert filename == f"reminder-{account.number}-2026-04-08.pdf" and content_type == "application/pdf"
    assert account.number in pdf_pages(content)[0]
    message = OutboxMessage.objects.get(kind="email.smtp")
    assert message.idempotency_key == f"revenues-recovery-{reminder.pk}"
    path = f"tenants/{council.pk}/revenues/recovery/2026-27/{reminder.pk}.pdf"
    assert message.payload["attachments"][0]["path"] == path
    # Sending it again does nothing; the send is audited once.
    assert recovery_notice_send(action=reminder).sent_at == reminder.sent_at
    assert OutboxMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="revenues.recovery_send").count() == 1
    # The print file leaves it out: it has gone.
    run = run_execute(run=print_run(council))
    assert run.status == Run.Status.SUCCEEDED and manifest(run) == [] and run.result["printed"] == 0


def test_other_notices_wait_for_the_print_file_of_the_day(council, media):
    accounts = [bill_account(council, make_account(council, names=(f"Resident {n}",))) for n in range(2)]
    run_on(council, DAY)
    waiting = RecoveryAction.objects.order_by("pk")
    assert [(a.delivery, a.sent_at) for a in waiting] == [("", None), ("", None)]
    assert not OutboxMessage.objects.exists()
    run = run_execute(run=print_run(council))
    assert run.status == Run.Status.SUCCEEDED, run.errors
    rows = manifest(run)
    assert [(r["account_number"], r["notice"], r["name"]) for r in rows] == [
        (accounts[0].number, "reminder", "Resident 0"),
        (accounts[1].number, "reminder", "Resident 1"),
    ]
    assert rows[0]["address_1"] and rows[0]["postcode"]
    pages = pdf_pages((run_directory(run) / rows[0]["file"]).read_bytes())
    assert int(rows[1]["first_page"]) == 1 + int(rows[0]["pages"]) and len(pages) == run.result["pages"]
    assert accounts[0].number in pages[0] and "Council tax: reminder notice" in pages[0]
    assert all(a.delivery == RecoveryAction.Delivery.PRINT and a.sent_at for a in RecoveryAction.objects.all())
    again = run_execute(run=print_run(council))
    assert again.result["printed"] == 0 and manifest(again) == []


def test_a_print_run_killed_half_way_and_resumed_prints_each_notice_once(council, media, monkeypatch):
    monkeypatch.setattr(RecoveryPrint, "CHUNK_SIZE", 1)
    for n in range(3):
        bill_account(council)
    ebilling(council)
    run_on(council, DAY)
    run = print_run(council)

    def die_after_two_chunks(run, done, total):
        if done == 2:
            raise Killed

    with pytest.raises(Killed):
        run_execute(run=run, on_progress=die_after_two_chunks)
    # The e-billing notice went by email with the daily run; two chunks printed before the kill.
    assert RecoveryAction.objects.filter(delivery=RecoveryAction.Delivery.PRINT).count() == 2
    run = run_execute(run=Run.objects.get(pk=run.pk))  # a worker picks it up again
    assert run.status == Run.Status.SUCCEEDED, run.errors
    ids = [row["notice_id"] for row in manifest(run)]
    assert len(ids) == len(set(ids)) == 3
    assert not RecoveryAction.objects.filter(sent_at__isnull=True).exists()
    assert OutboxMessage.objects.count() == 1  # the e-billing one was emailed by the daily run, not printed


def test_summonses_go_to_the_court_not_the_post(council, media):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run_execute(run=print_run(council, day=date(2026, 4, 8)))
    run_execute(run=print_run(council, day=date(2026, 4, 22)))
    daily = run_on(council, date(2026, 4, 29))
    summons = RecoveryAction.objects.get(account=account, stage="summons")
    assert summons.delivery == RecoveryAction.Delivery.COURT and summons.sent_at is not None
    assert [row["account_number"] for row in csv.DictReader(run_file(daily).open(encoding="utf-8-sig"))] == [
        account.number
    ]
    run = run_execute(run=print_run(council, day=date(2026, 4, 29)))
    assert manifest(run) == []
    assert recovery_notice_send(action=summons).delivery == RecoveryAction.Delivery.COURT


def test_a_notice_withdrawn_before_it_goes_is_not_sent(council, media):
    kept, pulled = bill_account(council), bill_account(council)
    run_on(council, DAY)
    recovery_withdraw(
        action=RecoveryAction.objects.get(account=pulled), grounds="error", reason="Paid at the office", today=DAY
    )
    run = run_execute(run=print_run(council))
    assert [row["account_number"] for row in manifest(run)] == [kept.number]
    assert RecoveryAction.objects.get(account=pulled).sent_at is None


@pytest.mark.parametrize(
    ("parameters", "field"),
    [({"date": "2026-02-30"}, "date"), ({"date": "2099-01-01"}, "date"), ({"date": "", "colour": "red"}, "parameters")],
)
def test_bad_print_parameters_are_refused_by_field(council, parameters, field):
    with pytest.raises(ValidationError) as error:
        run_start(tenant=council, kind="revenues.recovery_print", parameters=parameters, dispatch=False)
    assert field in error.value.message_dict


def test_the_print_file_from_the_recovery_page(council, make_staff, client_for, media):
    officer = client_for(council, make_staff(council, roles=("revenues.officer",)))
    account = bill_account(council)
    run_on(council, DAY)
    page = officer.get("/staff/revenues/recovery/")
    assert "Make the print file" in page.content.decode()
    bad = officer.post("/staff/revenues/recovery/print/", {"print-date": "yesterday"})
    assert bad.status_code == 400 and "Enter a real date" in bad.content.decode()
    response = officer.post("/staff/revenues/recovery/print/", {"print-date": "2026-04-08"})
    assert response.status_code == 302
    run = Run.objects.get(kind="revenues.recovery_print")
    run = run_execute(run=run)
    body = officer.get("/staff/revenues/recovery/print/file/", {"run": run.pk, "file": "print-manifest.csv"})
    assert body.status_code == 200 and account.number in b"".join(body.streaming_content).decode("utf-8-sig")
    pdf = officer.get("/staff/revenues/recovery/print/file/", {"run": run.pk, "file": run.result["pdfs"][0]})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert officer.get("/staff/revenues/recovery/print/file/", {"run": run.pk, "file": "../x"}).status_code == 404
