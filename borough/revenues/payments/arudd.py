"""ARUDD: the Bacs report of direct debits the payers' banks returned unpaid.

The report is imported once: the same file (SHA-256) is refused, and it is kept as a `BacsReport` (kind "arudd")
with a `BacsReportItem` per returned item, applied or kept for review with why, shown on the Bacs reports pages.
A returned collection becomes a reversal entry (keyed by the payment, so two reports returning it reverse once):
the instalment is unpaid again and `arrears` shows it, which is all the recovery run needs to take it up. Return
reasons that end the instruction (codes 1, 2, 3, 5, 6, B) mark the mandate rejected by the payer's bank;
"0 refer to payer" leaves it, and the next collection file re-presents the debit (code 18).
"""

import hashlib
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.core.audit import Actor, acting_as, audit_record
from borough.revenues.models import BacsReport, BacsReportItem, DirectDebitMandate, LedgerEntry
from borough.revenues.payments.balances import reversal_record
from borough.revenues.payments.direct_debit import LIVE
from borough.revenues.services.common import Errors
from borough.tenancy.models import Tenant

# ARUDD return reasons (Bacs "Automated Return of Unpaid Direct Debits").
RETURN_REASONS = {
    "0": "Refer to payer",
    "1": "Instruction cancelled by the payer",
    "2": "Payer deceased",
    "3": "Account transferred",
    "4": "Advance notice disputed",
    "5": "No account",
    "6": "No instruction",
    "7": "Amount differs",
    "8": "Amount not yet due",
    "9": "Presentation overdue",
    "A": "Service user differs",
    "B": "Account closed",
}
ENDS_MANDATE = {"1", "2", "3", "5", "6", "B"}
REFER_TO_PAYER = "0"
MAX_REPORT_BYTES = 10 * 1024 * 1024
MAX_RAW = 2000


@dataclass(frozen=True)
class ReturnedDebit:
    reference: str
    payer_name: str
    amount: Decimal
    reason_code: str
    original_processing_date: date | None
    position: int = 0  # 1: the report's first returned item
    raw: str = ""  # the item as the report has it

    def values(self) -> dict:
        return {
            "payer_name": self.payer_name,
            "amount": str(self.amount),
            "reason": RETURN_REASONS.get(self.reason_code, "Unknown reason"),
            "original_processing_date": (
                self.original_processing_date.isoformat() if self.original_processing_date else ""
            ),
        }


@dataclass
class AruddResult:
    report: BacsReport | None = None
    reversed: list[LedgerEntry] = field(default_factory=list)
    already: list[LedgerEntry] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    mandates_ended: list[DirectDebitMandate] = field(default_factory=list)


