"""What an officer does about direct debits and refunds from the account page, each through the payments services:
set up a direct debit (`mandate_create`, and the account's instalment scheme in the same transaction), cancel one
(`mandate_cancel`), and refund a credit (`refund_record`, with where the money goes; a BACS refund's bank details
are kept as a `BacsRefund`, which the next refund credit file pays: borough.revenues.payments.refunds)."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.core.audit import audit_record
from borough.revenues.models import Account, BacsRefund, DirectDebitMandate, LedgerEntry
from borough.revenues.payments.balances import refund_record, year_balance
from borough.revenues.payments.direct_debit import LIVE, mandate_cancel, mandate_create
from borough.revenues.services.common import Errors

SCHEMES = (10, 12)  # monthly instalments: 10 by default, 12 on request (CT (A&E) Regs 1992 reg. 21(1C))


class RefundMethod:
    BACS = "bacs"
    CHEQUE = "cheque"
    CARD = "card"
    CHOICES = (
        (BACS, "BACS to a bank account"),
        (CHEQUE, "Cheque"),
        (CARD, "Back to the card it was paid with"),
    )
    LEDGER = {BACS: LedgerEntry.Method.BANK, CHEQUE: LedgerEntry.Method.CHEQUE, CARD: LedgerEntry.Method.CARD}


@transaction.atomic
def direct_debit_set_up(
    *,
    account: Account,
    payer_name: str,
    sort_code: str,
    account_number: str,
    collection_day: int = 1,
    instalment_scheme: int | None = None,
) -> DirectDebitMandate:
    """A new mandate (lodged by the next AUDDIS file) and, when asked, the account's instalment scheme: both or
    neither. The scheme shapes the next bill; re-bill the year to apply it now."""
    if instalment_scheme is not None and instalment_scheme not in SCHEMES:
        raise ValidationError({"instalment_scheme": "Choose 10 or 12 monthly instalments"})
    mandate = mandate_create(
        account=account,
        payer_name=payer_name,
        sort_code=sort_code,
        account_number=account_number,
        collection_day=collection_day,
    )
    if instalment_scheme is not None and instalment_scheme != account.instalment_scheme:
        before = {"instalment_scheme": account.instalment_scheme}
        Account.objects.filter(pk=account.pk).update(instalment_scheme=instalment_scheme)
        account.instalment_scheme = instalment_scheme
        audit_record(
            tenant=account.tenant,
            action="revenues.instalment_scheme_set",
            obj=account,
            before=before,
            after={"instalment_scheme": instalment_scheme},
            detail={"mandate_id": mandate.pk},
        )
    return mandate


def live_mandate(account: Account) -> DirectDebitMandate | None:
    return DirectDebitMandate.objects.filter(account=account, status__in=LIVE).order_by("-created_at").first()


def direct_debit_cancel(*, account: Account, reason: str, on: date) -> DirectDebitMandate:
    mandate = live_mandate(account)
    if mandate is None:
        raise ValidationError({"reason": "The account has no live direct debit to cancel"})
    return mandate_cancel(mandate=mandate, reason=reason, on=on)


def credits_by_year(account: Account, years: list[str]) -> dict[str, Decimal]:
    """The years of `years` in which the account is in credit, with the credit (what could be refunded)."""
    credits = {year: -year_balance(account=account, financial_year=year) for year in years}
    return {year: credit for year, credit in credits.items() if credit > 0}


def _payee(method: str, payee_name: str, sort_code: str, account_number: str, errors: Errors) -> str:
    """Where the refund goes, as the ledger entry's reference (what the payments team pays it from)."""
    name = " ".join(str(payee_name or "").split())
    if method == RefundMethod.CARD:
        return "Card refund"
    if not name:
        errors.add("payee_name", "Enter the name the refund is paid to")
    elif len(name) > 60:
        errors.add("payee_name", "Use at most 60 characters")
    if method == RefundMethod.CHEQUE:
        return f"Cheque to {name}"
    sort_code = re.sub(r"[\s-]", "", str(sort_code or ""))
    account_number = re.sub(r"[\s-]", "", str(account_number or ""))
    if not re.fullmatch(r"\d{6}", sort_code):
        errors.add("sort_code", "Enter a sort code of 6 digits, like 309430")
    if not re.fullmatch(r"\d{8}", account_number):
        errors.add("account_number", "Enter an account number of 8 digits")
    return f"BACS {sort_code} {account_number} {name}"


@transaction.atomic
def refund_issue(
    *,
    account: Account,
    financial_year: str,
    amount: Decimal,
    method: str,
    reason: str,
    posted_on: date,
    key: str,
    payee_name: str = "",
    sort_code: str = "",
    account_number: str = "",
) -> LedgerEntry:
    """Refund a year's credit (never more: `refund_record` checks it with the account locked) by BACS, cheque or
    back to the card. `key` (one per form shown) makes a repeated submission return the refund made first."""
    errors = Errors()
    if method not in RefundMethod.LEDGER:
        errors.add("method", "Choose how the refund is paid")
        errors.raise_any()
    reference = _payee(method, payee_name, sort_code, account_number, errors)
    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-f]{32}", key):
        errors.add("key", "The form has expired: open it again")
    errors.raise_any()
    entry = refund_record(
        account=account,
        financial_year=financial_year,
        amount=amount,
        posted_on=posted_on,
        reason=reason,
        source_key=f"staff-refund:{key}",
        method=RefundMethod.LEDGER[method],
    )
    if not entry.reference:
        entry.reference = reference[:100]
        entry.save(update_fields=["reference"])
        if method == RefundMethod.BACS:  # paid by the next refund credit file (payments.refunds)
            BacsRefund.objects.create(
                tenant=account.tenant,
                entry=entry,
                payee_name=" ".join(str(payee_name).split()),
                sort_code=re.sub(r"[\s-]", "", str(sort_code)),
                account_number=re.sub(r"[\s-]", "", str(account_number)),
            )
        shown = reference if method != RefundMethod.BACS else re.sub(r"\d{4}(\d{4})\b", r"****\1", reference, count=1)
        audit_record(
            tenant=account.tenant,
            action="revenues.refund_payee",
            obj=account,
            after={"method": method, "paid_to": shown},
            detail={"entry_id": entry.pk},
        )
    return entry
