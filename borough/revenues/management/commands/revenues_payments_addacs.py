"""`borough revenues_payments_addacs --tenant S --file PATH [--kind addacs|auddis]`: import an ADDACS report (the
payers' banks cancel, amend or reinstate direct debit instructions) or, with `--kind auddis`, an AUDDIS report
(instructions the payers' banks rejected). Each advice is applied to its mandate; the rest are kept for review.
Exit status 1 when some advices were kept for review (listed), 2 when the report is refused (unreadable, or
imported before)."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.models import BacsReportItem
from borough.revenues.payments.bacs_reports import ADDACS, AUDDIS
from borough.revenues.payments.mandate_reports import bacs_report_import
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Import an ADDACS report, or an AUDDIS report with --kind auddis."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--file", required=True, help="The report as Bacs publishes it (XML)")
        parser.add_argument("--kind", choices=[ADDACS, AUDDIS], default=ADDACS)

    def handle_tenant(self, tenant, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            report = bacs_report_import(tenant=tenant, kind=options["kind"], name=path.name, content=content)
        except ValidationError as error:
            self.stderr.write("; ".join(m for ms in error.message_dict.values() for m in ms))
            sys.exit(2)
        self.stdout.write(f"{report.name}: {report.items_applied} applied, {report.items_kept} kept for review")
        kept = report.items.filter(status=BacsReportItem.Status.REVIEW).order_by("position")
        for item in kept:
            self.stdout.write(f"  advice {item.position} ({item.reference or 'no reference'}): {item.outcome}")
        if report.items_kept:
            sys.exit(1)
