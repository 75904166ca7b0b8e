"""An account's money for a year: its balance, how its payments cover its instalments, its arrears; and the ledger
writes that change them (payments, refunds, reversals).

How payments are allocated (the rule every reader shares):
- what the year's entries have paid is the negative of the sum of its payments, reversals, refunds and write-offs
  (a refund or a returned direct debit takes back what was paid);
- it covers, oldest first, the current bill's credit for what was paid before it (an amended bill's `credited`:
  only shown when a payment counted in it was later returned) and then the current bill's instalments in due order;
- what is left covers costs (summons, liability order); anything beyond is a credit on the year.
A superseded bill's instalments no longer count: its replacement's plan is for what remains.

Ledger amounts are signed: what an entry adds to the amount owed (a payment of £50 is -50.00). The write services
here take the amount paid or refunded as a positive Decimal and store its sign.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from borough.core.audit import audit_record
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Account, Bill, LedgerEntry
from borough.revenues.services.common import Errors

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # what the column holds
# The kinds whose entries pay (or take back payment of) the charge; costs are charged on top of it.
PAYING_KINDS = (
    LedgerEntry.Kind.PAYMENT,
    LedgerEntry.Kind.REVERSAL,
    LedgerEntry.Kind.REFUND,
    LedgerEntry.Kind.WRITE_OFF,
)


@dataclass(frozen=True)
class InstalmentStatus:
    due: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    # Blank for the bill's instalments; says what a line is otherwise (a returned payment the bill had credited).
    note: str = ""


def financial_year_of(day: date) -> str:
    """The financial year ("2026-27") a day falls in: a payment is posted to the year it is made in."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def allocate(*, bill: Bill | None, paid: Decimal) -> list[InstalmentStatus]:
    """Spread what has been paid over the bill's credited amount and instalments, oldest first (pure)."""
    if bill is None:
        return []
    lines: list[tuple[date, Decimal, str]] = []
    credited = max(Decimal(bill.credited), ZERO)
    if credited:
        lines.append((bill.issued_on, credited, "Paid before this bill, since returned or refunded"))
    lines.extend((date.fromisoformat(due), Decimal(amount), "") for due, amount in bill.instalments)
    lines.sort(key=lambda line: line[0])
    left = max(paid, ZERO)
    statuses = []
    for due, amount, note in lines:
        covered = min(left, amount) if amount > 0 else ZERO
        left -= covered
        outstanding = amount - covered
        if note and not outstanding:
            continue  # the credit is covered: nothing to show
        statuses.append(InstalmentStatus(due=due, amount=amount, paid=covered, outstanding=outstanding, note=note))
    return statuses


def current_bill(*, account: Account, financial_year: str) -> Bill | None:
    return Bill.objects.filter(account=account, financial_year=financial_year, superseded_on__isnull=True).first()


def _paid(entries) -> Decimal:
    total = entries.filter(kind__in=PAYING_KINDS).aggregate(total=Sum("amount"))["total"]
    return -(total or ZERO)


def year_balance(*, account: Account, financial_year: str) -> Decimal:
    """What the account owes for the year (negative: a credit): the current bill's charge plus the year's entries."""
    bill = current_bill(account=account, financial_year=financial_year)
    entries = LedgerEntry.objects.filter(account=account, financial_year=financial_year)
    total = entries.aggregate(total=Sum("amount"))["total"] or ZERO
    return (bill.charge if bill else ZERO) + total


def instalments_status(*, account: Account, financial_year: str, as_of: date) -> list[InstalmentStatus]:
    """The current bill's instalments with what entries posted by `as_of` have paid of each, oldest first."""
    bill = current_bill(account=account, financial_year=financial_year)
    entries = LedgerEntry.objects.filter(account=account, financial_year=financial_year, posted_on__lte=as_of)
    return allocate(bill=bill, paid=_paid(entries))


def arrears(*, account: Account, financial_year: str, as_of: date) -> Decimal:
    """What fell due by `as_of` (instalments, and any returned payment the bill had credited) and is unpaid."""
    statuses = instalments_status(account=account, financial_year=financial_year, as_of=as_of)
    return sum((s.outstanding for s in statuses if s.due <= as_of), ZERO)


