"""Channel reporting in the provider console: each tenant's share of contacts by channel, and one tenant's whole
channel report (the staff dashboard's figures). Both read through `cross_tenant_report`, so every reading is in
the provider access log with the tenants it touched."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from borough.crm.calc.channels import DailyContacts
from borough.crm.channel_report import (
    CHANNEL_LABELS,
    ChannelReport,
    channel_report,
    contacts_by_tenant,
    contacts_per_day,
)
from borough.provider.cross_tenant import cross_tenant_report
from borough.tenancy.models import Tenant


@dataclass(frozen=True)
class SharesRow:
    tenant: Tenant
    counts: tuple[int, ...]
    shares: tuple[Decimal | None, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ChannelSummary:
    since: datetime.date
    until: datetime.date
    channels: list[str]
    rows: list[SharesRow]  # every tenant, with or without contacts

    @property
    def channel_labels(self) -> list[str]:
        return [CHANNEL_LABELS.get(c, c) for c in self.channels]


def channel_summary(*, user, since: datetime.date, until: datetime.date) -> ChannelSummary:
    """Every tenant's inbound contacts and share of them by channel over since..until."""
    purpose = f"Channel shares from {since.isoformat()} to {until.isoformat()}"
    with cross_tenant_report(user=user, purpose=purpose):
        channels, by_tenant = contacts_by_tenant(since=since, until=until)
    none = tuple(0 for _c in channels)
    rows = []
    for tenant in Tenant.objects.order_by("name"):
        found = by_tenant.get(tenant.pk)
        rows.append(
            SharesRow(tenant, found.counts, found.shares) if found else SharesRow(tenant, none, (None,) * len(none))
        )
    return ChannelSummary(since=since, until=until, channels=channels, rows=rows)


def tenant_channel_report(
    *, user, tenant: Tenant, since: datetime.date, until: datetime.date, unit: str
) -> ChannelReport:
    """One tenant's channel report, logged as a reading of that tenant."""
    purpose = f"Channel report of {tenant.slug} from {since.isoformat()} to {until.isoformat()}"
    with cross_tenant_report(user=user, purpose=purpose, tenants=[tenant.pk]):
        return channel_report(tenant=tenant, since=since, until=until, unit=unit)


def tenant_contacts(*, user, tenant: Tenant, since: datetime.date, until: datetime.date) -> DailyContacts:
    """One tenant's contacts per day per channel (the CSV), logged as a reading of that tenant."""
    purpose = f"Contacts CSV of {tenant.slug} from {since.isoformat()} to {until.isoformat()}"
    with cross_tenant_report(user=user, purpose=purpose, tenants=[tenant.pk]):
        return contacts_per_day(tenant=tenant, since=since, until=until)
