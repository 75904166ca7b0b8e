"""Issuing and amending bills (DESIGN rule 4: validated, one transaction, audited).

- `bill_issue`: an account's bill for a year it has none for (the annual run uses the same computation in bulk).
- `bill_amend`: after a change in the year (a move, a discount from a date, a backdated band), a new bill for the
  whole year's charge that supersedes the current one: what was paid so far is credited, the rest is spread over
  the months left; paid more than the new charge, the balance is negative, a credit due back.
- `bills_rebill`: the amendments the VOA import asked for (Account.rebill_from), then the marks are cleared.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.revenues.billing.compute import DetailBuilder, bill_draft
from borough.revenues.billing.selectors import account_facts, authority_kinds, current_bill, paid_in_year
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear, year_parameters
from borough.revenues.calc.year_charge import year_charge
from borough.revenues.models import Account, Bill
from borough.revenues.selectors import charge_pieces
from borough.revenues.services.common import Errors, check_date

BILL_AUDITED = ("number", "kind", "financial_year", "issued_on", "charge", "credited", "balance", "scheme")
ZERO = Decimal("0.00")


def annual_number(financial_year: str, account_number: str) -> str:
    return f"{financial_year}/{account_number}"


def _check(account, financial_year, issued_on, errors: Errors) -> None:
    if not isinstance(account, Account) or account.pk is None:
        errors.add("account", "Choose an account")
    try:
        year_parameters(financial_year)
    except InputError as error:
        errors.add("financial_year", error.message)
    check_date("issued_on", issued_on, errors)


def _charge(account: Account, financial_year: str, errors: Errors):
    try:
        return year_charge(financial_year, charge_pieces(account=account, financial_year=financial_year))
    except InputError as error:  # the account's facts do not make a charge (e.g. no band D set for the year)
        errors.add(error.field, error.message)
        return None


def _new_bill(account: Account, financial_year: str, *, kind: str, number: str, issued_on: date, run, draft) -> Bill:
    return Bill.objects.create(
        tenant_id=account.tenant_id,
        account=account,
        financial_year=financial_year,
        kind=kind,
        number=number,
        issued_on=issued_on,
        run=run,
        charge=draft.charge,
        credited=draft.credited,
        balance=draft.balance,
        instalments=draft.instalments,
        scheme=draft.scheme,
        detail=draft.detail,
        steps=draft.steps,
        delivery=Bill.Delivery.EMAIL if account.ebilling_email else Bill.Delivery.PRINT,
    )


@transaction.atomic
def bill_issue(
    *,
    account: Account,
    financial_year: str,
    issued_on: date,
    run=None,
    kind: str = Bill.Kind.ANNUAL,
    first_instalment_date: date | None = None,
) -> Bill:
    """The account's first bill for the year: its charge, plan and detail. Refused if it has one already
    (amend that instead) or is not liable in the year."""
    errors = Errors()
    _check(account, financial_year, issued_on, errors)
    if kind not in Bill.Kind.values:
        errors.add("kind", f"Choose one of: {', '.join(Bill.Kind.values)}")
    errors.raise_any()
    account = Account.objects.select_for_update().get(pk=account.pk)  # one bill at a time per account
    if current_bill(account=account, financial_year=financial_year) is not None:
        errors.add("financial_year", f"Account {account.number} already has a bill for {financial_year}: amend it")
    charge = _charge(account, financial_year, errors)
    if charge is not None and not charge.pieces:
        errors.add("financial_year", f"Account {account.number} is not liable in {financial_year}")
    errors.raise_any()
    year = FinancialYear.parse(financial_year)
    if first_instalment_date is not None and not year.start <= first_instalment_date <= year.end:
        raise ValidationError({"first_instalment_date": f"Choose a day in {financial_year}"})
    facts = account_facts(account_ids=[account.pk])[account.pk]
    draft = bill_draft(
        facts=facts,
        year_charge=charge,
        issued_on=issued_on,
        amended=issued_on > year.start,
        first_instalment_date=first_instalment_date,
        builder=DetailBuilder(authority_kinds(financial_year=financial_year)),
    )
    earlier = Bill.objects.filter(account=account, financial_year=financial_year).count()
    number = annual_number(financial_year, account.number)
    if earlier:  # bills of the year that were superseded leave their number taken
        number = f"{number}/{earlier + 1}"
    bill = _new_bill(account, financial_year, kind=kind, number=number, issued_on=issued_on, run=run, draft=draft)
    audit_record(tenant=account.tenant, action="revenues.bill_issue", obj=bill, after=snapshot(bill, BILL_AUDITED))
    return bill


@transaction.atomic
def bill_amend(*, account: Account, financial_year: str, issued_on: date, reason: str) -> Bill:
    """Re-bill the year after a change: a new bill for the year's charge as it now stands, less what was paid,
    over the months left; the current bill is superseded. Refused when there is no bill to amend."""
    errors = Errors()
    _check(account, financial_year, issued_on, errors)
    reason = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not reason:
        errors.add("reason", "Say why the bill is amended")
    elif len(reason) > 300:
        errors.add("reason", "Use at most 300 characters")
    errors.raise_any()
    account = Account.objects.select_for_update().get(pk=account.pk)
    previous = current_bill(account=account, financial_year=financial_year)
    if previous is None:
        errors.add("account", f"Account {account.number} has no bill for {financial_year} to amend: issue one")
    elif issued_on < previous.issued_on:
        errors.add("issued_on", f"The bill it amends was issued on {previous.issued_on.isoformat()}: not before")
    charge = _charge(account, financial_year, errors)
    errors.raise_any()
    credited = paid_in_year(account=account, financial_year=financial_year)
    facts = account_facts(account_ids=[account.pk])[account.pk]
    draft = bill_draft(
        facts=facts,
        year_charge=charge,
        issued_on=issued_on,
        credited=credited,
        amended=True,
        builder=DetailBuilder(authority_kinds(financial_year=financial_year)),
    )
    draft.steps.insert(0, f"Amended bill: {reason}.")
    # Supersede first (at most one current bill a year), then write the new bill, then link the old to it.
    before = snapshot(previous, ["superseded_on", "superseded_by"])
    previous.superseded_on = issued_on
    previous.save(update_fields=["superseded_on"])
    count = Bill.objects.filter(account=account, financial_year=financial_year).count()
    number = f"{annual_number(financial_year, account.number)}/{count + 1}"
    bill = _new_bill(
        account, financial_year, kind=Bill.Kind.AMENDED, number=number, issued_on=issued_on, run=None, draft=draft
    )
    previous.superseded_by = bill
    previous.save(update_fields=["superseded_by"])
    audit_record(
        tenant=account.tenant,
        action="revenues.bill_supersede",
        obj=previous,
        before=before,
        after=snapshot(previous, ["superseded_on", "superseded_by"]),
    )
    audit_record(
        tenant=account.tenant,
        action="revenues.bill_amend",
        obj=bill,
        after=snapshot(bill, BILL_AUDITED),
        detail={"reason": reason, "supersedes": previous.number, "charge_was": str(previous.charge)},
    )
    return bill


def _years_from(first: date, last_year: str) -> list[str]:
    """The financial years from the one `first` falls in to `last_year`, in order."""
    start = first.year if first.month >= 4 else first.year - 1
    last = FinancialYear.parse(last_year).start.year
    return [FinancialYear(date(year, 4, 1)).name for year in range(start, last + 1)]


@transaction.atomic
def account_rebill(*, account: Account, up_to_year: str, issued_on: date | None = None) -> list[Bill]:
    """Amend each of the account's current bills from the year of its `rebill_from` to `up_to_year`, then
    clear the mark. Years it has no bill for are left to their annual run."""
    issued_on = issued_on or timezone.localdate()
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.rebill_from is None:
        return []
    bills = []
    for financial_year in _years_from(account.rebill_from, up_to_year):
        if current_bill(account=account, financial_year=financial_year) is not None:
            reason = f"the property's band or value changed from {account.rebill_from.isoformat()}"
            bills.append(bill_amend(account=account, financial_year=financial_year, issued_on=issued_on, reason=reason))
    before = snapshot(account, ["rebill_from"])
    account.rebill_from = None
    account.save(update_fields=["rebill_from"])
    audit_record(
        tenant=account.tenant,
        action="revenues.account_rebilled",
        obj=account,
        before=before,
        after=snapshot(account, ["rebill_from"]),
        detail={"bills": [bill.number for bill in bills]},
    )
    return bills
