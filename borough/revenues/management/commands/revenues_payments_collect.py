"""`borough revenues_payments_collect --tenant S --due-date YYYY-MM-DD [--output PATH]`: the direct debit
collection file for the instalments due that day (BACS Standard 18). Run again for the same date, it gives the
file made the first time and collects nothing twice."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.payments.collections import collection_file_create
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Make the direct debit collection file for one instalment due date."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--due-date", required=True, type=date.fromisoformat)
        parser.add_argument("--output", help="Also write the file here")

    def handle_tenant(self, tenant, *args, **options):
        try:
            file = collection_file_create(tenant=tenant, due_date=options["due_date"])
        except ValidationError as error:
            raise CommandError("; ".join(m for ms in error.message_dict.values() for m in ms)) from None
        if file is None:
            self.stdout.write(f"Nothing to collect for {options['due_date']}.")
            return
        if options["output"]:
            Path(options["output"]).write_bytes(file.content.encode("ascii"))
        self.stdout.write(
            f"Collection file {file.pk} for {file.due_date}: {file.record_count} collections, £{file.total}, "
            f"processing day {file.processing_date}"
        )
