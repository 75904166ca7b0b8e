"""Writing a chunk's bills in one go.

SQLite: bulk_create. PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT into the bills table
(COPY FROM cannot write a table under row-level security, and the bills table is under it; the INSERT is checked
by the policy like any other). docs/benchmarks.md and ADR 0019 give the figures that chose it over bulk_create.
"""

import os

from django.db import connection
from django.utils import timezone

from borough.revenues.models import Bill

COLUMNS = (
    "tenant_id",
    "account_id",
    "financial_year",
    "kind",
    "number",
    "issued_on",
    "run_id",
    "charge",
    "credited",
    "balance",
    "instalments",
    "scheme",
    "detail",
    "steps",
    "delivery",
    "created_at",
)
STAGING = "billing_bills_staging"
# "copy" or "bulk_create"; the environment may choose, for the benchmark's comparison.
WRITER = os.environ.get("BOROUGH_BILL_WRITER", "copy")


def writes_json_text() -> bool:
    """Whether bills_write wants instalments, detail and steps as JSON text (COPY) or as values (bulk_create)."""
    return connection.vendor == "postgresql" and WRITER == "copy"


def bills_write(rows: list[tuple]) -> int:
    """Insert bills, each a tuple of COLUMNS' values but created_at, in the current transaction."""
    if not rows:
        return 0
    if writes_json_text():
        _copy(rows)
    else:
        now = timezone.now()
        Bill.objects.bulk_create([Bill(**dict(zip(COLUMNS, (*row, now), strict=True))) for row in rows], batch_size=500)
    return len(rows)


def _copy(rows: list[tuple]) -> None:
    table = connection.ops.quote_name(Bill._meta.db_table)
    columns = ", ".join(COLUMNS)
    now = timezone.now()
    with connection.cursor() as cursor:
        # Temporary tables are the session's own: no other connection, and no policy, sees this one.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DELETE ROWS AS "  # noqa: S608 - our own names
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, now))
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING}")  # noqa: S608
        cursor.execute(f"TRUNCATE {STAGING}")
