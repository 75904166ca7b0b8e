"""Human references of a tenant, like NFD-000123: a sequence per kind of record, numbers never repeated.

Gapless (the default, for what auditors count: bills, invoices, payments): the counter row is incremented
(UPDATE ... RETURNING, which locks it) in the caller's transaction, so two callers never get the same number,
and a caller whose transaction rolls back gives its number back. The price is that callers of one sequence
queue on its row until each commits.

`gapless=False` (case references, where hundreds arrive a second): on PostgreSQL the number comes from a
database sequence of the tenant (`borough_reference_next`, docs/adr/0011), which nobody waits for; a
transaction that rolls back after taking a number leaves a gap. On SQLite, which runs one writer at a time
anyway, it is the counter row as above.
"""

import re

from django.db import connection, transaction
from django_scopes import get_scope

from borough.core.inserts import run_prepared
from borough.core.models import ReferenceCounter
from borough.tenancy.models import Tenant, TenantMismatch

SEQUENCE_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,39}")


class TransactionRequired(RuntimeError):
    """A reference was asked for outside a transaction, where a rollback could not give it back."""


def check_tenant_scope(tenant: Tenant, what: str) -> None:
    """Refuse to write a row for a tenant other than the one whose scope is active."""
    scope = get_scope()
    if scope.get("_enabled", True) and scope.get("tenant") != tenant.pk:
        raise TenantMismatch(f"{what} for {tenant.slug} must run inside tenant_scope({tenant.slug})")


def reference_next(*, tenant: Tenant, sequence: str = "case", gapless: bool = True) -> str:
    """The next reference of `sequence` for `tenant`: "<prefix>-000123" (six digits at least, then more)."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired(
            "reference_next must be called inside transaction.atomic(), in the transaction that saves the "
            "record carrying the reference, so that a rollback gives the number back"
        )
    if not isinstance(sequence, str) or not SEQUENCE_NAME.fullmatch(sequence):
        raise ValueError(
            f"Sequence {sequence!r} is not a sequence name: use up to 40 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter"
        )
    check_tenant_scope(tenant, "reference_next")
    if not gapless and connection.vendor == "postgresql":
        number = run_prepared("SELECT borough_reference_next(%s, %s)", [tenant.pk, sequence])[0][0]
        return f"{tenant.reference_prefix}-{number:06d}"
    number = _increment(tenant.pk, sequence)
    if number is None:
        # Concurrent first uses: one insert wins, the others are ignored, and all then queue on the row lock.
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(tenant=tenant, sequence=sequence, last_value=0)], ignore_conflicts=True
        )
        number = _increment(tenant.pk, sequence)
    return f"{tenant.reference_prefix}-{number:06d}"


def _increment(tenant_id: int, sequence: str) -> int | None:
    """Add one to the counter and return the new value, in one statement (it locks the row until commit)."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 "  # noqa: S608 - the table name is the model's own
            "WHERE tenant_id = %s AND sequence = %s RETURNING last_value",
            [tenant_id, sequence],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]
