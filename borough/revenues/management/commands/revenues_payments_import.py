"""`borough revenues_payments_import --tenant S --source bank|post_office|paypoint FILE`.

Posts each payment to its account and keeps the others for review. Exit status: 0 when every row was posted,
1 when some were kept for review (see them at /staff/revenues/payments/), 2 when the file was refused whole
(already imported, unreadable): nothing of it was kept.
"""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.revenues.payments.services import payment_file_import
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Import a payment file: a bank statement CSV, a Post Office or a PayPoint transaction file."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--source", required=True, choices=["bank", "post_office", "paypoint"])
        parser.add_argument("file", help="The file to import")

    def handle_tenant(self, tenant, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            file = payment_file_import(tenant=tenant, source=options["source"], name=path.name, content=content)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.stderr.write(f"{field}: {' '.join(messages)}")
            sys.exit(2)
        self.stdout.write(
            f"{file.name}: {file.rows_total} rows, {file.rows_posted} posted (£{file.total_posted}), "
            f"{file.rows_rejected} kept for review"
        )
        for row in file.rows.filter(status="rejected").order_by("line_number"):
            self.stdout.write(f"  line {row.line_number}: {row.error}")
        if file.rows_rejected:
            sys.exit(1)
