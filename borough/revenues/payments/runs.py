"""The direct debit collection run: a due date's collections posted over chunks of accounts, then its one
Standard 18 file (borough.revenues.payments.collections). Killed half way and run again, it skips the chunks done
and collects nothing twice (each collection is keyed by due date and account)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from borough.core.models import Run
from borough.core.runs import RunKind, run_kind
from borough.revenues.models import BacsFile
from borough.revenues.payments.collections import collection_file_build, collections_post, mandate_accounts
from borough.revenues.payments.direct_debit import originator_for

KIND = "revenues.direct_debit_collection"
CHUNK_SIZE = 1000


@run_kind(KIND)
class DirectDebitCollection(RunKind):
    title = "Direct debit collection"

    def validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(parameters) - {"due_date"})
        if unknown:
            raise ValidationError({"parameters": f"Unknown parameters: {', '.join(unknown)}. Give due_date."})
        raw = parameters.get("due_date")
        try:
            due_date = date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            due_date = None
        if due_date is None:
            raise ValidationError({"due_date": "Enter the instalment due date as YYYY-MM-DD"})
        if BacsFile.objects.filter(kind=BacsFile.Kind.COLLECTION, due_date=due_date).exists():
            raise ValidationError({"due_date": f"The collection file for {due_date.isoformat()} is made already"})
        return {"due_date": due_date.isoformat()}

    def chunks(self, run: Run) -> list[dict[str, Any]]:
        # Mandates made after the run started wait for the next due date, so a resumed run cuts the same chunks.
        originator_for(run.tenant)  # no BACS details: fail before posting anything
        ids = mandate_accounts(created_by=run.created_at)
        return [
            {"accounts": ids[start : start + CHUNK_SIZE], "items": len(ids[start : start + CHUNK_SIZE])}
            for start in range(0, len(ids), CHUNK_SIZE)
        ]

    def chunk_label(self, chunk: dict[str, Any]) -> str:
        accounts = chunk["accounts"]
        return f"accounts {accounts[0]}-{accounts[-1]}" if accounts else "no accounts"

    def process_chunk(self, run: Run, chunk: dict[str, Any]) -> tuple[int, int, list[str]]:
        due_date = date.fromisoformat(run.parameters["due_date"])
        collections_post(tenant=run.tenant, due_date=due_date, account_ids=chunk["accounts"])
        return len(chunk["accounts"]), 0, []

    def finish(self, run: Run) -> None:
        file = collection_file_build(tenant=run.tenant, due_date=date.fromisoformat(run.parameters["due_date"]))
        run.result = (
            {"bacs_file": file.pk, "collections": file.record_count, "total": str(file.total)}
            if file is not None
            else {"bacs_file": None, "collections": 0, "total": "0.00"}
        )
