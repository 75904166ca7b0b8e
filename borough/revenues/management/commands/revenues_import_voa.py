"""`borough revenues_import_voa --tenant S --kind council-tax|business-rates --file PATH [--dry-run]`.

Prints the report. Exit status: 0 when every row was imported, 1 when some rows were rejected (the good ones are
kept: fix the rejected lines and import the file again, which leaves the rest unchanged), 2 when the file could
not be read at all.
"""

import sys

from django.core.management.base import CommandError

from borough.revenues.voa.importer import KINDS, voa_import
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Import a VOA council tax list or schedule (CSV) or a non-domestic rating list (list entries, '*')."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--file", required=True, help="The file to import")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing")

    def handle_tenant(self, tenant, *args, **options):
        try:
            handle = open(options["file"], "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
        with handle:
            report = voa_import(tenant=tenant, kind=options["kind"], file=handle, dry_run=options["dry_run"])
        self.stdout.write(report.as_text())
        if report.error:
            sys.exit(2)
        if report.rejected:
            sys.exit(1)
