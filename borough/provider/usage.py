"""The usage report across tenants: a table of tenants by chargeable service, on the page and as CSV."""

import csv
import datetime
from dataclasses import dataclass

from django.http import HttpResponse

from borough.core.metering import CHARGEABLE_SERVICES, usage_by_tenant
from borough.provider.cross_tenant import cross_tenant_report
from borough.tenancy.models import Tenant


@dataclass(frozen=True)
class UsageRow:
    tenant: Tenant
    quantities: list[int]


@dataclass(frozen=True)
class UsageReport:
    since: datetime.date
    until: datetime.date
    services: list[tuple[str, str]]  # (code, name), the columns
    rows: list[UsageRow]

    @property
    def totals(self) -> list[int]:
        return [sum(row.quantities[i] for row in self.rows) for i in range(len(self.services))]

    @property
    def _used(self) -> list[int]:
        return [i for i, total in enumerate(self.totals) if total]

    @property
    def shown_services(self) -> list[tuple[str, str]]:
        """The page shows only the services used in the period (the CSV has them all)."""
        return [self.services[i] for i in self._used]

    @property
    def shown_rows(self) -> list[UsageRow]:
        used = self._used
        return [UsageRow(row.tenant, [row.quantities[i] for i in used]) for row in self.rows]

    @property
    def shown_totals(self) -> list[int]:
        totals = self.totals
        return [totals[i] for i in self._used]


def usage_report(*, user, since: datetime.date, until: datetime.date) -> UsageReport:
    """Every tenant's usage of every chargeable service over since..until, read through the audited path."""
    purpose = f"Usage report from {since.isoformat()} to {until.isoformat()}"
    with cross_tenant_report(user=user, purpose=purpose):
        usage = usage_by_tenant(since=since, until=until)
    # Codes metered but no longer listed as chargeable still show, so no usage drops out of the report.
    codes = list(CHARGEABLE_SERVICES) + sorted({c for t in usage.values() for c in t} - set(CHARGEABLE_SERVICES))
    services = [(code, CHARGEABLE_SERVICES[code].name if code in CHARGEABLE_SERVICES else code) for code in codes]
    rows = [
        UsageRow(tenant, [usage.get(tenant.pk, {}).get(code, 0) for code in codes]) for tenant in Tenant.objects.all()
    ]
    return UsageReport(since=since, until=until, services=services, rows=rows)


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def usage_csv_response(report: UsageReport) -> HttpResponse:
    filename = f"usage-{report.since.isoformat()}-to-{report.until.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["tenant", "tenant_name", "service", "service_name", "since", "until", "quantity"])
    for row in report.rows:
        for (code, name), quantity in zip(report.services, row.quantities, strict=True):
            writer.writerow(
                [
                    row.tenant.slug,
                    _csv_cell(row.tenant.name),
                    code,
                    name,
                    report.since,
                    report.until,
                    quantity,
                ]
            )
    return response
