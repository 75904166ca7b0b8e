"""The recovery print file (run kind `revenues.recovery_print`): the notices issued on a day that have not gone out, for
a mailing house, as the bills' print file (borough.revenues.documents.print_run) does.

Parameters: {"date": "YYYY-MM-DD"} (default today): the day the notices were issued. Notices of e-billing accounts
are emailed instead (recovery_notice_send); summonses are left to the court (the summons list); notices withdrawn or
paid before they go are not sent. The withdrawal letters still waiting (recovery/letters.py: withdrawals made on or
before the day, before the run started) go too, in chunks of their own (`letters-<first id>`). Each chunk of notices
becomes one PDF (each notice from a new page) and a CSV manifest part; finish() joins the parts into `print-
manifest.csv`. A chunk's files and its notices marked sent commit together with the chunk, so a run killed half way
and resumed prints each notice once.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.models import Run
from borough.core.runs import RunKind, run_directory, run_kind
from borough.revenues.documents.files import print_chunk_write, print_manifest_join
from borough.revenues.documents.render import render_document
from borough.revenues.models import RecoveryAction
from borough.revenues.recovery.letters import (
    TEMPLATE as LETTER_TEMPLATE,
)
from borough.revenues.recovery.letters import (
    letter_document_context,
    letter_email,
    letter_mark_sent,
    letter_of,
    letter_waiting,
    letters_for_print_run,
)
from borough.revenues.recovery.sending import ADDRESS_LINES, NOT_POSTED, notice_recipient, recovery_notice_send, waiting

KIND = "revenues.recovery_print"
NOTICE_TEMPLATE = "revenues/recovery/notice_document.html"
MANIFEST = "print-manifest.csv"
MANIFEST_COLUMNS = [
    "file",
    "first_page",
    "pages",
    "notice",
    "notice_id",
    "account_number",
    "name",
    *[f"address_{n}" for n in range(1, ADDRESS_LINES + 1)],
    "postcode",
]


def _manifest_row(pdf_path, page: int, pages: int, kind: str, action: RecoveryAction) -> list:
    """A print manifest line: the file, its first page and page count, what it is, and the address to post it to."""
    to = notice_recipient(action)
    lines = (to["lines"] + [""] * ADDRESS_LINES)[:ADDRESS_LINES]
    return [pdf_path.name, page, pages, kind, action.pk, action.account.number, " and ".join(to["names"]), *lines,
            to["postcode"]]  # fmt: skip


@run_kind(KIND)
class RecoveryPrint(RunKind):
    title = "Recovery notices print file"
    CHUNK_SIZE = 100

    def validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - {"date"})
        if unknown:
            errors["parameters"] = f"Unknown parameters: {', '.join(unknown)}. Give date."
        raw = parameters.get("date")
        day = None
        if raw in (None, ""):
            day = timezone.localdate()
        else:
            try:
                day = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            except ValueError:
                errors["date"] = "Enter a real date, like 2026-05-31"
        if day is not None and day > timezone.localdate():
            errors["date"] = "The day must be today or in the past"
        if errors:
            raise ValidationError(errors)
        return {"date": day.isoformat()}

    def _notices(self, run: Run):
        # Notices made after the run started are left for the next run, so a resumed run cuts the same chunks.
        return RecoveryAction.objects.filter(
            tenant_id=run.tenant_id, issued_on=date.fromisoformat(run.parameters["date"]), created_at__lt=run.created_at
        ).exclude(stage__in=NOT_POSTED)

    def _parts(self, ids: list[int]) -> list[list[int]]:
        return [ids[start : start + self.CHUNK_SIZE] for start in range(0, len(ids), self.CHUNK_SIZE)]

    def chunks(self, run: Run) -> list[dict[str, Any]]:
        ids = list(self._notices(run).order_by("pk").values_list("pk", flat=True))
        letters = letters_for_print_run(
            tenant_id=run.tenant_id,
            day=date.fromisoformat(run.parameters["date"]),
            started=run.created_at,
            run_id=run.pk,
        )
        return [{"first": part[0], "last": part[-1], "items": len(part)} for part in self._parts(ids)] + [
            {"letters": part, "first": part[0], "last": part[-1], "items": len(part)} for part in self._parts(letters)
        ]

    def chunk_label(self, chunk: dict[str, Any]) -> str:
        return f"{'letters' if 'letters' in chunk else 'notices'} {chunk['first']} to {chunk['last']}"

    @staticmethod
    def _part(run: Run, chunk: dict[str, Any], suffix: str) -> Path:
        prefix = "letters" if "letters" in chunk else "notices"
        return run_directory(run) / f"{prefix}-{chunk['first']:010d}.{suffix}"

    def process_chunk(self, run: Run, chunk: dict[str, Any]) -> tuple[int, int, list[str]]:
        if "letters" in chunk:
            return self._letters(run, chunk)
        notices = (
            waiting(self._notices(run))
            .filter(pk__gte=chunk["first"], pk__lte=chunk["last"])
            .select_related("account__dwelling", "account__hereditament", "tenant")
            .prefetch_related("account__parties")
            .order_by("pk")
            .select_for_update(of=("self",))  # not emailed elsewhere while it is being printed
        )
        pdf_path = self._part(run, chunk, "pdf")
        documents, rows, printed, errors = [], [], [], []
        emailed = failed = 0
        page = 1
        for action in notices:
            try:
                if action.account.ebilling_email:
                    recovery_notice_send(action=action)
                    emailed += 1
                    continue
                document = render_document(NOTICE_TEMPLATE, {"action": action, "notice": action.detail})
            except Exception as error:  # one bad notice stays waiting, with its error; the rest go
                failed += 1
                errors.append(f"Notice {action.pk} ({action.account.number}): {error}")
                continue
            pages = len(document.pages)
            rows.append(_manifest_row(pdf_path, page, pages, action.stage, action))
            documents.append(document)
            printed.append(action.pk)
            page += pages
        print_chunk_write(pdf_path, self._part(run, chunk, "csv"), documents, rows)
        RecoveryAction.objects.filter(pk__in=printed).update(
            delivery=RecoveryAction.Delivery.PRINT, sent_at=timezone.now()
        )
        return len(printed) + emailed, failed, errors

    def _letters(self, run: Run, chunk: dict[str, Any]) -> tuple[int, int, list[str]]:
        """A chunk of withdrawal letters: emailed (e-billing) or printed, each once, marked with this run."""
        actions = (
            RecoveryAction.objects.filter(pk__in=chunk["letters"])
            .select_related("account__dwelling", "account__hereditament", "tenant")
            .prefetch_related("account__parties")
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        pdf_path = self._part(run, chunk, "pdf")
        documents, rows, printed, errors = [], [], [], []
        emailed = failed = 0
        page = 1
        for action in actions:
            if not letter_waiting(letter_of(action)):
                continue
            try:
                if action.account.ebilling_email:
                    emailed += letter_email(action=action, run_id=run.pk)
                    continue
                document = render_document(LETTER_TEMPLATE, letter_document_context(action))
            except Exception as error:  # one bad letter stays waiting, with its error; the rest go
                failed += 1
                errors.append(f"Withdrawal letter {action.pk} ({action.account.number}): {error}")
                continue
            pages = len(document.pages)
            rows.append(_manifest_row(pdf_path, page, pages, "withdrawal_letter", action))
            documents.append(document)
            printed.append(action)
            page += pages
        print_chunk_write(pdf_path, self._part(run, chunk, "csv"), documents, rows)
        for action in printed:
            letter_mark_sent(action, RecoveryAction.Delivery.PRINT, run_id=run.pk)
        return len(printed) + emailed, failed, errors

    def finish(self, run: Run) -> None:
        directory = run_directory(run)
        directory.mkdir(parents=True, exist_ok=True)
        parts = sorted(directory.glob("notices-*.csv")) + sorted(directory.glob("letters-*.csv"))
        path = directory / MANIFEST
        printed, pages = print_manifest_join(parts, MANIFEST_COLUMNS, path)
        run.result = {
            "file": path.relative_to(Path(settings.MEDIA_ROOT)).as_posix(),
            "date": run.parameters["date"],
            "pdfs": [p.with_suffix(".pdf").name for p in parts if p.with_suffix(".pdf").exists()],
            "printed": printed,
            "pages": pages,
            "emailed": run.succeeded_items - printed,
        }
