"""`borough revenues_payments_arudd --tenant S FILE`: import an ARUDD report (returned direct debits): reverse
each returned collection (once) and end the mandates the return reason ends. Exit status 1 when some items
matched no collection (listed), 2 when the report cannot be read."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.payments.arudd import arudd_import
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Import an ARUDD report of returned direct debits."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")

    def handle_tenant(self, tenant, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            result = arudd_import(tenant=tenant, content=content, name=path.name)
        except ValidationError as error:
            self.stderr.write("; ".join(m for ms in error.message_dict.values() for m in ms))
            sys.exit(2)
        self.stdout.write(
            f"{len(result.reversed)} reversed, {len(result.already)} reversed before, "
            f"{len(result.mandates_ended)} mandates ended, {len(result.unmatched)} unmatched"
        )
        for item in result.unmatched:
            self.stdout.write(f"  no collection matches: {item}")
        if result.unmatched:
            sys.exit(1)
