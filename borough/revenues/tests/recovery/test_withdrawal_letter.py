"""The withdrawal letter: a resident who had a notice is told it is withdrawn, why, the costs taken off and what
they owe now; by email with the PDF (once) when e-billing, otherwise in the next recovery print file (once, even
when the run is killed and resumed); shown on the account's recovery page. A notice never sent gets no letter."""

import csv
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from borough.core.models import AuditEvent, OutboxMessage, Run
from borough.core.runs import run_directory, run_execute, run_file, run_start
from borough.revenues.models import RecoveryAction, RevenuesSettings
from borough.revenues.recovery import letters
from borough.revenues.recovery.print_run import RecoveryPrint
from borough.revenues.recovery.withdrawal import recovery_withdraw
from borough.revenues.tests.documents.pdftext import pdf_pages
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.recovery.conftest import bill_account, pay, run_on

pytestmark = pytest.mark.django_db
BASE = "/staff/revenues/recovery/"


class Killed(Exception):
    pass


def account_for(council, email=""):
    account = bill_account(council, make_account(council, names=("Ann Example",)))
    if email:
        account.ebilling_email = email
        account.save(update_fields=["ebilling_email"])
    return account


def print_run(council, day):
    return run_start(
        tenant=council, kind="revenues.recovery_print", parameters={"date": day.isoformat()}, dispatch=False
    )


def printed(run):
    assert run.status == Run.Status.SUCCEEDED, run.errors
    return list(csv.DictReader(run_file(run).open(encoding="utf-8-sig")))


def reminder_printed(council, account):
    run_on(council, date(2026, 4, 8))
    printed(run_execute(run=print_run(council, date(2026, 4, 8))))
    return RecoveryAction.objects.get(account=account, stage="reminder")


