"""`borough revenues_annual_billing --tenant S --year 2026-27 [--dry-run] [--wait]`: bill a whole council.

    borough revenues_annual_billing --tenant nfd --year 2026-27 --dry-run --wait   # totals and the tax base
    borough revenues_annual_billing --tenant nfd --year 2026-27                   # queued for the workers

With --wait (or no broker configured) the run is executed here with a progress bar; otherwise the Celery workers
execute it (two together, ADR 0019) and it can be followed at /staff/revenues/billing/.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from borough.core.management.commands.run import _ConsoleStream, _validation_message
from borough.core.models import Run
from borough.core.runs import run_execute, run_start
from borough.tenancy.commands import TenantCommand

KIND = "revenues.annual_billing"


class Command(TenantCommand):
    help = "Bill every liable account of a council for a financial year (or, with --dry-run, total it up)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", required=True, help="The financial year, like 2026-27")
        parser.add_argument("--dry-run", action="store_true", help="Total up and reconcile; write no bill")
        parser.add_argument("--wait", action="store_true", help="Execute here with a progress bar")
        parser.add_argument("--first-instalment-date", default="", help="ISO date; 1 April by default")
        parser.add_argument("--issued-on", default="", help="ISO date the bills are dated; today by default")

    def handle_tenant(self, tenant, *args, **options):
        stream = _ConsoleStream(self.stdout)
        self.console = Console(file=stream, highlight=False, width=None if stream.isatty() else 120)
        in_process = options["wait"] or settings.CELERY_BROKER_URL.startswith("memory://")
        parameters = {
            "financial_year": options["year"],
            "dry_run": options["dry_run"],
            "first_instalment_date": options["first_instalment_date"],
            "issued_on": options["issued_on"],
        }
        try:
            run = run_start(tenant=tenant, kind=KIND, parameters=parameters, dispatch=not in_process)
        except ValidationError as error:
            raise CommandError(_validation_message(error)) from error
        if not in_process:
            self.stdout.write(
                f"Run {run.pk} is queued for the workers. Follow it at /staff/revenues/billing/ or with "
                f"`borough run list --tenant {tenant.slug}`."
            )
            return
        run = self._execute(run)
        self._report(run)
        if run.status == Run.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed. Fix the cause, then `borough run resume {run.pk}`.")

    def _execute(self, run: Run) -> Run:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks"),
            TimeElapsedColumn(),
        )
        title = "Dry run" if run.parameters["dry_run"] else "Annual billing"
        with Progress(*columns, console=self.console) as progress:
            bar = progress.add_task(f"Run {run.pk}: {title} {run.parameters['financial_year']}", total=None)

            def show(_run, done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            return run_execute(run=run, on_progress=show)

    def _report(self, run: Run) -> None:
        self.stdout.write(
            f"Run {run.pk} {run.get_status_display().lower()}: {run.succeeded_items} accounts, "
            f"{run.failed_items} failed, {run.result.get('bills', 0)} bills written."
        )
        for error in run.errors[-5:]:
            self.stdout.write(f"  error: {error['message']}")
        totals = run.result.get("totals")
        if not totals:
            return
        table = Table(title=f"Council tax {run.parameters['financial_year']} by band")
        for column in ("Band", "Accounts", "Charge"):
            table.add_column(column, justify="right")
        for band, row in sorted(totals["bands"].items()):
            table.add_row(band, f"{row['accounts']:,}", f"£{Decimal(row['charge']):,.2f}")
        self.console.print(table)
        council_tax = run.result["reconciliation"]["council_tax"]
        self.stdout.write(
            f"Tax base {council_tax['band_d_equivalents']} band D equivalents; expected yield "
            f"£{Decimal(council_tax['expected_yield']):,.2f}, council tax reduction "
            f"£{Decimal(council_tax['council_tax_reduction']):,.2f}, charged £{Decimal(council_tax['charged']):,.2f}, "
            f"rounding £{Decimal(council_tax['rounding']):,.2f}."
        )
        self.stdout.write(
            f"Discounts {totals['discounts']:,}, exemptions {totals['exemptions']:,}, premiums "
            f"{totals['premiums']:,}, part year {totals['part_year']:,}."
        )
        rates = run.result["reconciliation"]["business_rates"]
        if totals["rates"]["accounts"]:
            self.stdout.write(
                f"Business rates: {totals['rates']['accounts']:,} accounts, gross "
                f"£{Decimal(rates['gross_expected']):,.2f} less reliefs £{Decimal(rates['reliefs']):,.2f}, "
                f"charged £{Decimal(rates['charged']):,.2f}, "
                f"rounding £{Decimal(rates['rounding']):,.2f}."
            )
