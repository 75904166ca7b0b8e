"""`borough run start|resume|cancel|list --tenant S`: batch runs from the command line.

    borough run start core.audit_export --tenant nfd --param from=2026-01-01 --param to=2026-01-31 --wait
    borough run resume 12 --tenant nfd
    borough run list --tenant nfd

`start --wait` and `resume` execute the run here, with a progress bar, rather than on a Celery worker.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from borough.core.models import Run
from borough.core.runs import run_cancel, run_execute, run_kinds, run_resume, run_start, run_title
from borough.tenancy.commands import TenantCommand


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class _ConsoleStream:
    """Lets rich write through the command's stdout (which otherwise ends every write with a new line)."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


class Command(TenantCommand):
    help = "Start, resume, cancel or list a tenant's batch runs."

    def add_arguments(self, parser):
        # --tenant goes on each sub-command, so it can be given after the sub-command's own arguments.
        actions = parser.add_subparsers(dest="action", required=True)
        start = actions.add_parser("start", help="Start a run")
        start.add_argument("kind", help="The kind of run, e.g. core.audit_export")
        start.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A parameter of the run (repeat for more)",
        )
        start.add_argument(
            "--wait",
            action="store_true",
            help="Execute the run here with a progress bar instead of on a worker",
        )
        resume = actions.add_parser("resume", help="Carry on with a run that stopped, here, with a progress bar")
        resume.add_argument("run_id", type=int)
        cancel = actions.add_parser("cancel", help="Cancel a run after the chunk it is doing")
        cancel.add_argument("run_id", type=int)
        listing = actions.add_parser("list", help="The tenant's latest runs")
        listing.add_argument("--limit", type=int, default=20)
        for action in (start, resume, cancel, listing):
            action.add_argument("--tenant", required=True, help="The tenant's slug")

    def handle_tenant(self, tenant, *args, **options):
        stream = _ConsoleStream(self.stdout)
        # Piped or captured output is not narrowed to rich's 80-column default for non-terminals.
        self.console = Console(file=stream, highlight=False, width=None if stream.isatty() else 120)
        try:
            getattr(self, f"handle_{options['action']}")(tenant, options)
        except ValidationError as error:
            raise CommandError(_validation_message(error)) from error

    @staticmethod
    def _parameters(pairs: list[str]) -> dict[str, str]:
        parameters = {}
        for pair in pairs:
            name, equals, value = pair.partition("=")
            if not equals or not name.strip():
                raise CommandError(f"Give each --param as NAME=VALUE, not {pair!r}.")
            parameters[name.strip()] = value.strip()
        return parameters

    def _run(self, run_id: int) -> Run:
        run = Run.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No run {run_id} in this tenant.")
        return run

    def handle_start(self, tenant, options):
        if options["kind"] not in run_kinds():
            raise CommandError(
                f"Unknown kind of run {options['kind']!r}. Choose from: {', '.join(sorted(run_kinds()))}"
            )
        in_process = options["wait"] or settings.CELERY_BROKER_URL.startswith("memory://")
        run = run_start(
            tenant=tenant,
            kind=options["kind"],
            parameters=self._parameters(options["param"]),
            dispatch=not in_process,
        )
        if not in_process:
            self.stdout.write(
                f"Run {run.pk} is queued for a worker. Follow it with `borough run list --tenant "
                f"{tenant.slug}` or at /staff/runs/{run.pk}/."
            )
            return
        if not options["wait"]:
            self.stdout.write("No broker is configured (BROKER_URL), so the run is executed here.")
        self._execute(run)

    def handle_resume(self, tenant, options):
        run = run_resume(run=self._run(options["run_id"]), dispatch=False)
        self._execute(run)

    def handle_cancel(self, tenant, options):
        run = run_cancel(run=self._run(options["run_id"]))
        self.stdout.write(f"Run {run.pk} is cancelled.")

    def handle_list(self, tenant, options):
        table = Table(title=f"Runs of {tenant.name}")
        for column in ("Run", "Kind", "Status", "Done", "Succeeded", "Failed", "Created"):
            table.add_column(column)
        for run in Run.objects.all()[: options["limit"]]:
            table.add_row(
                str(run.pk),
                run.kind,
                run.status,
                f"{run.percent_done}%",
                str(run.succeeded_items),
                str(run.failed_items),
                f"{timezone.localtime(run.created_at):%Y-%m-%d %H:%M}",
            )
        self.console.print(table)

    def _execute(self, run: Run) -> None:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console) as progress:
            bar = progress.add_task(f"Run {run.pk}: {run_title(run)}", total=None)

            def show(_run, done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            run = run_execute(run=run, on_progress=show)
        self.stdout.write(
            f"Run {run.pk} {run.get_status_display().lower()}: {run.succeeded_items} succeeded, "
            f"{run.failed_items} failed."
        )
        for error in run.errors[-5:]:
            self.stdout.write(f"  error: {error['message']}")
        for name, value in run.result.items():
            shown = Path(settings.MEDIA_ROOT) / value if name == "file" else value
            self.stdout.write(f"{name.capitalize()}: {shown}")
        if run.status == Run.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed. Fix the cause, then `borough run resume {run.pk}`.")
