"""Human references of a tenant, like NFD-000123: a sequence per kind of record, no gaps and no repeats.

The counter row is locked (SELECT ... FOR UPDATE) and incremented in the caller's transaction, so two
callers never get the same number, and a caller whose transaction rolls back gives its number back. The
price is that callers of one sequence queue on its row until each commits: keep the transaction that takes
a reference short. (A database sequence would not queue, but it leaves gaps, which auditors query.)
"""

import re

from django.db import transaction
from django_scopes import get_scope

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


def reference_next(*, tenant: Tenant, sequence: str = "case") -> str:
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
    counters = ReferenceCounter.objects.select_for_update().filter(tenant=tenant, sequence=sequence)
    counter = counters.first()
    if counter is None:
        # Concurrent first uses: one insert wins, the others are ignored, and all then queue on the lock.
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(tenant=tenant, sequence=sequence, last_value=0)], ignore_conflicts=True
        )
        counter = counters.get()
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{tenant.reference_prefix}-{counter.last_value:06d}"
