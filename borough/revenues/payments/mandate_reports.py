"""ADDACS and AUDDIS reports applied to the direct debit mandates (the reports are parsed by
borough.revenues.payments.bacs_reports).

Each advice is matched to a mandate by its reference (and, where the advice gives them, the payer's sort code and
account number) and applied: ADDACS 0, 1, 2, B and C (without new details) end the mandate, 3, C (with new
details) and E amend its bank details, D leaves it (the payer disputed an advance notice), R reinstates it; an
AUDDIS rejection marks the mandate rejected. The account then waits for an officer (`follow_up`), shown on its page
and on the report's. An advice that cannot be read, or matches no mandate, or would not make sense applied, is kept
for review with its reason. A report imported before (same SHA-256) is refused, like the payment files.
"""

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.core.audit import Actor, acting_as, audit_record, snapshot
from borough.revenues.models import BacsReport, BacsReportItem, DirectDebitMandate, RevenuesSettings
from borough.revenues.payments import bacs_reports
from borough.revenues.payments.bacs_reports import ADDACS, AUDDIS, Advice, ReportRefused
from borough.revenues.payments.direct_debit import LIVE
from borough.revenues.services.common import Errors
from borough.tenancy.models import Tenant

MAX_REPORT_BYTES = 10 * 1024 * 1024
ENDS = {"0", "1", "2", "B"}  # ADDACS codes that end the instruction
AMENDS = {"3", "E"}  # ADDACS codes that carry new details (C too, when it gives them)
MANDATE_FIELDS = ["status", "sort_code", "account_number", "payer_name", "cancelled_on", "cancel_reason"]


class Kept(Exception):
    """An advice that cannot be applied: kept for review with this reason."""


def _masked(mandate: DirectDebitMandate) -> dict:
    return {
        "sort_code": mandate.sort_code,
        "account": "****" + mandate.account_number[-4:],
        "payer_name": mandate.payer_name,
    }


def _mandate_for(advice: Advice, *, live: bool) -> DirectDebitMandate:
    mandates = DirectDebitMandate.objects.select_for_update().filter(reference=advice.reference)
    mandates = mandates.filter(status__in=LIVE) if live else mandates.exclude(status__in=LIVE)
    mandate = mandates.order_by("-created_at", "-pk").first()
    if mandate is None:
        others = DirectDebitMandate.objects.filter(reference=advice.reference).order_by("-created_at").first()
        if others is None:
            raise Kept(f"No direct debit has the reference {advice.reference}")
        state = others.get_status_display().lower()
        raise Kept(
            f"The direct debit {advice.reference} is {state}: there is no {'live ' if live else ''}one to change"
        )
    if (advice.sort_code and advice.sort_code != mandate.sort_code) or (
        advice.account_number and advice.account_number != mandate.account_number
    ):
        raise Kept(f"The bank details in the advice are not those of the direct debit {advice.reference}")
    return mandate


def _save(mandate: DirectDebitMandate, before: dict, action: str, reason: str) -> None:
    mandate.save(update_fields=[*MANDATE_FIELDS, "amendments"])
    audit_record(
        tenant=mandate.tenant,
        action=action,
        obj=mandate.account,
        before=before,
        after={**_masked(mandate), "status": mandate.status, "reason": reason},
        detail={"mandate_id": mandate.pk},
    )


def _end(mandate: DirectDebitMandate, advice: Advice, on: date, label: str) -> str:
    before = {**_masked(mandate), "status": mandate.status}
    mandate.status = DirectDebitMandate.Status.REJECTED
    mandate.cancelled_on = on
    mandate.cancel_reason = f"{label} {advice.reason_code}: {advice.reason}"[:200]
    _save(mandate, before, "revenues.mandate_end_by_bank", mandate.cancel_reason)
    return f"Direct debit {mandate.reference} ended ({advice.reason.lower()})"


