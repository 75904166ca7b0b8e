"""The refund credit file: the refunds paid by BACS, in Standard 18 (borough.revenues.payments.bacs).

A refund by BACS (`refund_issue` with method "bacs") keeps the payee's name, sort code and account number as a
`BacsRefund`. `refund_file_create` makes the file for a processing day from the BACS refunds not yet in a file
(posted on or before that day): a code 99 record crediting each payee's account with the refund in pence (the
reference is the revenues account number, the name the payee's first 18 characters in the Bacs character set),
a code 17 contra debiting the council's own account with the day's total, and the labels. Each refund is marked
with its file in the same transaction that writes it, so it is paid by one file only; a processing day has one
refund file, so a repeated or resumed build returns the file made first. Refunds by cheque or back to the card
are never in it. Refunds recorded before the bank details were kept (only in the entry's reference) are not
picked up: they were paid by hand.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.core.audit import Actor, acting_as, audit_record
from borough.core.calendars import working_calendar
from borough.revenues.models import BacsFile, BacsRefund, LedgerEntry
from borough.revenues.payments import bacs
from borough.revenues.payments.direct_debit import finish_bacs_file, new_bacs_file, originator_for
from borough.tenancy.models import Tenant


def _file_for(processing_day: date) -> BacsFile | None:
    return BacsFile.objects.filter(kind=BacsFile.Kind.REFUND, processing_date=processing_day).first()


def refunds_waiting(*, processing_day: date | None = None):
    """The BACS refunds no file has paid yet (posted by `processing_day`, when given), oldest first."""
    refunds = BacsRefund.objects.filter(
        paid_in__isnull=True, entry__kind=LedgerEntry.Kind.REFUND, entry__method=LedgerEntry.Method.BANK
    )
    if processing_day is not None:
        refunds = refunds.filter(entry__posted_on__lte=processing_day)
    return refunds.select_related("entry", "entry__account").order_by("entry__posted_on", "pk")


def refund_file_create(
    *, tenant: Tenant, processing_day: date | None = None, actor: Actor | None = None
) -> BacsFile | None:
    """The refund credit file for `processing_day` (by default the next working day): made once (asked again, the
    same file); None when no BACS refund is waiting. ValidationError when the council's BACS details are missing
    or the day is not a working day."""
    if actor is not None:
        with acting_as(actor):
            return refund_file_create(tenant=tenant, processing_day=processing_day)
    calendar = working_calendar(tenant.nation)
    processing_day = processing_day or calendar.next_working_day(timezone.localdate())
    if not isinstance(processing_day, date):
        raise ValidationError({"processing_date": "Enter the processing day as a date"})
    if not calendar.is_working_day(processing_day):
        day = f"{processing_day.day} {processing_day:%B %Y}"
        raise ValidationError({"processing_date": f"{day} is not a working day: Bacs processes on working days"})
    existing = _file_for(processing_day)
    if existing is not None:
        return existing
    originator = originator_for(tenant)
    return _build(tenant, processing_day, originator)


@transaction.atomic
def _build(tenant: Tenant, processing_day: date, originator: bacs.Originator) -> BacsFile | None:
    refunds = list(refunds_waiting(processing_day=processing_day).select_for_update(of=("self",)))
    if not refunds:
        return None
    try:
        with transaction.atomic():
            file = new_bacs_file(tenant, BacsFile.Kind.REFUND, processing_day)
    except IntegrityError:  # made at the same moment by another build: that one paid the refunds
        return _file_for(processing_day)
    items = [
        bacs.Instruction(
            sort_code=refund.sort_code,
            account_number=refund.account_number,
            payer_name=refund.payee_name,
            reference=refund.entry.account.number,
            code=bacs.CREDIT,
            pence=int(refund.entry.amount * 100),
            processing_day=processing_day,
        )
        for refund in refunds
    ]
    try:
        finish_bacs_file(file, originator, items)
    except bacs.BacsError as error:
        raise ValidationError({"processing_date": f"The refund file cannot be made: {error}"}) from None
    marked = BacsRefund.objects.filter(pk__in=[r.pk for r in refunds], paid_in__isnull=True).update(paid_in=file)
    if marked != len(refunds):  # cannot happen while the rows are locked; refuse rather than pay twice
        raise ValidationError({"processing_date": "Some refunds were paid by another file meanwhile: try again"})
    audit_record(
        tenant=tenant,
        action="revenues.refund_file_create",
        obj=file,
        after={
            "processing_date": processing_day.isoformat(),
            "refunds": len(items),
            "total": str(file.total),
            "entries": [refund.entry_id for refund in refunds],
        },
    )
    return file
