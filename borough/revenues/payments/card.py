"""Card payments taken online by GOV.UK Pay, recorded from its webhook.

GOV.UK Pay posts a JSON event to the webhook URL the council registered (here `/callbacks/pay/webhook`), with the
header `Pay-Signature`: the hex HMAC-SHA256 of the raw body, keyed with the webhook's signing secret
(docs.payments.service.gov.uk, "Webhooks": verify the signature before trusting the body). The event looks like
    {"webhook_message_id": "...", "created_date": "2026-04-09T10:15:00.000Z", "resource_id": "<payment id>",
     "api_version": 1, "resource_type": "payment", "event_type": "card_payment_succeeded",
     "resource": {"payment_id": "<payment id>", "amount": 12550, "reference": "NFD-000123",
                  "description": "Council tax", "metadata": {"financial_year": "2026-27"},
                  "state": {"status": "success", "finished": true}, "created_date": "..."}}
Amounts are in pence. Only `card_payment_succeeded` moves money here; other events are acknowledged and ignored.
The signing secret is never stored: it is read from the environment variable BOROUGH_PAY_WEBHOOK_SECRET_<SLUG>,
as Notify's API key is (borough/channels/notify/services.py).

Each succeeded payment becomes a row of the day's "card payments" PaymentFile, posted (idempotent on the payment
id: GOV.UK Pay retries until it gets a 2xx) or, when its reference names no account, kept for an officer to
resolve like any rejected file row: the money is never lost.
"""

import hashlib
import hmac
import os
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from borough.core.audit import audit_record
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import LedgerEntry, PaymentFile, PaymentFileRow
from borough.revenues.payments.balances import financial_year_of, payment_record
from borough.revenues.payments.services import (
    Unmatched,
    account_for_reference,
    file_totals_update,
    why_not_postable,
)
from borough.tenancy.models import Tenant

SUCCEEDED = "card_payment_succeeded"


def secret_env_name(tenant: Tenant) -> str:
    return f"BOROUGH_PAY_WEBHOOK_SECRET_{tenant.slug.upper().replace('-', '_')}"


def webhook_secret(tenant: Tenant) -> str:
    """The tenant's GOV.UK Pay webhook signing secret, or "" when it takes no card payments."""
    return os.environ.get(secret_env_name(tenant), "").strip()


def signature_for(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, given: str) -> bool:
    return bool(secret) and hmac.compare_digest(signature_for(secret, body), (given or "").strip().lower())


def _event_fields(payload) -> dict:
    """The fields of a succeeded-payment event; ValidationError naming what is missing or wrong."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        raise ValidationError({"body": "Send the webhook's JSON object"})
    resource = payload.get("resource")
    if not isinstance(resource, dict):
        raise ValidationError({"resource": "The event has no payment (resource)"})
    payment_id = resource.get("payment_id") or payload.get("resource_id")
    if not isinstance(payment_id, str) or not payment_id.strip() or len(payment_id) > 100:
        errors["resource.payment_id"] = "The payment has no id"
    amount = resource.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["resource.amount"] = "The amount must be a whole number of pence above zero"
    created = resource.get("created_date") or payload.get("created_date")
    try:
        paid_on = datetime.fromisoformat(str(created).replace("Z", "+00:00")).date()
    except ValueError:
        errors["resource.created_date"] = "The payment's date is not an ISO 8601 date and time"
        paid_on = None
    reference = resource.get("reference")
    if not isinstance(reference, str):
        errors["resource.reference"] = "The payment has no reference"
    metadata = resource.get("metadata") if isinstance(resource.get("metadata"), dict) else {}
    if errors:
        raise ValidationError(errors)
    return {
        "payment_id": payment_id.strip(),
        "amount": (Decimal(amount) / 100).quantize(Decimal("0.01")),
        "paid_on": paid_on,
        "reference": reference.strip()[:100],
        "metadata": {str(k)[:40]: str(v)[:100] for k, v in list(metadata.items())[:10]},
        "description": str(resource.get("description", ""))[:100],
    }


def _day_file(tenant: Tenant, day: date) -> PaymentFile:
    """The day's card payments "file" (created once; locked so rows get their line numbers one at a time)."""
    key = hashlib.sha256(f"govuk-pay:{day.isoformat()}".encode()).hexdigest()
    values = {"source": PaymentFile.Source.CARD, "name": f"GOV.UK Pay card payments {day.isoformat()}"}
    try:
        with transaction.atomic():
            PaymentFile.objects.get_or_create(tenant=tenant, sha256=key, defaults=values)
    except IntegrityError:
        pass  # created by a concurrent callback
    return PaymentFile.objects.select_for_update().get(tenant=tenant, sha256=key)


def _year(fields: dict) -> str:
    year = fields["metadata"].get("financial_year", "")
    try:
        return FinancialYear.parse(year).name
    except InputError:
        return financial_year_of(fields["paid_on"])


@transaction.atomic
def card_payment_receive(*, tenant: Tenant, payload) -> tuple[str, PaymentFileRow | None]:
    """Record a GOV.UK Pay event: ("ignored", None) for events other than a succeeded payment, else ("posted" or
    "held for review", the row); the same payment again returns its first row."""
    if not isinstance(payload, dict):
        raise ValidationError({"body": "Send the webhook's JSON object"})
    if payload.get("event_type") != SUCCEEDED:
        return "ignored", None
    fields = _event_fields(payload)
    earlier = PaymentFileRow.objects.filter(
        tenant=tenant, file__source=PaymentFile.Source.CARD, values__payment_id=fields["payment_id"]
    ).first()
    if earlier is not None:
        return ("posted" if earlier.entry_id else "held for review"), earlier
    file = _day_file(tenant, fields["paid_on"])
    line = (file.rows.aggregate(last=Max("line_number"))["last"] or 0) + 1
    row = PaymentFileRow(
        tenant=tenant,
        file=file,
        line_number=line,
        raw=f"{fields['payment_id']} {fields['reference']} {fields['amount']} {fields['paid_on'].isoformat()}",
        values={**fields, "paid_on": fields["paid_on"].isoformat(), "amount": str(fields["amount"])},
        status=PaymentFileRow.Status.REJECTED,
    )
    try:
        account = account_for_reference(tenant, fields["reference"])
        row.values["account"] = account.number
        reason = why_not_postable(account, fields["paid_on"], fields["amount"])
    except Unmatched as error:
        reason = str(error)
    if reason:
        row.error = reason[:300]
    else:
        row.entry = payment_record(
            account=account,
            financial_year=_year(fields),
            amount=fields["amount"],
            method=LedgerEntry.Method.CARD,
            posted_on=fields["paid_on"],
            reference=fields["reference"],
            source_key=f"govuk-pay:{fields['payment_id']}",
            note=f"GOV.UK Pay payment {fields['payment_id']}"[:300],
        )
        row.status = PaymentFileRow.Status.POSTED
    row.save()
    file_totals_update(file)
    audit_record(
        tenant=tenant,
        action="revenues.card_payment_receive",
        obj=file,
        after={"payment_id": fields["payment_id"], "amount": str(fields["amount"]), "status": row.status},
        detail={"row_id": row.pk, "reason": row.error},
    )
    return ("posted" if row.entry_id else "held for review"), row
