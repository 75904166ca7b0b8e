"""Celery tasks of the CRM. Thin: the work is in borough.crm.sla. Tenant tasks take `tenant_id` first
(borough.core.tasks_base.TenantTask enters its scope)."""

from celery import shared_task

from borough.core.tasks_base import TenantTask
from borough.crm.sla import case_sla_sweep
from borough.tenancy.models import Tenant


@shared_task(base=TenantTask)
def crm_sla_sweep(tenant_id: int) -> dict[str, int]:
    return case_sla_sweep(tenant=Tenant.objects.get(pk=tenant_id)).as_dict()


@shared_task
def crm_sla_sweep_due() -> int:
    """Periodic (celery beat): a service-level sweep for every active tenant with the CRM.

    A platform task: it reads only the tenant list (not tenant-owned), and each sweep runs in its tenant's scope."""
    tenant_ids = [t.pk for t in Tenant.objects.filter(status=Tenant.Status.ACTIVE) if t.has_module("crm")]
    for tenant_id in tenant_ids:
        crm_sla_sweep.delay(tenant_id=tenant_id)
    return len(tenant_ids)
