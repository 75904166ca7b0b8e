"""Billing's batch runs: the annual bills of a whole council, and the re-bills the VOA import asked for.

`revenues.annual_billing` (financial_year, dry_run, first_instalment_date, issued_on):
- chunks: the accounts to bill, by id, CHUNK_SIZE at a time: opened before the run, liable in the year, with no
  bill for the year made before the run. Bills of the run itself do not change that list, so a resumed run cuts
  the same chunks;
- a chunk: the account's pieces in bulk (borough.revenues.selectors.charge_pieces_for_accounts), the charge of
  each, its bill, and all the chunk's bills written at once (writing.bills_write), in the chunk's transaction.
  An account billed by this run already is skipped, and the constraint bill_once_per_run is the backstop;
- each chunk adds its totals to the run's result (reconcile.Tally); finishing adds the reconciliation with the
  tax base. A dry run does all of that and writes no bill.

`revenues.rebill` (financial_year): amends the bills of accounts whose band or value changed from a past date.
"""

import os
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.audit import audit_record
from borough.core.models import Run
from borough.core.runs import RunKind, run_kind
from borough.revenues.billing.compute import DetailBuilder, bill_draft
from borough.revenues.billing.reconcile import Tally, empty_totals, merge, reconciliation
from borough.revenues.billing.selectors import (
    account_facts,
    already_billed,
    authority_kinds,
    billable_accounts,
    liable_accounts,
)
from borough.revenues.billing.services import account_rebill, annual_number
from borough.revenues.billing.writing import bills_write, writes_json_text
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear, year_parameters
from borough.revenues.calc.year_charge import year_charge
from borough.revenues.models import Account, Bill, Precept
from borough.revenues.selectors import accounts_to_rebill, charge_pieces_for_accounts

CHUNK_SIZE = int(os.environ.get("BOROUGH_BILLING_CHUNK_SIZE", "1000"))  # accounts a chunk: ~0.5 s of work
REBILL_CHUNK_SIZE = 100
TRUE, FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off", ""}


def _year(parameters: dict[str, Any], errors: dict[str, str]) -> str:
    raw = parameters.get("financial_year")
    if raw is None or str(raw).strip() == "":
        errors["financial_year"] = "Enter the financial year, like 2026-27"
        return ""
    try:
        return year_parameters(str(raw).strip()).year.name
    except InputError as error:
        errors["financial_year"] = error.message
        return ""


def _flag(name: str, raw: Any, errors: dict[str, str]) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    errors[name] = "Answer true or false"
    return False


def _day(name: str, raw: Any, errors: dict[str, str]) -> date | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = "Enter a real date, like 2026-04-01"
        return None


def _chunked(ids: list[int], size: int) -> list[dict[str, int]]:
    return [
        {"first": ids[start], "last": ids[min(start + size, len(ids)) - 1], "items": len(ids[start : start + size])}
        for start in range(0, len(ids), size)
    ]


_builders: dict[tuple, DetailBuilder] = {}


def _builder(financial_year: str, kinds: dict[str, str]) -> DetailBuilder:
    """One DetailBuilder per year and set of authorities in a worker process: what it keeps serves every chunk."""
    key = (financial_year, tuple(sorted(kinds.items())))
    if key not in _builders:
        _builders.clear()
        _builders[key] = DetailBuilder(kinds)
    return _builders[key]


def _add_to_result(run: Run, part: dict[str, Any]) -> None:
    """The chunk's totals added to the run's, under the run's row lock, in the chunk's transaction."""
    locked = Run.objects.select_for_update().only("result").get(pk=run.pk)
    result = locked.result or {}
    result["totals"] = merge(result.get("totals") or empty_totals(), part)
    Run.objects.filter(pk=run.pk).update(result=result)
    run.result = result