def to_summons(council, account):
    for day in (date(2026, 4, 8), date(2026, 4, 22), date(2026, 4, 29)):
        run_on(council, day)
    return RecoveryAction.objects.get(account=account, stage="summons")


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_a_posted_reminder_withdrawn_in_error_gets_a_letter_in_the_next_print_file(council, media, officer):
    RevenuesSettings.objects.create(tenant=council, enquiries_phone="01632 960000")
    account = account_for(council)
    reminder = reminder_printed(council, account)
    withdrawn = recovery_withdraw(action=reminder, grounds="error", reason="DD set up late", today=date(2026, 4, 9))
    letter = withdrawn.detail["withdrawal_letter"]
    assert letter["title"] == "Council tax: your reminder notice is withdrawn"
    assert letter["lines"] == [
        "We have withdrawn the reminder notice we sent you on 8 April 2026. You do not need to act on it.",
        "We sent it to you by mistake. We are sorry.",
        "You now owe £1,500.00 of council tax for 2026-27, costs included. Any instalments your bill shows still "
        "to come are part of this amount.",
        "If you have a question, contact us on 01632 960000.",
    ]
    assert (letter["delivery"], letter["sent_at"], letter["costs_taken_off"]) == ("", None, "0.00")
    assert withdrawn.detail["title"] == "Council tax: reminder notice"  # the notice as sent is kept
    assert not OutboxMessage.objects.exists()
    assert AuditEvent.objects.filter(action="revenues.recovery_withdrawal_letter").count() == 1
    # The next print file posts it, once.
    run = run_execute(run=print_run(council, date(2026, 4, 9)))
    [row] = printed(run)
    assert (row["notice"], row["notice_id"], row["account_number"], row["name"]) == (
        "withdrawal_letter",
        str(reminder.pk),
        account.number,
        "Ann Example",
    )
    assert row["postcode"] and row["file"].startswith("letters-")
    text = " ".join(pdf_pages((run_directory(run) / row["file"]).read_bytes()))
    assert "your reminder notice is withdrawn" in text and "by mistake" in text
    sent = RecoveryAction.objects.get(pk=reminder.pk).detail["withdrawal_letter"]
    assert (sent["delivery"], sent["run"]) == ("print", run.pk) and sent["sent_at"]
    assert printed(run_execute(run=print_run(council, date(2026, 4, 10)))) == []
    # Shown on the account's recovery page, with the letter as a page and a PDF.
    page = officer.get(f"{BASE}account/", {"number": account.number}).content.decode()
    assert f"?id={reminder.pk}&amp;letter=withdrawal" in page and f"By post (print file of run {run.pk})" in page
    shown = officer.get(f"{BASE}notice/", {"id": reminder.pk, "letter": "withdrawal"})
    assert shown.status_code == 200 and "We sent it to you by mistake" in shown.content.decode()
    pdf = officer.get(f"{BASE}notice/", {"id": reminder.pk, "letter": "withdrawal", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and account.number in pdf_pages(pdf.content)[0]
    assert "The withdrawal letter" in officer.get(f"{BASE}notice/", {"id": reminder.pk}).content.decode()
    assert "The withdrawal letter" in officer.get(f"{BASE}withdraw/", {"id": reminder.pk}).content.decode()


def test_an_ebilling_summons_withdrawn_in_error_gets_its_letter_by_email_once(
    council, media, django_capture_on_commit_callbacks
):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account = account_for(council, email="ann@example.org")
    summons = to_summons(council, account)
    assert summons.delivery == RecoveryAction.Delivery.COURT
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = recovery_withdraw(
            action=summons, grounds="error", reason="Payment misposted", today=date(2026, 4, 30)
        )
    letter = withdrawn.detail["withdrawal_letter"]
    assert "We have taken off the costs of £70.00 that we added with it." in letter["lines"]
    assert any("You now owe £1,500.00 of council tax" in line for line in letter["lines"])
    assert letter["delivery"] == "email" and letter["sent_at"] and letter["costs_taken_off"] == "70.00"
    key = f"revenues-recovery-withdrawal-{summons.pk}"
    message = OutboxMessage.objects.get(idempotency_key=key)
    assert message.payload["to"] == ["ann@example.org"]
    path = f"tenants/{council.pk}/revenues/recovery/2026-27/{summons.pk}-withdrawal.pdf"
    assert message.payload["attachments"][0]["path"] == path and (media / path).exists()
    [email] = [m for m in mail.outbox if "withdrawn" in m.subject]
    assert email.subject == (
        f"Council tax: your summons to the magistrates' court is withdrawn (account {account.number})"
    )
    assert "Dear Ann Example" in email.body and "costs of £70.00" in email.body
    [(filename, content, _type)] = email.attachments
    assert filename == f"withdrawn-summons-{account.number}-2026-04-30.pdf"
    assert "is withdrawn" in pdf_pages(content)[0]
    assert AuditEvent.objects.filter(action="revenues.recovery_withdrawal_letter_send").count() == 1
    # The print file does not send it again.
    run = run_execute(run=print_run(council, date(2026, 4, 30)))
    assert printed(run) == [] and run.result["emailed"] == 0
    assert OutboxMessage.objects.filter(idempotency_key=key).count() == 1
    assert letters.letter_email(action=summons) is False


def test_a_summons_paid_before_the_hearing_letter_says_so_and_the_costs_stay(council, media):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account = account_for(council)
    summons = to_summons(council, account)
    pay(account, date(2026, 4, 30), "1570.00")
    withdrawn = recovery_withdraw(action=summons, grounds="paid", reason="Paid in full", today=date(2026, 4, 30))
    lines = withdrawn.detail["withdrawal_letter"]["lines"]
    assert lines[1] == (
        "You paid the amount and the costs before the hearing, so we have withdrawn our application to the "
        "magistrates' court: the hearing on 20 May 2026 will not go ahead for you and no liability order will be "
        "made."
    )
    assert lines[2] == "The costs of £70.00 stay on your account: you paid them with the amount."
    assert lines[3] == "You owe nothing more of council tax for 2026-27."


def test_a_notice_withdrawn_before_it_was_sent_gets_no_letter(council, media, officer):
    account = account_for(council)
    run_on(council, date(2026, 4, 8))
    reminder = RecoveryAction.objects.get(account=account)
    withdrawn = recovery_withdraw(action=reminder, grounds="error", reason="Wrong", today=date(2026, 4, 8))
    assert "withdrawal_letter" not in withdrawn.detail
    assert printed(run_execute(run=print_run(council, date(2026, 4, 8)))) == []
    page = officer.get(f"{BASE}account/", {"number": account.number}).content.decode()
    assert "No letter: the notice had not been sent" in page
    assert officer.get(f"{BASE}notice/", {"id": reminder.pk, "letter": "withdrawal"}).status_code == 404


def test_a_letter_whose_email_fails_stands_and_the_print_file_emails_it(council, media, monkeypatch):
    account = account_for(council, email="ann@example.org")
    run_on(council, date(2026, 4, 8))  # the reminder is emailed by the run
    reminder = RecoveryAction.objects.get(account=account)

    def broken(action):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(letters, "letter_pdf", broken)
    withdrawn = recovery_withdraw(action=reminder, grounds="error", reason="Wrong", today=date(2026, 4, 9))
    assert withdrawn.status == "withdrawn" and withdrawn.detail["withdrawal_letter"]["sent_at"] is None
    assert not OutboxMessage.objects.filter(idempotency_key=f"revenues-recovery-withdrawal-{reminder.pk}").exists()
    monkeypatch.undo()
    run = run_execute(run=print_run(council, date(2026, 4, 9)))
    assert printed(run) == [] and run.result["emailed"] == 1
    letter = RecoveryAction.objects.get(pk=reminder.pk).detail["withdrawal_letter"]
    assert (letter["delivery"], letter["run"]) == ("email", run.pk)
    assert OutboxMessage.objects.filter(idempotency_key=f"revenues-recovery-withdrawal-{reminder.pk}").count() == 1


def test_letters_are_printed_once_by_a_run_killed_and_resumed_and_later_ones_wait(council, media, monkeypatch):
    monkeypatch.setattr(RecoveryPrint, "CHUNK_SIZE", 1)
    accounts = [account_for(council) for _ in range(3)]
    run_on(council, date(2026, 4, 8))
    printed(run_execute(run=print_run(council, date(2026, 4, 8))))
    reminders = [RecoveryAction.objects.get(account=a) for a in accounts]
    for reminder in reminders[:2]:
        recovery_withdraw(action=reminder, grounds="error", reason="Wrong", today=date(2026, 4, 9))
    run = print_run(council, date(2026, 4, 9))
    # Withdrawn after the run started: left for the next print file.
    recovery_withdraw(action=reminders[2], grounds="error", reason="Wrong", today=date(2026, 4, 9))

    def die_after_one_chunk(run, done, total):
        if done == 1:
            raise Killed

    with pytest.raises(Killed):
        run_execute(run=run, on_progress=die_after_one_chunk)
    run = run_execute(run=Run.objects.get(pk=run.pk))
    ids = [row["notice_id"] for row in printed(run)]
    assert ids == [str(reminders[0].pk), str(reminders[1].pk)]
    later = run_execute(run=print_run(council, date(2026, 4, 9)))
    assert [row["notice_id"] for row in printed(later)] == [str(reminders[2].pk)]


@pytest.mark.parametrize(
    ("stage", "first"),
    [
        ("second_reminder", "We have withdrawn the second reminder notice we sent you on 1 May 2026."),
        ("final_notice", "We have withdrawn the final notice we sent you on 1 May 2026."),
        ("liability_order", "We have withdrawn the liability order we sent you on 1 May 2026."),
    ],
)
def test_the_letter_names_each_kind_of_notice_in_plain_words(stage, first):
    lines = letters.letter_lines(
        stage=stage, tax_words="business rates", issued_on=date(2026, 5, 1), grounds="error", hearing=None,
        costs_off=Decimal("0.00"), costs_kept=Decimal("0.00"), owed=Decimal("12.34"), financial_year="2026-27",
        phone="",
    )  # fmt: skip
    assert lines[0] == first + " You do not need to act on it."
    assert lines[2].startswith("You now owe £12.34 of business rates for 2026-27")
    assert lines[-1] == "If you have a question, contact us."
