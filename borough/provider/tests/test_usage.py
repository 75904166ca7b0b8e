"""Usage per tenant and service, read across tenants only through the logged path; per tenant on its page."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.core.metering import meter_record
from borough.provider.models import ProviderAccessLog
from borough.tenancy.scope import tenant_scope

USAGE = reverse("provider:usage", urlconf="config.urls_provider")
USAGE_CSV = reverse("provider:usage_csv", urlconf="config.urls_provider")


@pytest.fixture
def metered(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        meter_record(tenant=tenant_a, service="crm.case", quantity=3, on=date(2026, 3, 1))
        meter_record(tenant=tenant_a, service="crm.case", quantity=4, on=date(2026, 3, 31))
        meter_record(tenant=tenant_a, service="channels.sms_segment", quantity=10, on=date(2026, 3, 15))
        meter_record(tenant=tenant_a, service="crm.case", quantity=100, on=date(2026, 4, 1))  # outside March
    with tenant_scope(tenant_b):
        meter_record(tenant=tenant_b, service="crm.case", quantity=5, on=date(2026, 3, 2))
        meter_record(tenant=tenant_b, service="payroll.payslip", quantity=250, on=date(2026, 3, 28))
    return tenant_a, tenant_b


def table(report) -> dict[str, dict[str, int]]:
    return {
        row.tenant.slug: dict(zip([c for c, _ in report.services], row.quantities, strict=True)) for row in report.rows
    }


def test_the_usage_table_totals_each_tenant_and_service_for_the_period(console, metered, provider_user):
    page = console.get(USAGE, {"since": "2026-03-01", "until": "2026-03-31"})
    assert page.status_code == 200
    usage = table(page.context["report"])
    assert usage["northfield"]["crm.case"] == 7
    assert usage["northfield"]["channels.sms_segment"] == 10
    assert usage["northfield"]["payroll.payslip"] == 0
    assert usage["southvale"]["crm.case"] == 5 and usage["southvale"]["payroll.payslip"] == 250
    assert page.context["report"].totals[0] == 12  # crm.case, the first column, over all tenants
    html = page.content.decode()
    assert "Usage from 1 March 2026 to 31 March 2026" in html
    assert 'scope="col"' in html and 'scope="row"' in html
    # The page's columns are the services used; the report (and the CSV) keep them all.
    assert [label for _code, label in page.context["report"].shown_services] == [
        "Cases handled",
        "SMS segments sent",
        "Payslips produced",
    ]
    assert "Emails sent" not in html
    assert "<strong>12</strong>" in html  # cases over all tenants, in the foot of the table

    [log] = ProviderAccessLog.objects.all()
    assert log.user == provider_user and log.tenants == "all"
    assert log.purpose == "Usage report from 2026-03-01 to 2026-03-31"


def test_the_default_period_is_this_month(console, tenant_a):
    today = timezone.localdate()
    with tenant_scope(tenant_a):
        meter_record(tenant=tenant_a, service="itsm.ticket", quantity=2, on=today)
        meter_record(tenant=tenant_a, service="itsm.ticket", quantity=9, on=today.replace(day=1) - timedelta(days=1))
    page = console.get(USAGE)
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.since, report.until) == (today.replace(day=1), today)
    assert table(report)["northfield"]["itsm.ticket"] == 2


def test_the_csv_has_a_row_per_tenant_and_service(console, metered):
    response = console.get(USAGE_CSV, {"since": "2026-03-01", "until": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="usage-2026-03-01-to-2026-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {(r["tenant"], r["service"]): int(r["quantity"]) for r in rows}
    assert by_key[("northfield", "crm.case")] == 7 and by_key[("southvale", "payroll.payslip")] == 250
    assert rows[0]["since"] == "2026-03-01" and rows[0]["until"] == "2026-03-31"
    assert ProviderAccessLog.objects.count() == 1


def test_a_period_without_usage_says_so(console, metered):
    page = console.get(USAGE, {"since": "2025-01-01", "until": "2025-01-31"})
    assert page.status_code == 200
    assert "No usage from 1 January 2025 to 31 January 2025." in page.content.decode()


def test_a_formula_in_a_tenant_name_is_defused_in_the_csv(console, make_tenant):
    make_tenant("evil", name='=HYPERLINK("http://x")')
    rows = list(csv.DictReader(io.StringIO(console.get(USAGE_CSV).content.decode())))
    assert {r["tenant_name"] for r in rows} == {'\'=HYPERLINK("http://x")'}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-03-31", "until": "2026-03-01"}, "on or after the first day"),
        ({"since": "yesterday", "until": "2026-03-01"}, "Enter a valid date"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "at most a year"),
        ({"since": "", "until": "2026-01-01"}, "This field is required"),
    ],
)
def test_a_bad_period_is_refused_and_nothing_is_read(console, metered, query, message):
    for path in (USAGE, USAGE_CSV):
        response = console.get(path, query)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert ProviderAccessLog.objects.count() == 0


def test_the_tenant_page_shows_its_last_30_days(console, tenant_a, tenant_b):
    today = timezone.localdate()
    with tenant_scope(tenant_a):
        meter_record(tenant=tenant_a, service="payroll.payslip", quantity=40, on=today)
        meter_record(tenant=tenant_a, service="payroll.payslip", quantity=2, on=today - timedelta(days=29))
        meter_record(tenant=tenant_a, service="payroll.payslip", quantity=1000, on=today - timedelta(days=30))
    with tenant_scope(tenant_b):
        meter_record(tenant=tenant_b, service="payroll.payslip", quantity=7, on=today)
    page = console.get(reverse("provider:tenant", args=["northfield"], urlconf="config.urls_provider"))
    assert page.context["usage"] == [("Payslips produced", 42)]
    assert ProviderAccessLog.objects.count() == 0  # one tenant's own rows, in its scope: not a cross-tenant read
