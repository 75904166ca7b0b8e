"""Direct debit collections: for an instalment due date, each lodged or active mandate's instalment due that day
(less what other payments already cover) and re-presentations of collections returned "refer to payer".

Two steps, so a council's collections can run as a batch over chunks of accounts (the run kind in
borough.revenues.payments.runs) and be resumed: `collections_post` posts each collection as a payment on the
processing day, keyed by due date and account ("dd:<due date>:<account id>"; a re-presentation
"dd-represent:<due date>:<returned payment id>"), so a resumed or repeated run never collects twice; then
`collection_file_build` writes the one Standard 18 collection file for the due date from what was posted. Once the
file exists nothing more is posted for that date. `collection_file_create` does both at once.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from borough.core.audit import audit_record
from borough.revenues.models import Account, BacsFile, Bill, DirectDebitMandate, LedgerEntry
from borough.revenues.payments import bacs
from borough.revenues.payments.arudd import REFER_TO_PAYER
from borough.revenues.payments.balances import PAYING_KINDS, ZERO, allocate, financial_year_of, payment_record
from borough.revenues.payments.direct_debit import (
    COLLECTABLE,
    finish_bacs_file,
    new_bacs_file,
    originator_for,
    processing_day_for,
)
from borough.tenancy.models import Tenant

CODE_IN_NOTE = re.compile(r"\(code (\d\d)\)")


@dataclass
class _Collection:
    mandate: DirectDebitMandate
    code: str
    amount: Decimal
    financial_year: str
    source_key: str


def mandate_accounts(*, created_by) -> list[int]:
    """The accounts with a mandate made by `created_by` (a run's start): the same list each time it is asked."""
    return list(
        DirectDebitMandate.objects.filter(created_at__lte=created_by)
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .distinct()
    )


def _collections_due(due_date: date, processing_day: date, account_ids: list[int] | None) -> list[_Collection]:
    year = financial_year_of(due_date)
    mandates_query = DirectDebitMandate.objects.filter(
        status__in=COLLECTABLE, lodged_in__processing_date__lt=processing_day
    )
    if account_ids is not None:
        mandates_query = mandates_query.filter(account_id__in=account_ids)
    mandates = {m.account_id: m for m in mandates_query.select_related("account").order_by("pk")}
    ids = list(mandates)
    bills = {
        b.account_id: b
        for b in Bill.objects.filter(account_id__in=ids, financial_year=year, superseded_on__isnull=True)
    }
    paid = {
        row["account_id"]: -row["total"]
        for row in LedgerEntry.objects.filter(account_id__in=ids, financial_year=year, kind__in=PAYING_KINDS)
        .values("account_id")
        .annotate(total=Sum("amount"))
    }
    collected_before = set(
        LedgerEntry.objects.filter(
            account_id__in=ids, method=LedgerEntry.Method.DIRECT_DEBIT, kind=LedgerEntry.Kind.PAYMENT
        )
        .values_list("account_id", "reference")
        .distinct()
    )
    overdue: dict[int, Decimal] = {}  # what fell due before this date and is unpaid, by account
    collections = []
    for account_id, mandate in mandates.items():
        bill = bills.get(account_id)
        if bill is None:
            continue
        statuses = allocate(bill=bill, paid=paid.get(account_id, ZERO))
        overdue[account_id] = sum((s.outstanding for s in statuses if s.due < due_date), ZERO)
        due = [s for s in statuses if s.due == due_date and not s.note and s.outstanding > 0]
        if not due:
            continue
        last_due = max(date.fromisoformat(d) for d, _amount in bill.instalments)
        if (account_id, mandate.reference) not in collected_before:
            code = bacs.FIRST
        elif mandate.account.status == Account.Status.CLOSED and due_date == last_due:
            code = bacs.FINAL
        else:
            code = bacs.REGULAR
        key = f"dd:{due_date.isoformat()}:{account_id}"
        collections.append(_Collection(mandate, code, due[0].outstanding, year, key))
    returned = LedgerEntry.objects.filter(
        account_id__in=ids,
        kind=LedgerEntry.Kind.REVERSAL,
        method=LedgerEntry.Method.DIRECT_DEBIT,
        note__startswith=f"ARUDD {REFER_TO_PAYER}:",
    ).select_related("reverses")
    represented = {
        key.rsplit(":", 1)[1]
        for key in LedgerEntry.objects.filter(account_id__in=ids, source_key__startswith="dd-represent:").values_list(
            "source_key", flat=True
        )
    }
    for reversal in returned:
        if str(reversal.reverses_id) in represented:
            continue
        original = reversal.reverses
        amount = -original.amount
        if original.financial_year == year:
            # Paid since by other means: re-present only what is still unpaid, if anything.
            amount = min(amount, overdue.get(reversal.account_id, ZERO))
        if amount > 0:
            key = f"dd-represent:{due_date.isoformat()}:{reversal.reverses_id}"
            mandate = mandates[reversal.account_id]
            collections.append(_Collection(mandate, bacs.REPRESENTED, amount, original.financial_year, key))
    return collections


def _file_for(due_date: date) -> BacsFile | None:
    return BacsFile.objects.filter(kind=BacsFile.Kind.COLLECTION, due_date=due_date).first()


@transaction.atomic
def collections_post(*, tenant: Tenant, due_date: date, account_ids: list[int] | None = None) -> int:
    """Post the collections due on `due_date` (for these accounts, or all); how many were posted now. Nothing once
    the date's file is made: what it does not carry is not collected."""
    if _file_for(due_date) is not None:
        return 0
    processing_day = processing_day_for(tenant, due_date)
    posted = 0
    for collection in _collections_due(due_date, processing_day, account_ids):
        if LedgerEntry.objects.filter(source_key=collection.source_key).exists():
            continue
        mandate = collection.mandate
        payment_record(
            account=mandate.account,
            financial_year=collection.financial_year,
            amount=collection.amount,
            method=LedgerEntry.Method.DIRECT_DEBIT,
            posted_on=processing_day,
            reference=mandate.reference,
            source_key=collection.source_key,
            note=f"Direct debit collection (code {collection.code}) for {due_date.isoformat()}",
        )
        if mandate.status == DirectDebitMandate.Status.LODGED:
            DirectDebitMandate.objects.filter(pk=mandate.pk).update(status=DirectDebitMandate.Status.ACTIVE)
        posted += 1
    return posted


@transaction.atomic
def collection_file_build(*, tenant: Tenant, due_date: date) -> BacsFile | None:
    """The due date's collection file from the collections posted for it (made once: asked again, the same file);
    None when nothing was collected."""
    existing = _file_for(due_date)
    if existing is not None:
        return existing
    date_part = due_date.isoformat()
    entries = list(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT, method=LedgerEntry.Method.DIRECT_DEBIT)
        .filter(Q(source_key__startswith=f"dd:{date_part}:") | Q(source_key__startswith=f"dd-represent:{date_part}:"))
        .order_by("pk")
    )
    if not entries:
        return None
    originator = originator_for(tenant)
    mandates = {
        (m.account_id, m.reference): m
        for m in DirectDebitMandate.objects.filter(account_id__in={e.account_id for e in entries}).order_by("pk")
    }
    try:
        with transaction.atomic():
            file = new_bacs_file(tenant, BacsFile.Kind.COLLECTION, entries[0].posted_on, due_date)
    except IntegrityError:
        return _file_for(due_date)
    items = []
    for entry in entries:
        mandate = mandates[(entry.account_id, entry.reference)]
        code = CODE_IN_NOTE.search(entry.note)
        items.append(
            bacs.Instruction(
                sort_code=mandate.sort_code,
                account_number=mandate.account_number,
                payer_name=mandate.payer_name,
                reference=mandate.reference,
                code=code[1] if code else bacs.REGULAR,
                pence=int(-entry.amount * 100),
                processing_day=entry.posted_on,
            )
        )
    finish_bacs_file(file, originator, items)
    audit_record(
        tenant=tenant,
        action="revenues.collection_file_create",
        obj=file,
        after={"due_date": date_part, "collections": len(items), "total": str(file.total)},
    )
    return file


@transaction.atomic
def collection_file_create(*, tenant: Tenant, due_date: date) -> BacsFile | None:
    """Post the due date's collections and make its file, in one go (a run does the same in chunks)."""
    existing = _file_for(due_date)
    if existing is not None:
        return existing
    originator_for(tenant)  # refuse before posting anything when the council's BACS details are missing
    collections_post(tenant=tenant, due_date=due_date)
    return collection_file_build(tenant=tenant, due_date=due_date)
