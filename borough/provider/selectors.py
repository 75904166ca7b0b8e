"""Reads of the provider console that are more than one line."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from borough.core.metering import usage_for_tenant
from borough.identity.models import SupportAccess
from borough.tenancy.models import Tenant
from borough.tenancy.modules import MODULES_BY_CODE
from borough.tenancy.resolve import tenant_base_url

DETAIL_USAGE_DAYS = 30


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    site_url: str
    module_names: list[str]
    domains: list[str]


def tenant_rows(request) -> list[TenantRow]:
    """Every tenant, with what the list page shows about it."""
    rows = []
    for tenant in Tenant.objects.prefetch_related("domains"):
        rows.append(
            TenantRow(
                tenant=tenant,
                site_url=tenant_base_url(tenant, request),
                module_names=[MODULES_BY_CODE[c].name for c in tenant.enabled_modules],
                domains=[d.domain for d in tenant.domains.all()],
            )
        )
    return rows


def recent_period(days: int = DETAIL_USAGE_DAYS) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today - datetime.timedelta(days=days - 1), today


def tenant_usage(*, tenant: Tenant, since: datetime.date, until: datetime.date) -> list[tuple[str, int]]:
    """(service name, total) of one tenant over since..until; runs in that tenant's scope."""
    totals: dict[str, int] = {}
    for day in usage_for_tenant(tenant=tenant, since=since, until=until):
        totals[day.service_name] = totals.get(day.service_name, 0) + day.quantity
    return sorted(totals.items())


def support_grants(limit: int = 20) -> list[SupportAccess]:
    """The current tenant scope's support grants, newest first."""
    return list(SupportAccess.objects.select_related("user").order_by("-granted_at")[:limit])
