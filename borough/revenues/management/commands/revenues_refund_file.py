"""`borough revenues_refund_file --tenant S [--date YYYY-MM-DD] [--output PATH]`: the BACS refund credit file
(Standard 18) paying the refunds by BACS not yet in a file, for that processing day (default: the next working
day). Run again for the same day, it gives the file made the first time and pays nothing twice."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.payments.refunds import refund_file_create
from borough.tenancy.commands import TenantCommand


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r} is not a date (YYYY-MM-DD)") from None


class Command(TenantCommand):
    help = "Make the BACS refund credit file for one processing day."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--date", help="The processing day, YYYY-MM-DD (default: the next working day)")
        parser.add_argument("--output", help="Also write the file here")

    def handle_tenant(self, tenant, *args, **options):
        day = _day(options["date"]) if options["date"] else None
        try:
            file = refund_file_create(tenant=tenant, processing_day=day)
        except ValidationError as error:
            raise CommandError("; ".join(m for ms in error.message_dict.values() for m in ms)) from None
        if file is None:
            self.stdout.write("No refunds by BACS are waiting for a file.")
            return
        if options["output"]:
            Path(options["output"]).write_bytes(file.content.encode("ascii"))
        self.stdout.write(
            f"Refund file {file.pk} for processing day {file.processing_date}: {file.record_count} refunds, "
            f"£{file.total}"
        )
