"""Sending a bill: by email to a taxpayer who chose e-billing, otherwise it waits for the print file.

The email carries the bill as a PDF attachment through the outbox's `email.smtp` kind (DESIGN.md rule 4). The PDF
is kept under MEDIA_ROOT (tenants/<tenant>/revenues/bills/<year>/<bill>.pdf) and the outbox message names it, so
the message stays small and the file is read only when the email goes. Not through GOV.UK Notify: its emails are
built from a template with text placeholders, with no way to attach the bill. The outbox key is per bill, so
sending a bill twice queues one email.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.core.outbox import outbox_enqueue
from borough.revenues.documents.bills import bill_document
from borough.revenues.documents.context import DocumentFacts, document_facts
from borough.revenues.documents.files import media_path, write_atomically
from borough.revenues.documents.render import pdf_of
from borough.revenues.documents.wording import day, gbp
from borough.revenues.models import Bill

EMAIL_TEMPLATE = "revenues/documents/bill_email.txt"
DELIVERY_FIELDS = ["delivery", "sent_at"]


def bill_file_name(bill: Bill) -> str:
    return f"bill-{bill.number.replace('/', '-')}.pdf"


def bill_file_path(bill: Bill) -> str:
    """The stored PDF's path relative to MEDIA_ROOT."""
    return f"tenants/{bill.tenant_id}/revenues/bills/{bill.financial_year}/{bill.pk}.pdf"


def outbox_key(bill: Bill) -> str:
    return f"revenues-bill-{bill.pk}"


def bill_email(bill: Bill, facts: DocumentFacts, pdf: bytes) -> dict:
    """The outbox payload of a bill's email, its PDF stored for the outbox to attach."""
    relative = bill_file_path(bill)
    write_atomically(media_path(relative), pdf)
    what = "business rates" if bill.account.hereditament_id else "council tax"
    first = bill.instalments[0] if bill.instalments else None
    body = render_to_string(
        EMAIL_TEMPLATE,
        {
            "bill": bill,
            "what": what,
            "council": facts.council,
            "to_pay": gbp(bill.balance),
            "first_due": day(first[0]) if first else "",
        },
    )
    return {
        "to": [bill.account.ebilling_email],
        "subject": f"Your {what} bill {bill.financial_year} (account {bill.account.number})",
        "body": body,
        "attachments": [{"path": relative, "filename": bill_file_name(bill), "content_type": "application/pdf"}],
    }


@transaction.atomic
def bill_send(bill: Bill, *, facts: DocumentFacts | None = None) -> Bill:
    """Email the bill if its account has e-billing; otherwise leave it for the print file (run kind
    `revenues.bill_print`). A bill already sent, or replaced by a newer one, is left as it is."""
    bill = Bill.objects.select_for_update().select_related("account").get(pk=bill.pk)
    if bill.sent_at is not None or bill.superseded_on is not None:
        return bill
    if not bill.account.ebilling_email:
        if bill.delivery != Bill.Delivery.PRINT:
            bill.delivery = Bill.Delivery.PRINT
            bill.save(update_fields=["delivery"])
        return bill
    facts = facts or document_facts(tenant=bill.tenant, financial_year=bill.financial_year)
    before = snapshot(bill, DELIVERY_FIELDS)
    payload = bill_email(bill, facts, pdf_of([bill_document(bill, facts)]))
    message = outbox_enqueue(tenant=bill.tenant, kind="email.smtp", payload=payload, idempotency_key=outbox_key(bill))
    bill.delivery, bill.sent_at = Bill.Delivery.EMAIL, timezone.now()
    bill.save(update_fields=DELIVERY_FIELDS)
    audit_record(
        tenant=bill.tenant,
        action="revenues.bill_send",
        obj=bill,
        before=before,
        after=snapshot(bill, DELIVERY_FIELDS),
        detail={"outbox_message": message.pk},
    )
    return bill
