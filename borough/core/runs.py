"""Batch runs (DESIGN.md rule 5): a registry of run kinds, and the services that start, execute, resume and
cancel a run. A run is cut into chunks; each chunk's work and its RunChunk row commit in one transaction, so a
run killed half way and executed again skips the chunks already done and repeats nothing.

A kind lives in `<app>/runs.py` (discovered on first use) and subclasses RunKind:

    @run_kind("core.audit_export")
    class AuditExport(RunKind):
        title = "Audit log export"
        def validate(self, parameters) -> dict: ...  # cleaned parameters, or ValidationError by field
        def chunks(self, run) -> list: ...           # JSON-able descriptors, the same every time for a run
        def process_chunk(self, run, chunk): ...     # -> (succeeded, failed, [error messages]); idempotent
        def finish(self, run): ...                   # optional; may set run.result
        parallel = 1                                 # workers asked to execute a run together (ADR 0019)

Workers executing one run together each take a chunk with a transaction-level advisory lock (PostgreSQL), skip
the chunks others hold, then wait for those before one of them finishes the run.
"""

import csv
import json
import logging
import os
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from borough.core.audit import AUDIT_EVENT_PUBLIC_FIELDS, audit_record, snapshot
from borough.core.models import AuditEvent, Run, RunChunk

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 100
ProgressCallback = Callable[[Run, int, int], None]


class RunKind:
    code = ""
    title = ""
    # How many workers are asked to execute a run of this kind together (each takes chunks no other is doing).
    parallel = 1

    def validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        return parameters

    def chunks(self, run: Run) -> list[Any]:
        raise NotImplementedError

    def chunk_items(self, chunk: Any) -> int:
        """How many items a chunk holds, for progress; a kind that does not know counts chunks."""
        return int(chunk.get("items", 1)) if isinstance(chunk, dict) else 1

    def chunk_label(self, chunk: Any) -> str:
        return json.dumps(chunk, sort_keys=True)

    def process_chunk(self, run: Run, chunk: Any) -> tuple[int, int, list[str]]:
        raise NotImplementedError

    def finish(self, run: Run) -> None:
        return None


RUN_KINDS: dict[str, RunKind] = {}
_discovered = False


def run_kind(code: str):
    def register(cls: type[RunKind]) -> type[RunKind]:
        instance = cls()
        instance.code = code
        RUN_KINDS[code] = instance
        return cls

    return register


