"""`borough revenues_payments_auddis --tenant S [--processing-day YYYY-MM-DD] [--output PATH]`: the AUDDIS file
lodging new direct debit mandates (0N) and cancelling those the council ended (0C), in BACS Standard 18."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.payments.direct_debit import auddis_file_create
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Make the AUDDIS file for new and cancelled direct debit mandates."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--processing-day", type=date.fromisoformat, help="Default: the next working day")
        parser.add_argument("--output", help="Also write the file here")

    def handle_tenant(self, tenant, *args, **options):
        try:
            file = auddis_file_create(tenant=tenant, processing_day=options["processing_day"])
        except ValidationError as error:
            raise CommandError("; ".join(m for ms in error.message_dict.values() for m in ms)) from None
        if file is None:
            self.stdout.write("No mandates to lodge or cancel.")
            return
        if options["output"]:
            Path(options["output"]).write_bytes(file.content.encode("ascii"))
        self.stdout.write(
            f"AUDDIS file {file.pk}: {file.record_count} instructions, processing day {file.processing_date}"
        )
