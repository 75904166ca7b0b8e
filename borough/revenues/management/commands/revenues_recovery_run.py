"""`borough revenues_recovery_run --tenant S [--date YYYY-MM-DD] [--hearing-date YYYY-MM-DD] [--wait]`: the daily
recovery run (reminders, final notices, the summons list). With --wait, or with no broker, it runs here."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.core.models import Run
from borough.core.runs import run_execute, run_start
from borough.revenues.recovery.runs import KIND
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Run the daily recovery run for a tenant: reminders, final notices and the summons list."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--date", default="", help="The run's day (default today), YYYY-MM-DD")
        parser.add_argument("--hearing-date", default="", help="The court hearing for today's summonses")
        parser.add_argument("--wait", action="store_true", help="Run here rather than on a worker")

    def handle_tenant(self, tenant, *args, **options):
        parameters = {"date": options["date"]}
        if options["hearing_date"]:
            parameters["hearing_date"] = options["hearing_date"]
        here = options["wait"] or settings.CELERY_BROKER_URL.startswith("memory://")
        try:
            run = run_start(tenant=tenant, kind=KIND, parameters=parameters, dispatch=not here)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from error
        if not here:
            self.stdout.write(f"Run {run.pk} is queued for a worker; follow it at /staff/revenues/recovery/.")
            return
        run = run_execute(run=run)
        self.stdout.write(
            f"Run {run.pk} {run.get_status_display().lower()}: {run.succeeded_items} accounts looked at, "
            f"{run.failed_items} failed."
        )
        for error in run.errors[-5:]:
            self.stdout.write(f"  error: {error['message']}")
        for name, value in run.result.items():
            shown = Path(settings.MEDIA_ROOT) / value if name == "file" else value
            self.stdout.write(f"{name.replace('_', ' ').capitalize()}: {shown}")
        if run.status == Run.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed. Fix the cause, then `borough run resume {run.pk}`.")
