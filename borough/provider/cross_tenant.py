"""The one explicit path to data of several tenants at once (DESIGN.md rule 1): provider reports.

Every use writes a ProviderAccessLog row (who, why, which tenants) before any tenant's data is read, so the
provider's cross-tenant reading is as visible as a tenant's own audit trail. Nothing else in the codebase
enters `all_tenants_scope()`; a test checks.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError

from borough.provider.models import ALL_TENANTS, ProviderAccessLog
from borough.tenancy.scope import all_tenants_scope


@contextmanager
def cross_tenant_report(*, user, purpose: str, tenants: str | list[int] = ALL_TENANTS) -> Iterator[ProviderAccessLog]:
    """Log the access, then act for every tenant until the block ends. Only provider staff may."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "is_provider_staff", False)):
        raise PermissionDenied("Only provider staff may read across tenants.")
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError({"purpose": "Say why the report reads across tenants."})
    touched = ALL_TENANTS if tenants == ALL_TENANTS else sorted({int(t) for t in tenants})
    log = ProviderAccessLog.objects.create(user=user, purpose=purpose[:300], tenants=touched)
    with all_tenants_scope():
        yield log
