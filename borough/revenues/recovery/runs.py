"""The daily recovery run (`revenues.recovery_daily`): every account with a bill in the run day's financial year
or the one before, in chunks; each account's year gets the stage the rules give for that day (reminders, final
notices, summonses), its stages marked paid once cleared, its arrangement checked. Accounts on hold are skipped.

Idempotent: the day's stages are read back before deciding, so running again (or resuming) the same day issues
nothing twice; the unique constraint recovery_once_per_day is the backstop. The run's file is the summons list
for the court (CSV).

Council practice (reminder days, hearing days, arrangement grace, minimum for a reminder) comes from the council's
RevenuesSettings; a run's `reminder_after_days` or `hearing_date` overrides it. A notice issued to an e-billing
account is emailed in the same transaction (recovery_notice_send); the rest wait for the print file
(`revenues.recovery_print`); the summonses are marked sent to the court when the list is written."""

import csv
import os
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.calendars import bank_holidays
from borough.core.models import Run
from borough.core.runs import RunKind, run_directory, run_kind
from borough.revenues.calc import recovery as calc
from borough.revenues.models import Arrangement, Bill, RecoveryAction
from borough.revenues.payments.balances import financial_year_of
from borough.revenues.recovery.position import account_years, live_holds, rules_for
from borough.revenues.recovery.practice import SERVICE_HOLIDAYS
from borough.revenues.recovery.sending import recovery_notice_send
from borough.revenues.recovery.services import recovery_account_process

KIND = "revenues.recovery_daily"
CHUNK_SIZE = 500
SUMMONS_FILE = "summons-list.csv"
SUMMONS_COLUMNS = [
    "account_number",
    "financial_year",
    "names",
    "property",
    "correspondence_address",
    "amount",
    "costs",
    "total",
    "issued_on",
    "hearing_date",
]
# Spreadsheet programs run cells starting with these as formulas; a leading quote stops that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _parse_date(name: str, raw: Any, errors: dict[str, str]) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = "Enter a real date, like 2026-05-31"
        return None