def arrears_for_accounts(*, financial_year: str, account_ids: Sequence[int], as_of: date) -> dict[int, Decimal]:
    """`arrears` for many accounts in two queries (a recovery run's chunk); accounts with none are left out."""
    bills = {
        bill.account_id: bill
        for bill in Bill.objects.filter(
            account_id__in=account_ids, financial_year=financial_year, superseded_on__isnull=True
        )
    }
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        LedgerEntry.objects.filter(
            account_id__in=account_ids, financial_year=financial_year, posted_on__lte=as_of, kind__in=PAYING_KINDS
        )
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        paid[row["account_id"]] = -row["total"]
    result = {}
    for account_id, bill in bills.items():
        owed = sum((s.outstanding for s in allocate(bill=bill, paid=paid[account_id]) if s.due <= as_of), ZERO)
        if owed > 0:
            result[account_id] = owed
    return result


# Writes ---------------------------------------------------------------------------------------------------------


def _check_money(name: str, value: Any, errors: Errors) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        errors.add(name, "Enter an amount in pounds, such as 12.50")
        return ZERO
    value = Decimal(value)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        errors.add(name, "Enter an amount in pounds and pence, such as 12.50")
    elif value <= 0:
        errors.add(name, "Enter an amount greater than zero")
    elif value > MAX_AMOUNT:
        errors.add(name, "The amount is too large")
    return value.quantize(Decimal("0.01")) if value.is_finite() else ZERO


def _check_common(account: Any, financial_year: Any, posted_on: Any, source_key: Any, errors: Errors) -> None:
    if not isinstance(account, Account) or account.pk is None:
        errors.add("account", "Choose an account")
    try:
        FinancialYear.parse(financial_year)
    except InputError as error:
        errors.add("financial_year", error.message)
    if not isinstance(posted_on, date):
        errors.add("posted_on", "Enter a date")
    if not isinstance(source_key, str) or not source_key.strip():
        errors.add("source_key", "Say what made this entry (a unique key)")
    elif len(source_key) > 200:
        errors.add("source_key", "Use at most 200 characters")