@run_kind("revenues.annual_billing")
class AnnualBilling(RunKind):
    title = "Annual billing"
    parallel = int(os.environ.get("BOROUGH_BILLING_WORKERS", "2"))  # both cores of a small server (ADR 0019)
    PARAMETERS = {"financial_year", "dry_run", "first_instalment_date", "issued_on"}

    def validate(self, parameters):
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - self.PARAMETERS)
        if unknown:
            errors["parameters"] = f"Unknown parameters: {', '.join(unknown)}. Annual billing takes " + ", ".join(
                sorted(self.PARAMETERS)
            )
        financial_year = _year(parameters, errors)
        dry_run = _flag("dry_run", parameters.get("dry_run", False), errors)
        first = _day("first_instalment_date", parameters.get("first_instalment_date"), errors)
        issued_on = _day("issued_on", parameters.get("issued_on"), errors) or timezone.localdate()
        if financial_year:
            year = FinancialYear.parse(financial_year)
            if first is not None and not year.start <= first <= year.end:
                errors["first_instalment_date"] = f"Choose a day in {financial_year}"
            if issued_on > year.end:
                errors["issued_on"] = f"{financial_year} has ended: amend its bills one by one instead"
            has_dwellings = Account.objects.filter(dwelling__isnull=False).exists()
            if has_dwellings and not Precept.objects.filter(financial_year=financial_year).exists():
                errors["financial_year"] = f"Set the band D amounts for {financial_year} before billing it"
        if errors:
            raise ValidationError(errors)
        return {
            "financial_year": financial_year,
            "dry_run": dry_run,
            "first_instalment_date": first.isoformat() if first else "",
            "issued_on": issued_on.isoformat(),
        }

    def chunks(self, run):
        ids = list(
            billable_accounts(
                financial_year=run.parameters["financial_year"], created_before=run.created_at, run_id=run.pk
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return _chunked(ids, CHUNK_SIZE)

    def chunk_label(self, chunk):
        return f"accounts {chunk['first']} to {chunk['last']}"

    def process_chunk(self, run, chunk):
        parameters = run.parameters
        financial_year = parameters["financial_year"]
        dry_run = parameters["dry_run"]
        ids = liable_accounts(
            financial_year=financial_year, created_before=run.created_at, first=chunk["first"], last=chunk["last"]
        )
        skip = already_billed(financial_year=financial_year, run=run, account_ids=ids, dry_run=dry_run)
        ids = [pk for pk in ids if pk not in skip]
        pieces = charge_pieces_for_accounts(tenant=run.tenant, financial_year=financial_year, account_ids=ids)
        tally = Tally(financial_year)
        charges, errors = {}, []
        for pk in ids:
            try:
                charge = year_charge(financial_year, pieces.get(pk, ()))
            except InputError as error:
                errors.append(f"Account id {pk}: {error.field}: {error.message}")
                continue
            if not charge.pieces:
                tally.not_liable()
                continue
            tally.add(charge)
            charges[pk] = charge
        if not dry_run:
            written = self._write(run, charges)
            audit_record(
                tenant=run.tenant,
                action="revenues.bills_issue",
                obj=run,
                detail={"first": chunk["first"], "last": chunk["last"], "bills": written},
            )
        _add_to_result(run, tally.result())
        return len(charges), len(errors), errors

    def _write(self, run: Run, charges: dict[int, Any]) -> int:
        parameters = run.parameters
        financial_year = parameters["financial_year"]
        issued_on = date.fromisoformat(parameters["issued_on"])
        first = parameters.get("first_instalment_date")
        first_instalment_date = date.fromisoformat(first) if first else None
        facts = account_facts(account_ids=list(charges))
        builder = _builder(financial_year, authority_kinds(financial_year=financial_year))
        as_json = writes_json_text()
        rows = []
        for pk, charge in charges.items():
            about = facts[pk]
            draft = bill_draft(
                facts=about,
                year_charge=charge,
                issued_on=issued_on,
                first_instalment_date=first_instalment_date,
                builder=builder,
                as_json=as_json,
            )
            rows.append(
                (
                    run.tenant_id,
                    pk,
                    financial_year,
                    Bill.Kind.ANNUAL.value,
                    annual_number(financial_year, about.number),
                    issued_on,
                    run.pk,
                    draft.charge,
                    draft.credited,
                    draft.balance,
                    draft.instalments,
                    draft.scheme,
                    draft.detail,
                    draft.steps,
                    (Bill.Delivery.EMAIL if about.ebilling else Bill.Delivery.PRINT).value,
                )
            )
        return bills_write(rows)

    def finish(self, run):
        result = run.result or {}
        totals = result.get("totals") or empty_totals()
        band_d = {
            authority: Decimal(amount)
            for authority, amount in Precept.objects.filter(
                financial_year=run.parameters["financial_year"]
            ).values_list("authority", "band_d")
        }
        result["totals"] = totals
        result["reconciliation"] = reconciliation(totals, band_d)
        result["bills"] = 0 if run.parameters["dry_run"] else Bill.objects.filter(run=run).count()
        run.result = result


@run_kind("revenues.rebill")
class Rebill(RunKind):
    """Amends the bills of accounts whose property's band or value changed from a past date (the VOA import
    marks them with rebill_from), up to the year given; each account's mark is cleared when it is done."""

    title = "Re-billing after band or value changes"

    def validate(self, parameters):
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - {"financial_year", "issued_on"})
        if unknown:
            errors["parameters"] = f"Unknown parameters: {', '.join(unknown)}. Re-billing takes financial_year"
        financial_year = _year(parameters, errors)
        issued_on = _day("issued_on", parameters.get("issued_on"), errors) or timezone.localdate()
        if errors:
            raise ValidationError(errors)
        return {"financial_year": financial_year, "issued_on": issued_on.isoformat()}

    def chunks(self, run):
        ids = sorted(
            accounts_to_rebill(tenant=run.tenant).filter(opened_at__lt=run.created_at).values_list("pk", flat=True)
        )
        return _chunked(ids, REBILL_CHUNK_SIZE)

    def chunk_label(self, chunk):
        return f"accounts {chunk['first']} to {chunk['last']}"

    def process_chunk(self, run, chunk):
        accounts = accounts_to_rebill(tenant=run.tenant).filter(pk__gte=chunk["first"], pk__lte=chunk["last"])
        issued_on = date.fromisoformat(run.parameters["issued_on"])
        done, errors = 0, []
        for account in accounts:
            try:
                account_rebill(account=account, up_to_year=run.parameters["financial_year"], issued_on=issued_on)
            except ValidationError as error:
                errors.append(f"Account {account.number}: {'; '.join(error.messages)}")
                continue
            done += 1
        return done, len(errors), errors
