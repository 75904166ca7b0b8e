"""Housekeeping of the portal: photos of journeys never finished, and security codes past any use.

Run daily: `borough portal_purge`, or the Celery task borough.portal.tasks.portal_purge_task.
"""

from dataclasses import dataclass

from borough.core.audit import Actor, acting_as
from borough.portal.services import verifications_purge
from borough.portal.uploads import uploads_purge
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


@dataclass(frozen=True)
class Purged:
    upload_folders: int
    codes: int


def portal_purge() -> Purged:
    folders = uploads_purge()
    codes = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant), acting_as(Actor.system("portal purge")):
            codes += verifications_purge(tenant=tenant)
    return Purged(folders, codes)
