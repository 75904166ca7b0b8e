"""Direct debit mandates, and the AUDDIS file that lodges (0N) and cancels (0C) them with the payers' banks.

Collections are in borough.revenues.payments.collections, returns (ARUDD) in borough.revenues.payments.arudd;
files are BACS Standard 18 (borough.revenues.payments.bacs).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.core.calendars import working_calendar
from borough.revenues.models import Account, BacsFile, DirectDebitMandate, RevenuesSettings
from borough.revenues.payments import bacs
from borough.revenues.payments.balances import ZERO
from borough.revenues.services.common import Errors
from borough.tenancy.models import Tenant

LIVE = (DirectDebitMandate.Status.NEW, DirectDebitMandate.Status.LODGED, DirectDebitMandate.Status.ACTIVE)
COLLECTABLE = (DirectDebitMandate.Status.LODGED, DirectDebitMandate.Status.ACTIVE)


def _digits_only(value) -> str:
    return re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""


def originator_for(tenant: Tenant) -> bacs.Originator:
    """The council's BACS details (RevenuesSettings); ValidationError on "settings" saying what is missing."""
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    missing = [
        label
        for label, value, width in (
            ("service user number", settings and settings.bacs_service_user_number, 6),
            ("sort code", settings and settings.bacs_sort_code, 6),
            ("account number", settings and settings.bacs_account_number, 8),
        )
        if not (value and len(value) == width and value.isdigit())
    ]
    if missing:
        raise ValidationError({"settings": f"Set the council's BACS {', '.join(missing)} in the revenues settings"})
    name = settings.bacs_account_name or settings.billing_authority_name or tenant.name
    return bacs.Originator(
        service_user_number=settings.bacs_service_user_number,
        sort_code=settings.bacs_sort_code,
        account_number=settings.bacs_account_number,
        name=name,
    )


def processing_day_for(tenant: Tenant, due_date: date) -> date:
    """The Bacs processing day whose entry day (the next working day) is the due date, or the first working day
    after it when the due date is not one: money leaves the payer's account on the day the instalment is due."""
    calendar = working_calendar(tenant.nation)
    entry = due_date if calendar.is_working_day(due_date) else calendar.next_working_day(due_date)
    day = entry - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


# Mandates ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def mandate_create(
    *,
    account: Account,
    payer_name: str,
    sort_code: str,
    account_number: str,
    reference: str = "",
    collection_day: int = 1,
) -> DirectDebitMandate:
    """Record a payer's direct debit instruction; it is lodged with their bank by the next AUDDIS file."""
    errors = Errors()
    sort_code, account_number = _digits_only(sort_code), _digits_only(account_number)
    if not re.fullmatch(r"\d{6}", sort_code):
        errors.add("sort_code", "Enter a sort code of 6 digits, like 309430")
    if not re.fullmatch(r"\d{8}", account_number):
        errors.add("account_number", "Enter an account number of 8 digits")
    payer_name = " ".join(payer_name.split()) if isinstance(payer_name, str) else ""
    if not payer_name:
        errors.add("payer_name", "Enter the account holder's name")
    elif len(payer_name) > 18:
        errors.add("payer_name", "Use at most 18 characters, as BACS carries it (abbreviate if needed)")
    elif bacs.bacs_text(payer_name, 18).strip() != payer_name.upper():
        errors.add("payer_name", "Use only letters, digits, spaces and . & / -")
    reference = (reference or account.number).strip().upper() if isinstance(reference, str) else ""
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 .&/-]{5,17}", reference):
        errors.add(
            "reference", "Use 6 to 18 capital letters, digits, spaces or . & / -, starting with one of the first"
        )
    elif reference.startswith("DDIC") or len(set(reference)) == 1:
        errors.add("reference", "A reference may not start DDIC or repeat one character")
    if isinstance(collection_day, bool) or not isinstance(collection_day, int) or not 1 <= collection_day <= 28:
        errors.add("collection_day", "Choose a day of the month from 1 to 28")
    if not isinstance(account, Account) or account.pk is None:
        errors.add("account", "Choose an account")
    errors.raise_any()
    account = Account.objects.select_for_update().get(pk=account.pk)
    if DirectDebitMandate.objects.filter(account=account, status__in=LIVE).exists():
        errors.add("account", "The account has a direct debit already: cancel it first")
    if DirectDebitMandate.objects.filter(tenant=account.tenant, reference=reference, status__in=LIVE).exists():
        errors.add("reference", "Another live direct debit has this reference")
    errors.raise_any()
    mandate = DirectDebitMandate.objects.create(
        tenant=account.tenant,
        account=account,
        payer_name=payer_name,
        sort_code=sort_code,
        account_number=account_number,
        reference=reference,
        collection_day=collection_day,
    )
    audit_record(
        tenant=account.tenant,
        action="revenues.mandate_create",
        obj=account,
        after={
            "reference": reference,
            "payer_name": payer_name,
            "sort_code": sort_code,
            "account": "****" + account_number[-4:],
        },
        detail={"mandate_id": mandate.pk},
    )
    return mandate


