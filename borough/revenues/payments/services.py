"""Payment files in: each row posted to its account or kept, with its reason, for an officer to resolve.

A row is posted when its reference names one account of the council (see `account_for_reference`), its date and
amount read, and the account can take it; otherwise it is kept as rejected. The file is imported in one
transaction, so a crash half way leaves nothing to tidy up, and the same file (by SHA-256) is refused a second time.
"""

import hashlib
import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from borough.core.audit import Actor, acting_as, audit_record
from borough.revenues.models import Account, LedgerEntry, PaymentFile, PaymentFileRow
from borough.revenues.payments.balances import financial_year_of, payment_record, year_balance
from borough.revenues.payments.files import FileRefused, ParsedRow, barcode_account_digits, parse
from borough.revenues.services.common import Errors
from borough.tenancy.models import Tenant

METHOD_FOR_SOURCE = {
    PaymentFile.Source.BANK: LedgerEntry.Method.BANK,
    PaymentFile.Source.POST_OFFICE: LedgerEntry.Method.POST_OFFICE,
    PaymentFile.Source.PAYPOINT: LedgerEntry.Method.PAYPOINT,
    PaymentFile.Source.CARD: LedgerEntry.Method.CARD,
}
MAX_FILE_BYTES = 20 * 1024 * 1024


class Unmatched(ValueError):
    """A reference that names no account, or more than one."""


def account_for_reference(tenant: Tenant, reference: str) -> Account:
    """The account a payer's reference names: its number as printed ("NFD-000123", "nfd000123", inside other
    words), a payment card barcode, or the number's digits alone. Raises Unmatched saying why not."""
    text = (reference or "").strip()
    if not text:
        raise Unmatched("The payment has no reference")
    prefix = tenant.reference_prefix
    numbers: set[str] = set()
    if text.isdigit() and len(text) == 19:
        try:
            numbers.add(f"{prefix}-{int(barcode_account_digits(text)):06d}")
        except ValueError as error:
            raise Unmatched(str(error)) from None
    else:
        pattern = rf"(?<![A-Za-z0-9]){re.escape(prefix)}[\s\-/]?0*(\d{{1,12}})(?!\d)"
        numbers.update(f"{prefix}-{int(digits):06d}" for digits in re.findall(pattern, text, flags=re.IGNORECASE))
        if not numbers:
            bare = re.findall(r"(?<![\d.,])(\d{5,12})(?![\d.,])", text)
            numbers.update(f"{prefix}-{int(digits):06d}" for digits in bare)
        numbers.add(" ".join(text.split()).upper())  # a number in another form (migrated accounts)
    found = list(Account.objects.filter(tenant=tenant, number__in=numbers)[:2])
    if not found:
        raise Unmatched(f"No account matches the reference {text[:60]!r}")
    if len(found) > 1:
        raise Unmatched(f"The reference {text[:60]!r} names more than one account")
    return found[0]


def _json_values(values: dict) -> dict:
    plain = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dict):
            value = _json_values(value)
        plain[key] = value
    return plain


def why_not_postable(account: Account, paid_on: date, amount: Decimal) -> str:
    if paid_on > timezone.localdate():
        return f"The payment date {paid_on.isoformat()} is in the future"
    if account.status == Account.Status.CLOSED:
        year = financial_year_of(paid_on)
        if year_balance(account=account, financial_year=year) <= 0:
            return f"Account {account.number} is closed and owes nothing for {year}: check whose payment it is"
    return ""


def _post_row(file: PaymentFile, parsed: ParsedRow, source_key: str) -> PaymentFileRow:
    values = parsed.values
    row = PaymentFileRow(
        tenant=file.tenant,
        file=file,
        line_number=parsed.line_number,
        raw=parsed.raw[:2000],
        values=_json_values(values),
        status=PaymentFileRow.Status.REJECTED,
        error=parsed.error[:300],
    )
    if not parsed.error:
        try:
            account = account_for_reference(file.tenant, values.get("reference", ""))
            row.values["account"] = account.number
            earlier = LedgerEntry.objects.filter(tenant=file.tenant, source_key=source_key).first()
            reason = why_not_postable(account, values["paid_on"], values["amount"])
            if earlier is not None:
                reason = f"Already posted on {earlier.posted_on.isoformat()} (the same transaction in another file)"
        except Unmatched as error:
            reason = str(error)
        if reason:
            row.error = reason[:300]
        else:
            row.entry = payment_record(
                account=account,
                financial_year=financial_year_of(values["paid_on"]),
                amount=values["amount"],
                method=METHOD_FOR_SOURCE[file.source],
                posted_on=values["paid_on"],
                reference=values.get("reference", "")[:100],
                source_key=source_key,
                note=f"{file.get_source_display()} file {file.name[:100]}, line {parsed.line_number}",
            )
            row.status, row.error = PaymentFileRow.Status.POSTED, ""
    row.save()
    return row


def _source_key(file: PaymentFile, parsed: ParsedRow) -> str:
    if file.source == PaymentFile.Source.PAYPOINT:
        return f"paypoint:{parsed.values.get('transaction_id', '')}"
    return f"{file.source}:{file.sha256[:24]}:{parsed.line_number}"


def file_totals_update(file: PaymentFile) -> None:
    """Recount a file's rows and what they posted (after an import, or an officer resolving a row)."""
    counts = file.rows.aggregate(
        total=Count("pk"),
        posted=Count("pk", filter=Q(entry__isnull=False)),
        rejected=Count("pk", filter=Q(status=PaymentFileRow.Status.REJECTED)),
        money=Sum("entry__amount"),
    )
    file.rows_total, file.rows_posted, file.rows_rejected = counts["total"], counts["posted"], counts["rejected"]
    file.total_posted = -(counts["money"] or Decimal("0.00")).quantize(Decimal("0.01"))
    file.save(update_fields=["rows_total", "rows_posted", "rows_rejected", "total_posted"])


