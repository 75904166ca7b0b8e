"""ARUDD: the Bacs report of direct debits the payers' banks returned unpaid.

A returned collection becomes a reversal entry (keyed by the payment, so a report imported twice reverses once):
the instalment is unpaid again and `arrears` shows it, which is all the recovery run needs to take it up. Return
reasons that end the instruction (codes 1, 2, 3, 5, 6, B) mark the mandate rejected by the payer's bank;
"0 refer to payer" leaves it, and the next collection file re-presents the debit (code 18).
"""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record
from borough.revenues.models import DirectDebitMandate, LedgerEntry
from borough.revenues.payments.balances import reversal_record
from borough.revenues.payments.direct_debit import LIVE
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


@dataclass(frozen=True)
class ReturnedDebit:
    reference: str
    payer_name: str
    amount: Decimal
    reason_code: str
    original_processing_date: date | None


@dataclass
class AruddResult:
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
                reason_code=(item.get("returnCode") or "").strip().upper(),
                original_processing_date=original_day,
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


@transaction.atomic
def arudd_import(*, tenant: Tenant, content: bytes) -> AruddResult:
    """Reverse each collection an ARUDD report returns (once, however often the report is imported) and end the
    mandates whose return reason ends the instruction. Items that match no collection are listed, not lost: the
    report is audited whole."""
    try:
        current_day, items = parse_arudd(content)
    except ValueError as error:
        raise ValidationError({"file": str(error)}) from None
    posted_on = current_day or timezone.localdate()
    result = AruddResult()
    for item in items:
        reason = RETURN_REASONS.get(item.reason_code, "Unknown reason")
        entry = _collection_for(item)
        if entry is None:
            result.unmatched.append(f"{item.reference} £{item.amount} ({item.reason_code} {reason})")
            continue
        done_before = entry.reversals.filter(kind=LedgerEntry.Kind.REVERSAL).exists()
        reversal = reversal_record(
            entry=entry,
            posted_on=posted_on,
            reason=f"ARUDD {item.reason_code}: {reason}",
            source_key=f"arudd:{entry.pk}",
        )
        (result.already if done_before else result.reversed).append(reversal)
        if item.reason_code in ENDS_MANDATE:
            mandates = DirectDebitMandate.objects.select_for_update().filter(
                account_id=entry.account_id, reference=item.reference, status__in=LIVE
            )
            for mandate in mandates:
                mandate.status = DirectDebitMandate.Status.REJECTED
                mandate.cancelled_on = posted_on
                mandate.cancel_reason = f"Returned by the payer's bank: ARUDD {item.reason_code} {reason}"
                mandate.save(update_fields=["status", "cancelled_on", "cancel_reason"])
                audit_record(
                    tenant=tenant,
                    action="revenues.mandate_end_by_bank",
                    obj=mandate.account,
                    after={"status": mandate.status, "reason": mandate.cancel_reason},
                    detail={"mandate_id": mandate.pk},
                )
                result.mandates_ended.append(mandate)
    audit_record(
        tenant=tenant,
        action="revenues.arudd_import",
        obj=tenant,
        after={
            "reversed": len(result.reversed),
            "already": len(result.already),
            "unmatched": result.unmatched,
            "mandates_ended": len(result.mandates_ended),
        },
    )
    return result