def _amend(mandate: DirectDebitMandate, advice: Advice, on: date) -> str:
    before = _masked(mandate)
    new_name = " ".join(advice.new_payer_name.upper().split())[:18]
    mandate.sort_code = advice.new_sort_code or mandate.sort_code
    mandate.account_number = advice.new_account_number or mandate.account_number
    mandate.payer_name = new_name or mandate.payer_name
    after = _masked(mandate)
    mandate.amendments = [
        *mandate.amendments,
        {"on": on.isoformat(), "code": advice.reason_code, "reason": advice.reason, "before": before, "after": after},
    ]
    _save(mandate, {**before, "status": mandate.status}, "revenues.mandate_amend_by_bank", advice.reason)
    changed = [label for label, key in (("sort code", "sort_code"), ("account", "account"), ("name", "payer_name"))
               if before[key] != after[key]]  # fmt: skip
    return f"Direct debit {mandate.reference}: {', '.join(changed) or 'nothing'} changed ({advice.reason.lower()})"


def _reinstate(mandate: DirectDebitMandate, advice: Advice, on: date) -> str:
    if mandate.lodged_in_id is None:
        raise Kept(f"The direct debit {mandate.reference} was never lodged with the bank: set it up again")
    if DirectDebitMandate.objects.filter(account_id=mandate.account_id, status__in=LIVE).exists():
        raise Kept(f"The account has another live direct debit: {mandate.reference} was not reinstated")
    before = {**_masked(mandate), "status": mandate.status, "cancel_reason": mandate.cancel_reason}
    mandate.amendments = [
        *mandate.amendments,
        {"on": on.isoformat(), "code": "R", "reason": advice.reason, "before": {"status": mandate.status}},
    ]
    mandate.status = DirectDebitMandate.Status.ACTIVE
    mandate.cancelled_on = None
    mandate.cancel_reason = ""
    _save(mandate, before, "revenues.mandate_reinstate_by_bank", advice.reason)
    return f"Direct debit {mandate.reference} reinstated"


def _apply_addacs(advice: Advice, on: date) -> tuple[DirectDebitMandate, str]:
    code = advice.reason_code
    if code == "R":
        mandate = _mandate_for(advice, live=False)
        return mandate, _reinstate(mandate, advice, on)
    mandate = _mandate_for(advice, live=True)
    if code in ENDS or (code == "C" and not advice.has_new_details):
        return mandate, _end(mandate, advice, on, "ADDACS")
    if code in AMENDS or code == "C":
        if not advice.has_new_details:
            return mandate, f"Direct debit {mandate.reference}: amended, no new details given (check with the payer)"
        return mandate, _amend(mandate, advice, on)
    return mandate, f"Direct debit {mandate.reference} unchanged: {advice.reason.lower()} (contact the payer)"


def _apply_auddis(advice: Advice, on: date) -> tuple[DirectDebitMandate, str, bool]:
    if advice.transaction_code == "0C":
        mandate = _mandate_for(advice, live=False)
        return (
            mandate,
            f"The bank rejected cancelling {mandate.reference} ({advice.reason.lower()}): it stays ended",
            False,
        )
    mandate = _mandate_for(advice, live=True)
    before = {**_masked(mandate), "status": mandate.status}
    mandate.status = DirectDebitMandate.Status.REJECTED
    mandate.cancelled_on = on
    mandate.cancel_reason = f"AUDDIS {advice.reason_code}: {advice.reason}"[:200]
    _save(mandate, before, "revenues.mandate_reject_by_bank", mandate.cancel_reason)
    return mandate, f"Direct debit {mandate.reference} rejected by the payer's bank ({advice.reason.lower()})", True


def _item(report: BacsReport, advice: Advice, on: date) -> BacsReportItem:
    item = BacsReportItem(
        tenant=report.tenant,
        report=report,
        position=advice.position,
        raw=advice.raw,
        reason_code=advice.reason_code,
        reference=advice.reference,
        values=advice.values(),
    )
    try:
        if advice.problem:
            raise Kept(advice.problem)
        with transaction.atomic():  # a kept advice leaves its mandate as it was
            if report.kind == ADDACS:
                mandate, outcome = _apply_addacs(advice, advice.effective_date or on)
                follow_up = True
            else:
                mandate, outcome, follow_up = _apply_auddis(advice, advice.effective_date or on)
    except Kept as kept:
        item.status, item.outcome = BacsReportItem.Status.REVIEW, str(kept)[:300]
        if advice.reference:  # shown on the account's page too, when the reference names one
            named = DirectDebitMandate.objects.filter(reference=advice.reference).order_by("-created_at").first()
            item.account_id = named.account_id if named else None
    else:
        item.status, item.outcome, item.follow_up = BacsReportItem.Status.APPLIED, outcome[:300], follow_up
        item.mandate, item.account_id = mandate, mandate.account_id
    item.save()
    return item