def payment_file_import(
    *, tenant: Tenant, source: str, name: str, content: bytes, actor: Actor | None = None
) -> PaymentFile:
    """Import a payment file: refuse one already imported or unreadable (ValidationError on "file"), post each
    readable row to its account and keep the others as rejected, with their reason, for review."""
    if actor is not None:
        with acting_as(actor):
            return payment_file_import(tenant=tenant, source=source, name=name, content=content)
    errors = Errors()
    if source not in (PaymentFile.Source.BANK, PaymentFile.Source.POST_OFFICE, PaymentFile.Source.PAYPOINT):
        errors.add("source", "Choose bank, Post Office or PayPoint")
    if not isinstance(content, bytes) or not content:
        errors.add("file", "The file is empty")
    elif len(content) > MAX_FILE_BYTES:
        errors.add("file", f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it")
    name = " ".join(str(name or "").split())[:255] or "payments"
    errors.raise_any()
    sha = hashlib.sha256(content).hexdigest()
    earlier = PaymentFile.objects.filter(tenant=tenant, sha256=sha).first()
    if earlier is not None:
        raise ValidationError(
            {"file": f"This file was imported already, as {earlier.name} on {earlier.received_at:%d %B %Y}"}
        )
    try:
        parsed = parse(source, content)
    except FileRefused as error:
        raise ValidationError({"file": str(error)}) from None
    try:
        with transaction.atomic():
            file = PaymentFile.objects.create(tenant=tenant, source=source, name=name, sha256=sha)
            for row in parsed:
                _post_row(file, row, _source_key(file, row))
            file_totals_update(file)
            audit_record(
                tenant=tenant,
                action="revenues.payment_file_import",
                obj=file,
                after={
                    "source": source,
                    "name": name,
                    "rows": file.rows_total,
                    "posted": file.rows_posted,
                    "rejected": file.rows_rejected,
                    "total_posted": str(file.total_posted),
                },
            )
    except IntegrityError:
        if PaymentFile.objects.filter(tenant=tenant, sha256=sha).exists():
            raise ValidationError({"file": "This file was imported already (at the same moment)"}) from None
        raise
    return file


def _locked_rejected_row(row: PaymentFileRow) -> PaymentFileRow:
    row = PaymentFileRow.objects.select_for_update().select_related("file").get(pk=row.pk)
    if row.status != PaymentFileRow.Status.REJECTED:
        raise ValidationError({"row": "This row is not waiting for review: it was posted or resolved already"})
    return row


def _check_note(note: str, errors: Errors, *, required: bool) -> str:
    note = " ".join(str(note or "").split())
    if required and not note:
        errors.add("note", "Say how the row was resolved")
    elif len(note) > 300:
        errors.add("note", "Use at most 300 characters")
    return note


def _postable_values(row: PaymentFileRow) -> tuple[date, Decimal] | None:
    try:
        paid_on = date.fromisoformat(row.values["paid_on"])
        amount = Decimal(row.values["amount"])
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    return (paid_on, amount) if amount > 0 else None


def row_can_post(row: PaymentFileRow) -> bool:
    return row.status == PaymentFileRow.Status.REJECTED and _postable_values(row) is not None


@transaction.atomic
def payment_row_post(*, row: PaymentFileRow, account: Account | None, note: str = "") -> PaymentFileRow:
    """An officer posts a rejected row to the account it belongs to."""
    row = _locked_rejected_row(row)
    errors = Errors()
    note = _check_note(note, errors, required=False)
    if not isinstance(account, Account) or account.tenant_id != row.tenant_id:
        errors.add("account", "Choose an account of this council")
    postable = _postable_values(row)
    if postable is None:
        errors.add("row", "The row's date or amount cannot be read: mark it resolved with a note instead")
    errors.raise_any()
    paid_on, amount = postable
    row.entry = payment_record(
        account=account,
        financial_year=financial_year_of(paid_on),
        amount=amount,
        method=METHOD_FOR_SOURCE[row.file.source],
        posted_on=paid_on,
        reference=str(row.values.get("reference", ""))[:100],
        source_key=f"payment-row:{row.pk}",
        note=f"Posted by an officer from {row.file.name[:100]}, line {row.line_number}",
    )
    row.status, row.note = PaymentFileRow.Status.RESOLVED, note
    row.save(update_fields=["entry", "status", "note"])
    file_totals_update(row.file)
    audit_record(
        tenant=row.tenant,
        action="revenues.payment_row_post",
        obj=row.file,
        before={"status": PaymentFileRow.Status.REJECTED},
        after={"status": row.status, "account": account.number, "amount": str(amount), "note": note},
        detail={"row_id": row.pk, "line": row.line_number, "error": row.error},
    )
    return row


@transaction.atomic
def payment_row_dismiss(*, row: PaymentFileRow, note: str) -> PaymentFileRow:
    """An officer marks a rejected row resolved without posting it (returned to the payer, posted by hand...)."""
    row = _locked_rejected_row(row)
    errors = Errors()
    note = _check_note(note, errors, required=True)
    errors.raise_any()
    row.status, row.note = PaymentFileRow.Status.RESOLVED, note
    row.save(update_fields=["status", "note"])
    file_totals_update(row.file)
    audit_record(
        tenant=row.tenant,
        action="revenues.payment_row_dismiss",
        obj=row.file,
        before={"status": PaymentFileRow.Status.REJECTED},
        after={"status": row.status, "note": note},
        detail={"row_id": row.pk, "line": row.line_number, "error": row.error},
    )
    return row