@transaction.atomic
def mandate_cancel(*, mandate: DirectDebitMandate, reason: str, on: date | None = None) -> DirectDebitMandate:
    """Cancel a mandate at the council's wish; one lodged with the payer's bank goes in the next AUDDIS file (0C)."""
    mandate = DirectDebitMandate.objects.select_for_update().get(pk=mandate.pk)
    errors = Errors()
    if mandate.status not in LIVE:
        errors.add("mandate", "This direct debit is not live")
    reason = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not reason:
        errors.add("reason", "Say why the direct debit is cancelled")
    elif len(reason) > 200:
        errors.add("reason", "Use at most 200 characters")
    errors.raise_any()
    before = snapshot(mandate, ["status", "cancelled_on", "cancel_reason"])
    mandate.status = DirectDebitMandate.Status.CANCELLED
    mandate.cancelled_on = on or timezone.localdate()
    mandate.cancel_reason = reason
    mandate.save(update_fields=["status", "cancelled_on", "cancel_reason"])
    audit_record(
        tenant=mandate.tenant,
        action="revenues.mandate_cancel",
        obj=mandate.account,
        before=before,
        after=snapshot(mandate, ["status", "cancelled_on", "cancel_reason"]),
        detail={"mandate_id": mandate.pk},
    )
    return mandate


def new_bacs_file(tenant: Tenant, kind: str, processing_day: date, due_date: date | None = None) -> BacsFile:
    return BacsFile.objects.create(
        tenant=tenant, kind=kind, processing_date=processing_day, due_date=due_date, content=""
    )


def finish_bacs_file(file: BacsFile, originator: bacs.Originator, items: list[bacs.Instruction]) -> BacsFile:
    file.content = bacs.standard18_file(
        originator=originator,
        serial=f"{file.pk % 1_000_000:06d}",
        created_on=timezone.localdate(),
        processing_day=file.processing_date,
        instructions=items,
        file_number=file.pk % 999 + 1,
    )
    file.record_count = len(items)
    file.total = sum((Decimal(item.pence) / 100 for item in items), ZERO)
    file.save(update_fields=["content", "record_count", "total"])
    return file


@transaction.atomic
def auddis_file_create(*, tenant: Tenant, processing_day: date | None = None) -> BacsFile | None:
    """Lodge new mandates (0N) and tell the payers' banks of mandates the council cancelled (0C); None when there
    is nothing to send. Each mandate goes in one file only: it is marked with the file in the same transaction."""
    originator = originator_for(tenant)
    calendar = working_calendar(tenant.nation)
    processing_day = processing_day or calendar.next_working_day(timezone.localdate())
    new = list(
        DirectDebitMandate.objects.select_for_update().filter(status=DirectDebitMandate.Status.NEW).order_by("pk")
    )
    cancelled = list(
        DirectDebitMandate.objects.select_for_update()
        .filter(
            status=DirectDebitMandate.Status.CANCELLED, lodged_in__isnull=False, cancellation_lodged_in__isnull=True
        )
        .order_by("pk")
    )
    if not new and not cancelled:
        return None
    file = new_bacs_file(tenant, BacsFile.Kind.AUDDIS, processing_day)
    items = [
        bacs.Instruction(
            sort_code=m.sort_code,
            account_number=m.account_number,
            payer_name=m.payer_name,
            reference=m.reference,
            code=code,
            pence=0,
            processing_day=processing_day,
        )
        for code, mandates in ((bacs.NEW_INSTRUCTION, new), (bacs.CANCEL_INSTRUCTION, cancelled))
        for m in mandates
    ]
    finish_bacs_file(file, originator, items)
    DirectDebitMandate.objects.filter(pk__in=[m.pk for m in new]).update(
        status=DirectDebitMandate.Status.LODGED, lodged_in=file
    )
    DirectDebitMandate.objects.filter(pk__in=[m.pk for m in cancelled]).update(cancellation_lodged_in=file)
    audit_record(
        tenant=tenant,
        action="revenues.auddis_file_create",
        obj=file,
        after={"new": len(new), "cancelled": len(cancelled), "processing_date": processing_day.isoformat()},
    )
    return file