def bacs_report_import(
    *, tenant: Tenant, kind: str, name: str, content: bytes, actor: Actor | None = None
) -> BacsReport:
    """Import an ADDACS or AUDDIS report: refuse one imported before or unreadable (ValidationError on "file"),
    apply each advice to its mandate and keep the others for review, with their reason."""
    if actor is not None:
        with acting_as(actor):
            return bacs_report_import(tenant=tenant, kind=kind, name=name, content=content)
    errors = Errors()
    if kind not in (ADDACS, AUDDIS):
        errors.add("kind", "Choose ADDACS or AUDDIS report")
    if not isinstance(content, bytes) or not content:
        errors.add("file", "The file is empty")
    elif len(content) > MAX_REPORT_BYTES:
        errors.add("file", f"The file is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB")
    name = " ".join(str(name or "").split())[:255] or f"{kind} report"
    errors.raise_any()
    sha = hashlib.sha256(content).hexdigest()
    earlier = BacsReport.objects.filter(tenant=tenant, sha256=sha).first()
    if earlier is not None:
        raise ValidationError(
            {"file": f"This report was imported already, as {earlier.name} on {earlier.received_at:%d %B %Y}"}
        )
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    service_user_number = (settings.bacs_service_user_number if settings else "") or ""
    try:
        parsed = bacs_reports.parse_report(content, kind=kind, service_user_number=service_user_number)
    except ReportRefused as error:
        raise ValidationError({"file": str(error)}) from None
    on = parsed.report_date or timezone.localdate()
    try:
        with transaction.atomic():
            report = BacsReport.objects.create(
                tenant=tenant, kind=kind, name=name, sha256=sha, report_date=parsed.report_date
            )
            items = [_item(report, advice, on) for advice in parsed.advices]
            report.count_items(items)
            audit_record(
                tenant=tenant,
                action="revenues.bacs_report_import",
                obj=report,
                after={
                    "kind": kind,
                    "name": name,
                    "items": report.items_total,
                    "applied": report.items_applied,
                    "kept": report.items_kept,
                },
            )
    except IntegrityError:
        if BacsReport.objects.filter(tenant=tenant, sha256=sha).exists():
            raise ValidationError({"file": "This report was imported already (at the same moment)"}) from None
        raise
    return report


@transaction.atomic
def bacs_report_item_resolve(*, item: BacsReportItem, note: str) -> BacsReportItem:
    """An officer has dealt with an advice: one kept for review becomes resolved; an applied one's follow-up ends."""
    item = BacsReportItem.objects.select_for_update().get(pk=item.pk)
    errors = Errors()
    if item.status == BacsReportItem.Status.RESOLVED or (
        item.status == BacsReportItem.Status.APPLIED and not item.follow_up
    ):
        errors.add("item", "This advice needs nothing more: it was dealt with already")
    note = " ".join(str(note or "").split())
    if not note:
        errors.add("note", "Say what was done")
    elif len(note) > 300:
        errors.add("note", "Use at most 300 characters")
    errors.raise_any()
    before = snapshot(item, ["status", "follow_up", "note"])
    if item.status == BacsReportItem.Status.REVIEW:
        item.status = BacsReportItem.Status.RESOLVED
    item.follow_up = False
    item.note = note
    item.save(update_fields=["status", "follow_up", "note"])
    audit_record(
        tenant=item.tenant,
        action="revenues.bacs_report_item_resolve",
        obj=item.account or item.report,
        before=before,
        after=snapshot(item, ["status", "follow_up", "note"]),
        detail={"report_id": item.report_id, "position": item.position},
    )
    return item
