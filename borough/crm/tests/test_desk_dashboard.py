"""The dashboard's numbers are the data's: volumes by channel and service for the period chosen, and the share of
cases resolved by their due time; the charts say the same numbers as the tables."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from borough.crm.desk.charts import bar_chart
from borough.crm.models import Case
from borough.crm.tests import test_desk_support as support
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client


def make(desk, service, channel, *, age_days=1, due_in_days=5, resolved_after_days=None, paused=False):
    now = timezone.now()
    created = now - timedelta(days=age_days)
    due = created + timedelta(days=due_in_days)
    resolved = created + timedelta(days=resolved_after_days) if resolved_after_days is not None else None
    with tenant_scope(desk.tenant):
        number = Case.objects.count() + 1
        return Case.objects.create(
            tenant=desk.tenant,
            reference=f"DSH-{number:06d}",
            service=service,
            channel=channel,
            description="Dashboard",
            created_at=created,
            due_at=due,
            resolved_at=resolved,
            status="resolved" if resolved else "open",
            sla_paused_at=created + timedelta(hours=1) if paused else None,
        )


@pytest.fixture
def history(desk):
    bins, tax = desk.bins, desk.council_tax
    make(desk, bins, "web", resolved_after_days=2)  # met
    make(desk, bins, "web", resolved_after_days=2)  # met
    make(desk, bins, "phone", age_days=10, due_in_days=3, resolved_after_days=4)  # missed: resolved late
    make(desk, bins, "phone", age_days=20, due_in_days=3)  # missed: still open past due
    make(desk, tax, "email", age_days=2, due_in_days=10)  # pending: open within time
    make(desk, tax, "email", age_days=20, due_in_days=3, paused=True)  # pending: paused before it was due
    make(desk, tax, "phone", age_days=60, due_in_days=3, resolved_after_days=1)  # outside 30 days


def cells(text: str, table_id: str) -> list[list[str]]:
    table = text.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody")[1]
    rows = re.findall(r"<tr.*?</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd].*?</t[hd]>", row, re.S)] for row in rows
    ]


def test_volumes_and_attainment_for_the_last_30_days(agent_client, history):
    text = agent_client.get("/staff/crm/dashboard/").content.decode()
    assert '<strong id="total-cases">6</strong>' in text
    assert cells(text, "table-channel") == [["Email", "2"], ["Telephone", "2"], ["Web", "2"]]
    assert cells(text, "table-service") == [["Missed bin", "4"], ["Council tax enquiry", "2"]]
    assert cells(text, "table-attainment") == [
        ["Council tax enquiry", "0", "0", "2", "Not due yet"],
        ["Missed bin", "2", "2", "0", "50.0%"],
    ]
    # The charts carry the same numbers, for screen readers too.
    assert (
        '<desc id="chart-service-desc">Cases by service, last 30 days: Missed bin 4; Council tax enquiry 2.</desc>'
        in text
    )
    assert "by service, last 30 days: Missed bin 50%.</desc>" in text


def test_a_longer_period_counts_older_cases(agent_client, history):
    text = agent_client.get("/staff/crm/dashboard/?days=90").content.decode()
    assert '<strong id="total-cases">7</strong>' in text
    assert ["Council tax enquiry", "1", "0", "2", "100.0%"] in cells(text, "table-attainment")
    week = agent_client.get("/staff/crm/dashboard/?days=7").content.decode()
    assert '<strong id="total-cases">3</strong>' in week


def test_each_table_is_one_query(agent_client, history):
    with CaptureQueriesContext(connection) as queries:
        agent_client.get("/staff/crm/dashboard/")
    on_cases = [q["sql"] for q in queries.captured_queries if 'FROM "crm_case"' in q["sql"]]
    assert len(on_cases) == 3 + 2  # and the channel report's response times: counts, then ranked replies


def test_a_bad_period_is_refused_with_a_message(agent_client, history):
    response = agent_client.get("/staff/crm/dashboard/?days=365")
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and "Choose a period from the list" in text


def test_an_empty_period_says_so(agent_client, desk):
    text = agent_client.get("/staff/crm/dashboard/").content.decode()
    assert '<strong id="total-cases">0</strong>' in text and "No cases in this period" in text


def test_a_bar_chart_scales_its_bars_and_describes_its_numbers():
    chart = bar_chart(chart_id="c", title="Cases", rows=[("Web", 10), ("Telephone", 5)])
    assert [bar.width for bar in chart.bars] == [380, 190]
    assert chart.description == "Cases: Web 10; Telephone 5."
    percent = bar_chart(chart_id="p", title="Met", rows=[("Bins", 50.0)], maximum=100, suffix="%")
    assert percent.bars[0].width == 190 and percent.bars[0].value_text == "50%"
    assert bar_chart(chart_id="e", title="Nothing", rows=[]).description == "Nothing: no data."