def previous_year(financial_year: str) -> str:
    start = int(financial_year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


@run_kind(KIND)
class RecoveryDaily(RunKind):
    title = "Daily recovery run"

    def validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - {"date", "hearing_date", "reminder_after_days"})
        if unknown:
            errors["parameters"] = (
                f"Unknown parameters: {', '.join(unknown)}. Give date and, if you wish, hearing_date."
            )
        raw = parameters.get("date")
        day = timezone.localdate() if raw in (None, "") else _parse_date("date", raw, errors)
        if day is not None and day > timezone.localdate():
            errors["date"] = "The run date must be today or in the past"
        hearing = None
        if parameters.get("hearing_date") not in (None, ""):
            hearing = _parse_date("hearing_date", parameters["hearing_date"], errors)
            if hearing is not None and day is not None:
                checked = calc.earliest_hearing(day, holidays=bank_holidays(SERVICE_HOLIDAYS), hearing=hearing)
                if not checked.lawful:
                    errors["hearing_date"] = (
                        f"The hearing must be on or after {checked.earliest.isoformat()}: a summons issued on "
                        f"{day.isoformat()} is deemed served by post on {checked.served_on.isoformat()}, and no "
                        "liability order may be made until 14 days have elapsed since then (reg. 35(2A))"
                    )
        cleaned: dict[str, Any] = {"date": day.isoformat() if day else None}
        if hearing is not None:
            cleaned["hearing_date"] = hearing.isoformat()
        if parameters.get("reminder_after_days") not in (None, ""):
            try:
                days = int(str(parameters["reminder_after_days"]))
            except ValueError:
                days = -1
            if not 1 <= days <= 60:
                errors["reminder_after_days"] = "Enter a number of days from 1 to 60"
            cleaned["reminder_after_days"] = days
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _day(self, run: Run) -> date:
        return date.fromisoformat(run.parameters["date"])

    def chunks(self, run: Run) -> list[dict[str, Any]]:
        # Bills made after the run started are left for the next run, so a resumed run cuts the same chunks.
        current = financial_year_of(self._day(run))
        chunks = []
        for year in (previous_year(current), current):
            ids = list(
                Bill.objects.filter(financial_year=year, created_at__lte=run.created_at)
                .order_by("account_id")
                .values_list("account_id", flat=True)
                .distinct()
            )
            for start in range(0, len(ids), CHUNK_SIZE):
                part = ids[start : start + CHUNK_SIZE]
                chunks.append({"year": year, "accounts": part, "items": len(part)})
        return chunks

    def chunk_label(self, chunk: dict[str, Any]) -> str:
        accounts = chunk["accounts"]
        return f"{chunk['year']}: accounts {accounts[0]}-{accounts[-1]}" if accounts else chunk["year"]

    def process_chunk(self, run: Run, chunk: dict[str, Any]) -> tuple[int, int, list[str]]:
        day = self._day(run)
        hearing = date.fromisoformat(run.parameters["hearing_date"]) if run.parameters.get("hearing_date") else None
        years = account_years(account_ids=chunk["accounts"], financial_year=chunk["year"], on=day)
        succeeded, failed, errors = 0, 0, []
        override = (
            {"reminder_after_days": run.parameters["reminder_after_days"]}
            if "reminder_after_days" in run.parameters
            else {}
        )
        holidays = bank_holidays(SERVICE_HOLIDAYS)
        for year in years.values():
            rules = rules_for(year.account, **{**year.practice, **override})
            try:
                with transaction.atomic():
                    before = len(year.actions)
                    recovery_account_process(
                        year=year,
                        today=day,
                        hearing=calc.hearing_for(day, holidays=holidays, rules=rules, hearing=hearing),
                        rules=rules,
                        run=run,
                    )
                    if year.account.ebilling_email:
                        for action in year.actions[before:]:
                            recovery_notice_send(action=action)
            except Exception as error:  # one account's problem is reported, the others go on
                failed += 1
                errors.append(f"Account {year.account.number} ({chunk['year']}): {error}")
            else:
                succeeded += 1
        return succeeded, failed, errors

    def finish(self, run: Run) -> None:
        day = self._day(run)
        issued = RecoveryAction.objects.filter(run=run)
        counts = Counter(issued.values_list("stage", flat=True))
        summonses = list(
            issued.filter(stage=RecoveryAction.Stage.SUMMONS).select_related("account").order_by("account__number")
        )
        path = run_directory(run) / SUMMONS_FILE
        _write_summons_list(path, summonses)
        # The court serves the summonses on the list: that is how they are sent.
        issued.filter(stage=RecoveryAction.Stage.SUMMONS, sent_at__isnull=True).update(
            delivery=RecoveryAction.Delivery.COURT, sent_at=timezone.now()
        )
        run.result = {
            "file": path.relative_to(Path(settings.MEDIA_ROOT)).as_posix(),
            "date": run.parameters["date"],
            **{stage: counts.get(stage, 0) for stage in RecoveryAction.Stage.values},
            "held": live_holds(day).values("account_id").distinct().count(),
            "arrangements_broken": Arrangement.objects.filter(status=Arrangement.Status.BROKEN, ended_on=day).count(),
        }


def summons_rows(summonses: list[RecoveryAction]) -> list[list[str]]:
    rows = []
    for action in summonses:
        notice = action.detail
        rows.append(
            [
                _cell(value)
                for value in (
                    action.account.number,
                    action.financial_year,
                    "; ".join(notice.get("names", [])),
                    notice.get("property", ""),
                    notice.get("correspondence_address", ""),
                    action.amount,
                    action.costs,
                    action.amount + action.costs,
                    action.issued_on.isoformat(),
                    action.hearing_date.isoformat() if action.hearing_date else "",
                )
            ]
        )
    return rows


def _write_summons_list(path: Path, summonses: list[RecoveryAction]) -> None:
    """Written to a temporary file, then renamed over the list: a crash leaves the old list or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(SUMMONS_COLUMNS)
        writer.writerows(summons_rows(summonses))
    os.replace(temporary, path)
