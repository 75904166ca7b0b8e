"""Celery tasks of the shared kernel: executing batch runs and delivering the outbox. Thin: load by id, call
the service. Tenant tasks take `tenant_id` first (borough.core.tasks_base.TenantTask enters its scope)."""

import logging

from celery import shared_task
from django.utils import timezone

from borough.core.models import OutboxMessage, Run
from borough.core.outbox import BATCH_SIZE, due_messages, outbox_deliver, outbox_deliver_many
from borough.core.runs import run_execute
from borough.core.tasks_base import TenantTask
from borough.tenancy.models import Tenant
from borough.tenancy.scope import all_tenants_scope

logger = logging.getLogger(__name__)

DUE_BATCH = 500


@shared_task(base=TenantTask, acks_late=True)
def run_execute_task(tenant_id: int, run_id: int) -> None:
    # acks_late: a worker that dies mid-run leaves the message to another worker, which resumes the run.
    run = Run.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("run_execute_task: no run %s in tenant %s", run_id, tenant_id)
        return
    run_execute(run=run)


@shared_task(base=TenantTask, acks_late=True)
def outbox_deliver_task(tenant_id: int, message_id: int) -> None:
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        logger.warning("outbox_deliver_task: no message %s in tenant %s", message_id, tenant_id)
        return
    outbox_deliver(message=message)


@shared_task(base=TenantTask, acks_late=True)
def outbox_deliver_batch_task(tenant_id: int, message_ids: list[int]) -> int:
    # acks_late, as above: a batch whose worker died is taken again; what it had sent is found by `recover`.
    return outbox_deliver_many(ids=message_ids)


@shared_task
def outbox_deliver_due() -> int:
    """Periodic (celery beat): hand every due message of every active tenant to a per-tenant delivery task.

    A platform task: the cross-tenant scope is used only to list (tenant, message) ids; each delivery runs
    in its own tenant's scope."""
    with all_tenants_scope():
        due = list(
            OutboxMessage.objects.filter(due_messages(timezone.now()), tenant__status=Tenant.Status.ACTIVE)
            .order_by("next_attempt_at")
            .values_list("tenant_id", "id")[:DUE_BATCH]
        )
    by_tenant: dict[int, list[int]] = {}
    for tenant_id, message_id in due:
        by_tenant.setdefault(tenant_id, []).append(message_id)
    for tenant_id, ids in by_tenant.items():
        for start in range(0, len(ids), BATCH_SIZE):
            outbox_deliver_batch_task.delay(tenant_id=tenant_id, message_ids=ids[start : start + BATCH_SIZE])
    return len(due)