def _existing(account: Account, source_key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(tenant_id=account.tenant_id, source_key=source_key).first()


def _create_once(values: dict[str, Any]) -> tuple[LedgerEntry, bool]:
    """Create the entry unless its source_key is already posted (also when a concurrent writer just posted it)."""
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(**values), True
    except IntegrityError:
        existing = LedgerEntry.objects.filter(tenant=values["tenant"], source_key=values["source_key"]).first()
        if existing is None:
            raise
        return existing, False


def _audit(entry: LedgerEntry, action: str) -> None:
    audit_record(
        tenant=entry.tenant,
        action=action,
        obj=entry.account,
        after={
            "kind": entry.kind,
            "method": entry.method,
            "amount": str(entry.amount),
            "financial_year": entry.financial_year,
            "posted_on": entry.posted_on.isoformat(),
            "reference": entry.reference,
        },
        detail={"entry_id": entry.pk, "source_key": entry.source_key},
    )


@transaction.atomic
def payment_record(
    *,
    account: Account,
    financial_year: str,
    amount: Decimal,
    method: str,
    posted_on: date,
    reference: str = "",
    source_key: str,
    note: str = "",
) -> LedgerEntry:
    """Post a payment of `amount` (positive: what was paid) to the account's year. The same `source_key` twice
    returns the entry already posted, whatever else is passed, so a file row or callback is never posted twice."""
    errors = Errors()
    _check_common(account, financial_year, posted_on, source_key, errors)
    amount = _check_money("amount", amount, errors)
    if method not in LedgerEntry.Method.values:
        errors.add("method", f"Use one of {', '.join(LedgerEntry.Method.values)}")
    if not isinstance(reference, str) or len(reference) > 100:
        errors.add("reference", "Use at most 100 characters")
    errors.raise_any()
    existing = _existing(account, source_key)
    if existing is not None:
        return existing
    entry, created = _create_once(
        {
            "tenant": account.tenant,
            "account": account,
            "financial_year": financial_year,
            "kind": LedgerEntry.Kind.PAYMENT,
            "method": method,
            "amount": -amount,
            "posted_on": posted_on,
            "reference": reference,
            "source_key": source_key,
            "note": note[:300],
        }
    )
    if created:
        _audit(entry, "revenues.payment_record")
    return entry


@transaction.atomic
def refund_record(
    *,
    account: Account,
    financial_year: str,
    amount: Decimal,
    posted_on: date,
    reason: str,
    source_key: str,
    method: str = LedgerEntry.Method.BANK,
) -> LedgerEntry:
    """Pay back `amount` of the year's credit. Never more than the credit: the account is locked while it is checked,
    so two refunds at once cannot both take it."""
    errors = Errors()
    _check_common(account, financial_year, posted_on, source_key, errors)
    amount = _check_money("amount", amount, errors)
    if not isinstance(reason, str) or not reason.strip():
        errors.add("reason", "Say why the refund is made")
    elif len(reason) > 300:
        errors.add("reason", "Use at most 300 characters")
    if method not in LedgerEntry.Method.values:
        errors.add("method", f"Use one of {', '.join(LedgerEntry.Method.values)}")
    errors.raise_any()
    existing = _existing(account, source_key)
    if existing is not None:
        return existing
    Account.objects.select_for_update().get(pk=account.pk)
    credit = -year_balance(account=account, financial_year=financial_year)
    if credit <= 0:
        raise ValidationError({"amount": f"The account has no credit for {financial_year} to refund"})
    if amount > credit:
        raise ValidationError({"amount": f"The credit for {financial_year} is £{credit}: refund at most that"})
    entry, created = _create_once(
        {
            "tenant": account.tenant,
            "account": account,
            "financial_year": financial_year,
            "kind": LedgerEntry.Kind.REFUND,
            "method": method,
            "amount": amount,
            "posted_on": posted_on,
            "source_key": source_key,
            "note": reason.strip(),
        }
    )
    if created:
        _audit(entry, "revenues.refund_record")
    return entry


@transaction.atomic
def reversal_record(*, entry: LedgerEntry, posted_on: date, reason: str, source_key: str) -> LedgerEntry:
    """Undo a payment that did not reach the council (a returned direct debit, a bounced payment): an entry of the
    opposite sign in the same year. Idempotent on `source_key`; a payment is reversed at most once."""
    errors = Errors()
    if not isinstance(entry, LedgerEntry) or entry.pk is None:
        errors.add("entry", "Choose the payment to reverse")
    elif entry.kind != LedgerEntry.Kind.PAYMENT:
        errors.add("entry", "Only a payment can be reversed")
    if not isinstance(posted_on, date):
        errors.add("posted_on", "Enter a date")
    if not isinstance(reason, str) or not reason.strip():
        errors.add("reason", "Say why the payment is reversed")
    if not isinstance(source_key, str) or not source_key.strip() or len(source_key) > 200:
        errors.add("source_key", "Say what made this entry (a unique key of at most 200 characters)")
    errors.raise_any()
    existing = LedgerEntry.objects.filter(tenant_id=entry.tenant_id, source_key=source_key).first()
    if existing is not None:
        return existing
    entry = LedgerEntry.objects.select_for_update().select_related("account").get(pk=entry.pk)
    earlier = entry.reversals.filter(kind=LedgerEntry.Kind.REVERSAL).first()
    if earlier is not None:
        return earlier
    reversal, created = _create_once(
        {
            "tenant": entry.tenant,
            "account": entry.account,
            "financial_year": entry.financial_year,
            "kind": LedgerEntry.Kind.REVERSAL,
            "method": entry.method,
            "amount": -entry.amount,
            "posted_on": posted_on,
            "reference": entry.reference,
            "source_key": source_key,
            "reverses": entry,
            "note": reason.strip()[:300],
        }
    )
    if created:
        _audit(reversal, "revenues.payment_reverse")
    return reversal
