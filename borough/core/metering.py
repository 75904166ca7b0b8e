"""Usage metering: what each tenant used of each chargeable service, per day, for the provider's chargeback.

Every module calls `meter_record` once for each thing the provider charges for, in the transaction that does
the thing, so a rolled-back case or an unsent bill is never charged. One row per tenant, service and day
keeps the table small however busy a tenant is (a few rows in fact, shards picked at random, so that concurrent
transactions rarely wait for each other's row lock). No audit event: the usage row is itself the record, and
auditing every SMS segment would drown the audit trail.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from borough.core.inserts import run_prepared
from borough.core.models import UsageRecord
from borough.core.references import check_tenant_scope
from borough.tenancy.models import Tenant
from borough.tenancy.scope import ALL_TENANTS, current_tenant_id, database_tenant

USAGE_SHARDS = 8


class ChargeableService(NamedTuple):
    name: str
    unit: str


# What the provider charges for. A module meters only these codes; add a code here before metering it.
CHARGEABLE_SERVICES: dict[str, ChargeableService] = {
    "crm.case": ChargeableService("Cases handled", "case"),
    "channels.email": ChargeableService("Emails sent", "email"),
    "channels.sms_segment": ChargeableService("SMS segments sent", "segment"),
    "channels.letter": ChargeableService("Letters posted", "letter"),
    "channels.call": ChargeableService("Telephone calls handled", "call"),
    "revenues.bill": ChargeableService("Council tax and business rates bills issued", "bill"),
    "benefits.assessment": ChargeableService("Benefit claims assessed", "assessment"),
    "payroll.payslip": ChargeableService("Payslips produced", "payslip"),
    "procurement.invoice": ChargeableService("Supplier invoices processed", "invoice"),
    "itsm.ticket": ChargeableService("Service desk tickets handled", "ticket"),
}


@dataclass(frozen=True)
class DailyUsage:
    day: date
    service: str
    quantity: int

    @property
    def service_name(self) -> str:
        return CHARGEABLE_SERVICES[self.service].name if self.service in CHARGEABLE_SERVICES else self.service


def meter_record(*, tenant: Tenant, service: str, quantity: int = 1, on: date | None = None) -> None:
    """Add `quantity` units of `service` to `tenant`'s usage on day `on` (by default today, local time)."""
    if service not in CHARGEABLE_SERVICES:
        raise ValueError(f"Unknown chargeable service {service!r}: use one of {', '.join(sorted(CHARGEABLE_SERVICES))}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError(f"quantity must be a whole number, at least 1, not {quantity!r}")
    if on is not None and (not isinstance(on, date) or isinstance(on, datetime)):
        raise TypeError(f"on must be a date, not {type(on).__name__}")
    check_tenant_scope(tenant, "meter_record")
    day = on or timezone.localdate()
    shard = random.randrange(USAGE_SHARDS)  # noqa: S311 - spreads writes over rows, not a secret
    if _add_to_row(tenant.pk, service, day, shard, quantity):  # the usual case: one statement
        return
    rows = UsageRecord.objects.filter(tenant=tenant, service=service, day=day, shard=shard)
    # The shard's first use that day. In a savepoint: losing the race to insert must not spoil the caller's transaction.
    try:
        with transaction.atomic():
            UsageRecord.objects.create(tenant=tenant, service=service, day=day, shard=shard, quantity=quantity)
    except IntegrityError:
        # Another transaction inserted the row first (and has committed, or the insert would still wait).
        rows.update(quantity=F("quantity") + quantity)


def _add_to_row(tenant_id: int, service: str, day: date, shard: int, quantity: int) -> bool:
    # Written out: every case creation runs it, and building it through the ORM cost more than running it.
    _row, updated = run_prepared(
        f"UPDATE {UsageRecord._meta.db_table} SET quantity = quantity + %s "  # noqa: S608 - the model's own table
        "WHERE tenant_id = %s AND service = %s AND day = %s AND shard = %s",
        [quantity, tenant_id, service, day, shard],
    )
    return updated > 0


def _check_period(since: date, until: date) -> None:
    if since > until:
        raise ValueError(f"The period starts ({since}) after it ends ({until})")


def usage_by_tenant(*, since: date, until: date) -> dict[int, dict[str, int]]:
    """{tenant id: {service: total}} over the days `since` to `until` (both included), for the provider.

    Reads every tenant, so it runs only inside `all_tenants_scope()`, which the provider's audited
    cross-tenant path enters. Tenants and services with no usage are absent.
    """
    if database_tenant.get() != ALL_TENANTS:
        raise PermissionError("usage_by_tenant reads every tenant's usage: call it inside all_tenants_scope()")
    _check_period(since, until)
    totals = (
        UsageRecord.objects.filter(day__gte=since, day__lte=until)
        .values("tenant_id", "service")
        .annotate(total=Sum("quantity"))
        .order_by("tenant_id", "service")
    )
    usage: dict[int, dict[str, int]] = {}
    for row in totals:
        usage.setdefault(row["tenant_id"], {})[row["service"]] = row["total"]
    return usage


def usage_for_tenant(*, tenant: Tenant, since: date, until: date) -> list[DailyUsage]:
    """One tenant's usage, a row per day and service, oldest first.

    Runs in that tenant's scope (or the provider's `all_tenants_scope()`, to look at one tenant).
    """
    if current_tenant_id() != tenant.pk and database_tenant.get() != ALL_TENANTS:
        raise PermissionError(f"usage_for_tenant for {tenant.slug} must run inside tenant_scope({tenant.slug})")
    _check_period(since, until)
    rows = (
        UsageRecord.objects.filter(tenant=tenant, day__gte=since, day__lte=until)
        .values("day", "service")
        .annotate(total=Sum("quantity"))
        .order_by("day", "service")
    )
    return [DailyUsage(row["day"], row["service"], row["total"]) for row in rows]