def run_kinds() -> dict[str, RunKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("runs")
        _discovered = True
    return RUN_KINDS


def kind_of(code: str) -> RunKind:
    kind = run_kinds().get(code)
    if kind is None:
        raise ValidationError({"kind": f"Unknown kind of run {code!r}. Choose from: {', '.join(sorted(RUN_KINDS))}"})
    return kind


def run_title(run: Run) -> str:
    kind = run_kinds().get(run.kind)
    return kind.title if kind else run.kind


STATUS_FIELDS = ["status", "started_at", "finished_at"]
OUTCOME_FIELDS = ["status", "processed_items", "succeeded_items", "failed_items", "finished_at"]


def _dispatch(run: Run) -> None:
    from borough.core.tasks import run_execute_task  # the tasks module imports this one

    for _worker in range(max(1, kind_of(run.kind).parallel)):
        run_execute_task.delay(tenant_id=run.tenant_id, run_id=run.pk)


def run_start(*, tenant, kind: str, parameters: dict[str, Any], created_by=None, dispatch: bool = True) -> Run:
    """Validate and record a run; once committed, a worker executes it (unless `dispatch` is off: the caller
    then calls run_execute itself, as `borough run start --wait` does)."""
    run_kind_ = kind_of(kind)
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": "Give the parameters as names and values."})
    cleaned = run_kind_.validate(dict(parameters))
    with transaction.atomic():
        run = Run.objects.create(tenant=tenant, kind=kind, parameters=cleaned, created_by=created_by)
        audit_record(tenant=tenant, action="run.start", obj=run, after=snapshot(run, ["kind", "parameters", "status"]))
        if dispatch:
            transaction.on_commit(partial(_dispatch, run))
    return run


def _locked(run: Run) -> Run:
    return Run.objects.select_for_update().get(pk=run.pk)


def _report(on_progress: ProgressCallback | None, run: Run, done: int, total: int) -> None:
    if on_progress is not None:
        on_progress(run, done, total)


def run_execute(*, run: Run, on_progress: ProgressCallback | None = None) -> Run:
    """Execute the chunks of a run not yet done, then finish it. On a finished run it does nothing; on a run
    that was killed half way it carries on where it stopped. Several workers may execute one run together
    (RunKind.parallel): each takes the chunks no other is doing, then waits for the others' before finishing."""
    kind = kind_of(run.kind)
    run = _mark_running(run)
    if run.status != Run.Status.RUNNING:
        return run
    try:
        chunks = kind.chunks(run)
    except Exception as error:
        logger.exception("Run %s: its chunks could not be worked out", run.pk)
        return _stop_failed(run, f"The run could not be cut into chunks: {error}")
    total_items = sum(kind.chunk_items(chunk) for chunk in chunks)
    if run.total_items != total_items:
        run.total_items = total_items
        Run.objects.filter(pk=run.pk).update(total_items=total_items)
    done = set(RunChunk.objects.filter(run=run).values_list("index", flat=True))
    _report(on_progress, run, len(done), len(chunks))
    taken_by_others: list[int] = []
    # First pass: every chunk no other worker holds; second: wait for those others held (or take them up if
    # their worker died, which released them).
    for wait in (False, True):
        for index in taken_by_others if wait else range(len(chunks)):
            if index in done:
                continue
            chunk = chunks[index]
            try:
                run, outcome = _execute_chunk(kind, run, index, chunk, wait=wait)
            except Exception as error:
                logger.exception("Run %s: chunk %s failed", run.pk, index)
                return _stop_failed(run, f"Chunk {index + 1} ({kind.chunk_label(chunk)}) stopped the run: {error}")
            if outcome == "stopped":
                return run
            if outcome == "taken":
                taken_by_others.append(index)
                continue
            done.add(index)
            _report(on_progress, run, len(done), len(chunks))
    return _finish(kind, run)


def _mark_running(run: Run) -> Run:
    with transaction.atomic():
        run = _locked(run)
        if run.status == Run.Status.QUEUED:
            before = snapshot(run, STATUS_FIELDS)
            run.status = Run.Status.RUNNING
            run.started_at = run.started_at or timezone.now()
            run.finished_at = None
            run.save(update_fields=STATUS_FIELDS)
            audit_record(
                tenant=run.tenant,
                action="run.execute",
                obj=run,
                before=before,
                after=snapshot(run, STATUS_FIELDS),
            )
    return run


def _claim_chunk(run: Run, index: int, *, wait: bool) -> bool:
    """Hold chunk `index` of the run until this transaction ends, so no other worker does it meanwhile.
    PostgreSQL: a transaction-level advisory lock (`wait`: until its holder's transaction ends). SQLite has one
    writer at a time anyway: always held."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        cursor.execute(f"SELECT {function}(%s, %s)", [run.pk % 2**31, index])  # noqa: S608 - a fixed name
        held = cursor.fetchone()[0]
    return True if wait else bool(held)


def _execute_chunk(kind: RunKind, run: Run, index: int, chunk: Any, *, wait: bool = False) -> tuple[Run, str]:
    """One chunk and its record in one transaction: "done", "taken" (another worker is doing it) or "stopped"
    (the run was cancelled). The run's row is locked only at the end, to add the chunk's counts, so workers can
    do chunks of one run side by side."""
    with transaction.atomic():
        if not _claim_chunk(run, index, wait=wait):
            return run, "taken"
        current = Run.objects.get(pk=run.pk)
        if current.status != Run.Status.RUNNING:  # cancelled, or finished by another worker, meanwhile
            return current, "stopped"
        if RunChunk.objects.filter(run=run, index=index).exists():  # done by another worker meanwhile
            return current, "done"
        succeeded, failed, errors = kind.process_chunk(current, chunk)
        RunChunk.objects.create(
            tenant_id=run.tenant_id,
            run=run,
            index=index,
            done_at=timezone.now(),
            succeeded_items=succeeded,
            failed_items=failed,
        )
        run = _locked(run)
        run.processed_items += kind.chunk_items(chunk)
        run.succeeded_items += succeeded
        run.failed_items += failed
        label = kind.chunk_label(chunk)
        new_errors = [{"chunk": index + 1, "item": label, "message": str(message)} for message in errors]
        run.errors = (run.errors + new_errors)[:MAX_STORED_ERRORS]
        run.save(update_fields=["processed_items", "succeeded_items", "failed_items", "errors"])
    return run, "done"


def _stop_failed(run: Run, message: str) -> Run:
    with transaction.atomic():
        run = _locked(run)
        if run.is_finished:
            return run
        before = snapshot(run, OUTCOME_FIELDS)
        run.status = Run.Status.FAILED
        run.finished_at = timezone.now()
        run.errors = (run.errors + [{"chunk": None, "item": "", "message": message}])[:MAX_STORED_ERRORS]
        run.save(update_fields=["status", "finished_at", "errors"])
        audit_record(
            tenant=run.tenant,
            action="run.fail",
            obj=run,
            before=before,
            after=snapshot(run, OUTCOME_FIELDS),
            detail={"error": message[:500]},
        )
    return run


def _finish(kind: RunKind, run: Run) -> Run:
    try:
        with transaction.atomic():
            run = _locked(run)
            if run.status != Run.Status.RUNNING:
                return run
            before = snapshot(run, OUTCOME_FIELDS)
            kind.finish(run)
            run.status = Run.Status.SUCCEEDED if run.failed_items == 0 else Run.Status.FAILED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at", "result"])
            audit_record(
                tenant=run.tenant,
                action="run.finish",
                obj=run,
                before=before,
                after=snapshot(run, OUTCOME_FIELDS),
                detail={"succeeded_items": run.succeeded_items, "failed_items": run.failed_items, "result": run.result},
            )
    except Exception as error:
        logger.exception("Run %s: finishing failed", run.pk)
        return _stop_failed(run, f"Finishing the run failed: {error}")
    return run


def run_resume(*, run: Run, dispatch: bool = True) -> Run:
    """Carry on with a run that stopped (a failure, or a worker that died): the chunks done stay done."""
    with transaction.atomic():
        run = _locked(run)
        if run.status in (Run.Status.SUCCEEDED, Run.Status.CANCELLED):
            raise ValidationError({"run": f"Run {run.pk} has {run.get_status_display().lower()}; start a new one."})
        if run.status == Run.Status.FAILED:
            before = snapshot(run, STATUS_FIELDS)
            run.status, run.finished_at = Run.Status.QUEUED, None
            run.save(update_fields=["status", "finished_at"])
            audit_record(
                tenant=run.tenant,
                action="run.resume",
                obj=run,
                before=before,
                after=snapshot(run, STATUS_FIELDS),
            )
        if dispatch:
            transaction.on_commit(partial(_dispatch, run))
    return run


def run_cancel(*, run: Run) -> Run:
    """Stop a run after the chunk it is doing; what is done stays done."""
    with transaction.atomic():
        run = _locked(run)
        if run.is_finished:
            raise ValidationError({"run": f"Run {run.pk} has already {run.get_status_display().lower()}."})
        before = snapshot(run, STATUS_FIELDS)
        run.status, run.finished_at = Run.Status.CANCELLED, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        audit_record(tenant=run.tenant, action="run.cancel", obj=run, before=before, after=snapshot(run, STATUS_FIELDS))
    return run


def run_directory(run: Run) -> Path:
    """Where a run keeps its files: MEDIA_ROOT/tenants/<tenant>/runs/<run>/."""
    return Path(settings.MEDIA_ROOT) / "tenants" / str(run.tenant_id) / "runs" / str(run.pk)


def _write_atomically(path: Path, write: Callable[[Any], None], encoding: str = "utf-8") -> None:
    """Write a temporary file, then rename it over `path`: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding=encoding, newline="") as file:
        write(file)
    os.replace(temporary, path)