def parse_arudd(content: bytes) -> tuple[date | None, list[ReturnedDebit]]:
    """The returned debits of an ARUDD report (the XML Bacs publishes: BACSDocument/Data/ARUDD/Header and
    .../Advice/OriginatingAccountRecords/OriginatingAccountRecord/ReturnedDebitItem with ref, returnCode,
    valueOf, originalProcessingDate and a PayerAccount child). ValueError says why a file cannot be read."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The report is not UTF-8 XML") from None
    # Entities are the XML attacks (billion laughs): an ARUDD report declares none, so any declaration is refused.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, flags=re.IGNORECASE):
        raise ValueError("The report declares a DOCTYPE or entities: an ARUDD report has none")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the declaration names an encoding a str must not carry
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - declarations refused above
    except ElementTree.ParseError as error:
        raise ValueError(f"The report is not well-formed XML ({error})") from None
    if root.find(".//ARUDD") is None and root.tag != "ARUDD":
        raise ValueError("This is not an ARUDD report (no ARUDD element)")
    header = root.find(".//ARUDD/Header")
    current = header.get("currentProcessingDate") if header is not None else None
    items = []
    for number, item in enumerate(root.iter("ReturnedDebitItem"), start=1):
        payer = item.find("PayerAccount")
        try:
            amount = Decimal(item.get("valueOf", ""))
        except InvalidOperation:
            raise ValueError(f"Returned item {number}: valueOf {item.get('valueOf')!r} is not an amount") from None
        original = item.get("originalProcessingDate")
        try:
            original_day = date.fromisoformat(original) if original else None
        except ValueError:
            raise ValueError(f"Returned item {number}: originalProcessingDate {original!r} is not a date") from None
        reference = item.get("ref") or (payer.get("ref") if payer is not None else "") or ""
        items.append(
            ReturnedDebit(
                reference=reference.strip().upper(),
                payer_name=(payer.get("name", "") if payer is not None else "").strip(),
                amount=amount,
                reason_code=(item.get("returnCode") or "").strip().upper()[:2],
                original_processing_date=original_day,
                position=number,
                raw=ElementTree.tostring(item, encoding="unicode")[:MAX_RAW],
            )
        )
    try:
        current_day = date.fromisoformat(current) if current else None
    except ValueError:
        raise ValueError(f"currentProcessingDate {current!r} is not a date") from None
    return current_day, items


def _collection_for(item: ReturnedDebit) -> LedgerEntry | None:
    entries = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.PAYMENT,
        method=LedgerEntry.Method.DIRECT_DEBIT,
        reference=item.reference,
        amount=-item.amount,
    )
    if item.original_processing_date is not None:
        entries = entries.filter(posted_on=item.original_processing_date)
    return entries.order_by("-posted_on", "-pk").first()


def _why_unmatched(item: ReturnedDebit) -> str:
    """Why no collection matches a returned item: unknown reference, no such payment, or the amount differs."""
    collections = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.PAYMENT, method=LedgerEntry.Method.DIRECT_DEBIT, reference=item.reference
    )
    if not item.reference:
        return "Unknown reference: the returned item has none"
    known = collections.exists() or DirectDebitMandate.objects.filter(reference=item.reference).exists()
    if not known:
        return f"Unknown reference: no direct debit has the reference {item.reference}"
    on = item.original_processing_date
    same_day = collections.filter(posted_on=on) if on is not None else collections
    amounts = sorted({-amount for amount in same_day.values_list("amount", flat=True)})
    if amounts:
        collected = ", ".join(f"£{amount}" for amount in amounts)
        day = f" on {on.isoformat()}" if on is not None else ""
        return f"Amount differs: {item.reference} was collected {collected}{day}, the report returns £{item.amount}"
    day = f" on {on.isoformat()}" if on is not None else ""
    return f"No such payment: no collection from {item.reference}{day}"


def _end_mandates(tenant: Tenant, entry: LedgerEntry, item: ReturnedDebit, reason: str, on: date) -> list:
    ended = []
    mandates = DirectDebitMandate.objects.select_for_update().filter(
        account_id=entry.account_id, reference=item.reference, status__in=LIVE
    )
    for mandate in mandates:
        mandate.status = DirectDebitMandate.Status.REJECTED
        mandate.cancelled_on = on
        mandate.cancel_reason = f"Returned by the payer's bank: ARUDD {item.reason_code} {reason}"[:200]
        mandate.save(update_fields=["status", "cancelled_on", "cancel_reason"])
        audit_record(
            tenant=tenant,
            action="revenues.mandate_end_by_bank",
            obj=mandate.account,
            after={"status": mandate.status, "reason": mandate.cancel_reason},
            detail={"mandate_id": mandate.pk},
        )
        ended.append(mandate)
    return ended


def _item(report: BacsReport, item: ReturnedDebit, posted_on: date, result: AruddResult) -> BacsReportItem:
    reason = RETURN_REASONS.get(item.reason_code, "Unknown reason")
    row = BacsReportItem(
        tenant=report.tenant,
        report=report,
        position=item.position,
        raw=item.raw,
        reason_code=item.reason_code,
        reference=item.reference[:18],
        values=item.values(),
    )
    entry = _collection_for(item)
    if entry is None:
        result.unmatched.append(f"{item.reference} £{item.amount} ({item.reason_code} {reason})")
        row.status, row.outcome = BacsReportItem.Status.REVIEW, _why_unmatched(item)[:300]
        named = DirectDebitMandate.objects.filter(reference=item.reference).order_by("-created_at").first()
        row.account_id = named.account_id if named and item.reference else None
        row.save()
        return row
    done_before = entry.reversals.filter(kind=LedgerEntry.Kind.REVERSAL).exists()
    reversal = reversal_record(
        entry=entry,
        posted_on=posted_on,
        reason=f"ARUDD {item.reason_code}: {reason}",
        source_key=f"arudd:{entry.pk}",
    )
    (result.already if done_before else result.reversed).append(reversal)
    ended = []
    if item.reason_code in ENDS_MANDATE:
        ended = _end_mandates(report.tenant, entry, item, reason, posted_on)
    result.mandates_ended.extend(ended)
    collected = f"£{item.amount} collected on {entry.posted_on.isoformat()}"
    outcome = (
        f"Already reversed (by an earlier report): {collected}"
        if done_before
        else f"Reversed: {collected}, returned ({reason.lower()})"
    )
    if ended:
        outcome += f"; direct debit {item.reference} ended"
    elif item.reason_code == REFER_TO_PAYER and not done_before:
        outcome += "; the next collection file re-presents it"
    row.status, row.outcome, row.follow_up = BacsReportItem.Status.APPLIED, outcome[:300], bool(ended)
    row.entry, row.account_id = reversal, entry.account_id
    row.mandate = ended[0] if ended else None
    row.save()
    return row


def arudd_import(*, tenant: Tenant, content: bytes, name: str = "", actor: Actor | None = None) -> AruddResult:
    """Import an ARUDD report once (the same file, by SHA-256, is refused with a message on "file"), kept as a
    `BacsReport` of kind "arudd" with a `BacsReportItem` per returned item. Reverse each returned collection (once,
    however many reports return it) and end the mandates whose return reason ends the instruction. An item that
    matches no collection is kept for review with why (unknown reference, no such payment, amount differs)."""
    if actor is not None:
        with acting_as(actor):
            return arudd_import(tenant=tenant, content=content, name=name)
    errors = Errors()
    if not isinstance(content, bytes) or not content:
        errors.add("file", "The file is empty")
    elif len(content) > MAX_REPORT_BYTES:
        errors.add("file", f"The file is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB")
    errors.raise_any()
    name = " ".join(str(name or "").split())[:255] or "ARUDD report"
    sha = hashlib.sha256(content).hexdigest()
    earlier = BacsReport.objects.filter(tenant=tenant, sha256=sha).first()
    if earlier is not None:
        raise ValidationError(
            {"file": f"This report was imported already, as {earlier.name} on {earlier.received_at:%d %B %Y}"}
        )
    try:
        current_day, items = parse_arudd(content)
    except ValueError as error:
        raise ValidationError({"file": str(error)}) from None
    posted_on = current_day or timezone.localdate()
    result = AruddResult()
    try:
        with transaction.atomic():
            report = BacsReport.objects.create(
                tenant=tenant, kind=BacsReport.Kind.ARUDD, name=name, sha256=sha, report_date=current_day
            )
            rows = [_item(report, item, posted_on, result) for item in items]
            report.count_items(rows)
            audit_record(
                tenant=tenant,
                action="revenues.arudd_import",
                obj=report,
                after={
                    "name": name,
                    "reversed": len(result.reversed),
                    "already": len(result.already),
                    "unmatched": result.unmatched,
                    "mandates_ended": len(result.mandates_ended),
                },
            )
    except IntegrityError:
        if BacsReport.objects.filter(tenant=tenant, sha256=sha).exists():
            raise ValidationError({"file": "This report was imported already (at the same moment)"}) from None
        raise
    result.report = report
    return result
