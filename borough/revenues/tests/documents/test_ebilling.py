"""E-billing: the bill by email with its PDF attached, through the outbox, once however often it is sent; a bill
without e-billing waits for the print file; the attachment is read from the tenant's own files only."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent, OutboxMessage
from borough.core.outbox import outbox_deliver, outbox_enqueue
from borough.revenues.documents.delivery import bill_send
from borough.revenues.models import Bill
from borough.revenues.tests.documents.bills import FULL_YEAR, make_bill, piece
from borough.revenues.tests.documents.pdftext import pdf_text
from borough.revenues.tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ebilling_bill(billing_council):
    account = make_account(billing_council, names=("Ann Example",))
    account.ebilling_email = "ann@example.org"
    account.save(update_fields=["ebilling_email"])
    return make_bill(account, [piece(*FULL_YEAR, "D")])


def test_a_bill_goes_by_email_once_even_if_sent_twice(ebilling_bill, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = bill_send(ebilling_bill)
        again = bill_send(ebilling_bill)
    assert OutboxMessage.objects.filter(kind="email.smtp").count() == 1
    assert (sent.delivery, again.sent_at) == (Bill.Delivery.EMAIL, sent.sent_at) and sent.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["ann@example.org"]
    assert email.subject == f"Your council tax bill 2026-27 (account {ebilling_bill.account.number})"
    assert "Dear Ann Example" in email.body and "The amount to pay for the year is £2,270.00." in email.body
    assert "The first instalment is due on 1 April 2026." in email.body
    [(filename, content, content_type)] = email.attachments
    assert filename == f"bill-{ebilling_bill.number.replace('/', '-')}.pdf" and content_type == "application/pdf"
    assert "Council tax bill 2026-27" in pdf_text(content) and ebilling_bill.number in pdf_text(content)
    # The payload names the file rather than holding it.
    message = OutboxMessage.objects.get(kind="email.smtp")
    assert message.idempotency_key == f"revenues-bill-{ebilling_bill.pk}"
    assert message.payload["attachments"][0]["path"].startswith(f"tenants/{ebilling_bill.tenant_id}/revenues/bills/")
    assert len(str(message.payload)) < 2000
    assert AuditEvent.objects.filter(action="revenues.bill_send", object_id=str(ebilling_bill.pk)).count() == 1


def test_a_bill_without_ebilling_waits_for_the_print_file(billing_council):
    bill = make_bill(make_account(billing_council), [piece(*FULL_YEAR, "D")])
    bill = bill_send(bill)
    assert (bill.delivery, bill.sent_at) == (Bill.Delivery.PRINT, None)
    assert not OutboxMessage.objects.exists()


def test_a_superseded_bill_is_not_sent(ebilling_bill):
    Bill.objects.filter(pk=ebilling_bill.pk).update(superseded_on=date(2026, 5, 1))
    assert bill_send(ebilling_bill).sent_at is None
    assert not OutboxMessage.objects.exists()


def test_an_attachment_must_be_a_tenant_file(billing_council, media):
    base = {"to": ["ann@example.org"], "subject": "Bill", "body": "Attached."}
    for bad in (
        [{"path": "/etc/passwd", "filename": "x.pdf", "content_type": "application/pdf"}],
        [{"path": "tenants/1/../../secret.pdf", "filename": "x.pdf", "content_type": "application/pdf"}],
        [{"path": "tenants/1/a.pdf", "filename": "", "content_type": "application/pdf"}],
        "tenants/1/a.pdf",
    ):
        with pytest.raises(ValidationError) as error:
            outbox_enqueue(tenant=billing_council, kind="email.smtp", payload={**base, "attachments": bad},
                           idempotency_key="bad")  # fmt: skip
        assert "attachments" in error.value.message_dict
    # Another tenant's file is refused when the email would go, and the message is given up, not retried.
    other = media / "tenants" / str(billing_council.pk + 1) / "a.pdf"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"%PDF-1.7 someone else's")
    path = f"tenants/{billing_council.pk + 1}/a.pdf"
    attachment = {"path": path, "filename": "a.pdf", "content_type": "application/pdf"}
    message = outbox_enqueue(tenant=billing_council, kind="email.smtp", payload={**base, "attachments": [attachment]},
                             idempotency_key="other-tenant")  # fmt: skip
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.DEAD and "not one of this tenant's files" in message.last_error
    assert mail.outbox == []


def test_notify_email_cannot_carry_an_attachment(billing_council):
    attachment = {"path": "tenants/1/a.pdf", "filename": "a.pdf", "content_type": "application/pdf"}
    payload = {"to": ["ann@example.org"], "subject": "Bill", "body": "Attached.", "attachments": [attachment]}
    import borough.channels.notify.outbox  # noqa: F401  registers email.notify

    with pytest.raises(ValidationError) as error:
        outbox_enqueue(tenant=billing_council, kind="email.notify", payload=payload, idempotency_key="notify")
    assert "attachments" in error.value.message_dict