# Spreadsheet programs run cells starting with these as formulas (CSV injection); a leading quote stops that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@run_kind("core.audit_export")
class AuditExport(RunKind):
    """The tenant's audit log between two dates as one CSV file, one chunk per day (in UK time).

    Only events recorded before the run was started are exported, so executing the run again, or resuming it,
    gives the same file even while new events are being recorded."""

    title = "Audit log export"
    MAX_DAYS = 366
    FILE_NAME = "audit-export.csv"
    COLUMNS = list(AUDIT_EVENT_PUBLIC_FIELDS)

    def validate(self, parameters):
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - {"from", "to"})
        if unknown:
            errors["parameters"] = f"Unknown parameters: {', '.join(unknown)}. An audit export takes from and to."
        dates = {}
        for name, which in (("from", "start"), ("to", "end")):
            raw = parameters.get(name)
            if raw is None or str(raw).strip() == "":
                errors[name] = f"Enter the {which} date"
                continue
            try:
                dates[name] = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            except ValueError:
                errors[name] = f"The {which} date must be a real date, like 2026-01-31"
        if len(dates) == 2:
            first, last = dates["from"], dates["to"]
            if last < first:
                errors["to"] = "The end date must be the same as or after the start date"
            elif (last - first).days + 1 > self.MAX_DAYS:
                errors["to"] = f"Export at most {self.MAX_DAYS} days at a time"
            elif last > timezone.localdate():
                errors["to"] = "The end date must be today or in the past"
        if errors:
            raise ValidationError(errors)
        return {"from": dates["from"].isoformat(), "to": dates["to"].isoformat()}

    def _days(self, run: Run) -> list[date]:
        first, last = date.fromisoformat(run.parameters["from"]), date.fromisoformat(run.parameters["to"])
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    @staticmethod
    def _midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())

    def _events(self, run: Run):
        return AuditEvent.objects.filter(tenant_id=run.tenant_id, occurred_at__lt=run.created_at)

    def chunks(self, run):
        days = self._days(run)
        counts = dict(
            self._events(run)
            .filter(
                occurred_at__gte=self._midnight(days[0]),
                occurred_at__lt=self._midnight(days[-1] + timedelta(1)),
            )
            .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_default_timezone()))
            .order_by()
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        return [{"day": day.isoformat(), "items": counts.get(day, 0)} for day in days]

    def chunk_label(self, chunk):
        return chunk["day"]

    def _day_file(self, run: Run, day: str) -> Path:
        return run_directory(run) / f"day-{day}.csv"

    def process_chunk(self, run, chunk):
        day = date.fromisoformat(chunk["day"])
        events = (
            self._events(run)
            .filter(occurred_at__gte=self._midnight(day), occurred_at__lt=self._midnight(day + timedelta(1)))
            .order_by("occurred_at", "id")
        )
        written = 0

        def write(file):
            nonlocal written
            writer = csv.writer(file)
            for event in events.iterator():
                writer.writerow(
                    [
                        _cell(value)
                        for value in (
                            event.pk,
                            timezone.localtime(event.occurred_at).isoformat(),
                            event.actor_type,
                            event.actor_label,
                            event.action,
                            event.object_type,
                            event.object_id,
                            event.object_repr,
                            json.dumps(event.changes, sort_keys=True),
                            json.dumps(event.detail, sort_keys=True),
                            event.request_id,
                        )
                    ]
                )
                written += 1

        _write_atomically(self._day_file(run, chunk["day"]), write)
        return written, 0, []

    def finish(self, run):
        path = run_directory(run) / self.FILE_NAME

        def write(file):
            csv.writer(file).writerow(self.COLUMNS)
            for day in self._days(run):
                with self._day_file(run, day.isoformat()).open(encoding="utf-8", newline="") as day_file:
                    file.write(day_file.read())

        _write_atomically(path, write, encoding="utf-8-sig")  # the BOM tells spreadsheet programs it is UTF-8
        run.result = {
            "file": path.relative_to(Path(settings.MEDIA_ROOT)).as_posix(),
            "rows": run.succeeded_items,
            "bytes": path.stat().st_size,
        }


def run_file(run: Run) -> Path | None:
    """The file a finished run produced, if it has one and it is still there."""
    relative = (run.result or {}).get("file")
    if run.status != Run.Status.SUCCEEDED or not relative:
        return None
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(run_directory(run).resolve()) or not path.is_file():
        return None
    return path
