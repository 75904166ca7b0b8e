"""The print file (run kind `revenues.bill_print`): the bills of a year that have not gone out, for a mailing house.

Each chunk of bills becomes one PDF (each bill from a new page) and a CSV manifest part (file, first page, pages,
bill and account number, name, address lines, postcode); finish() joins the parts into one manifest. A bill whose
account has e-billing is emailed instead (bill_send). The chunk's files and the bills marked sent commit together
with the chunk: a run killed half way and resumed writes the unfinished chunks again, so each bill is in the
print file once.

Chunks are cut from the bills of the year made before the run started (bills are never deleted), by id range, so
they are the same every time the run works them out; a chunk prints only its bills still waiting.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.models import Run
from borough.core.runs import RunKind, run_directory, run_kind
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.documents.bills import bill_document
from borough.revenues.documents.context import document_facts, recipient
from borough.revenues.documents.delivery import bill_send
from borough.revenues.documents.files import print_chunk_write, print_manifest_join
from borough.revenues.models import Bill

ADDRESS_LINES = 5
MANIFEST_COLUMNS = [
    "file",
    "first_page",
    "pages",
    "bill_number",
    "account_number",
    "name",
    *[f"address_{n}" for n in range(1, ADDRESS_LINES + 1)],
    "postcode",
]


@run_kind("revenues.bill_print")
class BillPrint(RunKind):
    title = "Bill print file"
    CHUNK_SIZE = 100
    MANIFEST = "print-manifest.csv"

    def validate(self, parameters):
        errors: dict[str, str] = {}
        unknown = sorted(set(parameters) - {"financial_year", "billing_run"})
        if unknown:
            errors["parameters"] = f"Unknown parameters: {', '.join(unknown)}. Give financial_year and billing_run."
        year = str(parameters.get("financial_year") or "").strip()
        try:
            FinancialYear.parse(year)
        except InputError as error:
            errors["financial_year"] = error.message
        cleaned: dict[str, Any] = {"financial_year": year}
        billing_run = parameters.get("billing_run")
        if billing_run not in (None, ""):
            try:
                cleaned["billing_run"] = int(billing_run)
            except (TypeError, ValueError):
                errors["billing_run"] = "Give the number of a billing run, or leave it out"
            else:
                if not Run.objects.filter(pk=cleaned["billing_run"]).exists():
                    errors["billing_run"] = f"There is no run {cleaned['billing_run']}"
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _bills(self, run: Run):
        bills = Bill.objects.filter(
            tenant_id=run.tenant_id, financial_year=run.parameters["financial_year"], created_at__lt=run.created_at
        )
        if run.parameters.get("billing_run"):
            bills = bills.filter(run_id=run.parameters["billing_run"])
        return bills

    def chunks(self, run):
        ids = list(self._bills(run).order_by("pk").values_list("pk", flat=True))
        return [
            {"first": part[0], "last": part[-1], "items": len(part)}
            for part in (ids[start : start + self.CHUNK_SIZE] for start in range(0, len(ids), self.CHUNK_SIZE))
        ]

    def chunk_label(self, chunk):
        return f"bills {chunk['first']} to {chunk['last']}"

    @staticmethod
    def _part(run: Run, chunk: dict, suffix: str) -> Path:
        return run_directory(run) / f"bills-{chunk['first']:010d}.{suffix}"

    def process_chunk(self, run, chunk):
        waiting = (
            self._bills(run)
            .filter(pk__gte=chunk["first"], pk__lte=chunk["last"], sent_at__isnull=True, superseded_on__isnull=True)
            .select_related("account__dwelling", "account__hereditament")
            .prefetch_related("account__parties")
            .order_by("pk")
            .select_for_update(of=("self",))  # bill_send elsewhere cannot email one while it is being printed
        )
        facts = document_facts(tenant=run.tenant, financial_year=run.parameters["financial_year"])
        pdf_path = self._part(run, chunk, "pdf")
        documents, rows, printed, errors = [], [], [], []
        emailed = failed = 0
        page = 1
        for bill in waiting:
            try:
                if bill.account.ebilling_email:
                    bill_send(bill, facts=facts)
                    emailed += 1
                    continue
                document = bill_document(bill, facts)
            except Exception as error:  # one bad bill stays waiting, with its error; the rest go
                failed += 1
                errors.append(f"Bill {bill.number}: {error}")
                continue
            to = recipient(bill)
            lines = (to["lines"] + [""] * ADDRESS_LINES)[:ADDRESS_LINES]
            pages = len(document.pages)
            rows.append([pdf_path.name, page, pages, bill.number, bill.account.number, " and ".join(to["names"]),
                         *lines, to["postcode"]])  # fmt: skip
            documents.append(document)
            printed.append(bill.pk)
            page += pages
        print_chunk_write(pdf_path, self._part(run, chunk, "csv"), documents, rows)
        Bill.objects.filter(pk__in=printed).update(delivery=Bill.Delivery.PRINT, sent_at=timezone.now())
        return len(printed) + emailed, failed, errors

    def finish(self, run):
        directory = run_directory(run)
        directory.mkdir(parents=True, exist_ok=True)
        parts = sorted(directory.glob("bills-*.csv"))
        path = directory / self.MANIFEST
        printed, pages = print_manifest_join(parts, MANIFEST_COLUMNS, path)
        run.result = {
            "file": path.relative_to(Path(settings.MEDIA_ROOT)).as_posix(),
            "pdfs": [p.with_suffix(".pdf").name for p in parts if p.with_suffix(".pdf").exists()],
            "printed": printed,
            "pages": pages,
            "emailed": run.succeeded_items - printed,
            "finished_on": date.today().isoformat(),
        }
