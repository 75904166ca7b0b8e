"""The Celery entry point (DESIGN.md rule 1): a task base that enters the scope of the tenant named by the
task's `tenant_id` argument, and acts as the system on behalf of the task.

    @shared_task(base=TenantTask)
    def case_remind(tenant_id: int, case_id: int): ...

    case_remind.delay(tenant_id=tenant.pk, case_id=case.pk)

A task of a suspended or unknown tenant does nothing (it is logged): a suspended tenant's work waits until it
is reactivated, when its batch runs can be resumed and its outbox is swept again.
"""

import logging

from celery import Task

from borough.core.audit import Actor, acting_as
from borough.core.task_connections import close_stale_connections
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope

logger = logging.getLogger(__name__)


class TenantTask(Task):
    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id", args[0] if args else None)
        close_stale_connections()
        try:
            tenant = Tenant.objects.filter(pk=tenant_id).first() if isinstance(tenant_id, int) else None
            if tenant is None:
                logger.warning("Task %s refused: no tenant with id %r", self.name, tenant_id)
                return None
            if not tenant.is_active:
                logger.warning("Task %s refused: tenant %s is suspended", self.name, tenant.slug)
                return None
            with tenant_scope(tenant), acting_as(Actor.system(f"task {self.name.rsplit('.', 1)[-1]}")):
                return super().__call__(*args, **kwargs)
        finally:
            close_stale_connections()
