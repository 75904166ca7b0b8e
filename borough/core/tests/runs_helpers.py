"""Helpers of the batch run and outbox tests."""

from datetime import date, datetime, time

from django.utils import timezone

from borough.core.models import AuditEvent
from borough.tenancy.scope import tenant_scope


def uk(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


def add_events(tenant, *moments: datetime, action: str = "test.event") -> list[AuditEvent]:
    """Audit events of `tenant` at the given moments (created directly: the audit log is append-only)."""
    with tenant_scope(tenant):
        return [
            AuditEvent.objects.create(
                tenant=tenant,
                occurred_at=moment,
                actor_type="system",
                actor_label="test",
                action=action,
                object_type="tenancy.tenant",
                object_id=str(tenant.pk),
                object_repr=f"{tenant.name} {n}",
                changes={"n": [n, n + 1]},
            )
            for n, moment in enumerate(moments)
        ]
