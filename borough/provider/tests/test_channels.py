"""Channel reporting in the console: each tenant's shares by channel, one tenant's whole report, its CSV; every
reading logged in the provider access log with the tenants it touched; bad input refused with field errors."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from borough.crm.models import CaseEvent
from borough.crm.tests.test_channel_report import at, contact, make_case, update
from borough.crm.tests.test_desk_dashboard import cells
from borough.provider.models import ProviderAccessLog

CHANNELS = reverse("provider:channels", urlconf="config.urls_provider")
RANGE = {"since": "2026-11-01", "until": "2026-11-07"}


def tenant_url(tenant, name="provider:tenant_channels"):
    return reverse(name, args=[tenant.slug], urlconf="config.urls_provider")


@pytest.fixture
def contacts(tenant_a, tenant_b):
    for channel in ("web", "web", "web", "phone"):
        contact(tenant_a, channel, at(2026, 11, 2, 9))
    contact(tenant_a, "email", at(2026, 11, 2, 9), direction="out")
    contact(tenant_b, "sms", at(2026, 11, 3, 9))
    contact(tenant_b, "web", at(2026, 11, 9, 9))  # after the period
    case = make_case(tenant_b, "sms", at(2026, 11, 3, 9))
    update(case, at(2026, 11, 3, 11), kind=CaseEvent.Kind.UPDATE)
    return tenant_a, tenant_b


def test_the_summary_shows_each_tenants_share_by_channel(console, contacts, make_tenant, provider_user):
    make_tenant("quietshire")
    response = console.get(CHANNELS, RANGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert cells(text, "table-tenant-shares") == [
        ["Northfield District Council", "75.0%", "25.0%", "0.0%", "4"],
        ["Quietshire Council", "–", "–", "–", "0"],
        ["Southvale Borough Council", "0.0%", "0.0%", "100.0%", "1"],
    ]
    head = text.split('id="table-tenant-shares"')[1].split("</thead>")[0]
    assert [h for h in ("Web", "Telephone", "Text message") if f">{h}</th>" in head] == [
        "Web",
        "Telephone",
        "Text message",
    ]
    [log] = ProviderAccessLog.objects.all()
    assert log.user == provider_user and log.tenants == "all"
    assert log.purpose == "Channel shares from 2026-11-01 to 2026-11-07"


def test_one_tenants_report_is_its_own_and_logged_as_reading_it(console, contacts, provider_user):
    tenant_a, tenant_b = contacts
    response = console.get(tenant_url(tenant_b), {**RANGE, "shift": "month"})
    assert response.status_code == 200
    text = response.content.decode()
    assert '<strong id="total-contacts">1</strong>' in text
    assert cells(text, "table-responses") == [["Text message", "1", "1", "0", "2 h", "2 h"]]
    assert "Northfield" not in text.split("<main")[1]
    [log] = ProviderAccessLog.objects.all()
    assert log.tenants == [tenant_b.pk] and log.user == provider_user
    assert log.purpose == "Channel report of southvale from 2026-11-01 to 2026-11-07"
    assert response.context["report"].unit == "month"


def test_choosing_a_tenant_opens_its_report(console, contacts):
    tenant_a, _b = contacts
    response = console.get(CHANNELS, {**RANGE, "tenant": tenant_a.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{tenant_url(tenant_a)}?since=2026-11-01&until=2026-11-07"
    assert not ProviderAccessLog.objects.exists()  # nothing read yet


def test_bad_input_is_refused_with_field_errors_and_nothing_read(console, contacts):
    tenant_a, _b = contacts
    for url, query, message in [
        (CHANNELS, {"since": "2026-02-30", "until": "2026-11-07"}, "Enter a valid date."),
        (CHANNELS, {**RANGE, "tenant": "nowhere"}, "Select a valid choice."),
        (CHANNELS, {"since": "2026-11-07", "until": "2026-11-01"}, "The last day must be on or after the first day"),
        (tenant_url(tenant_a), {"since": "2020-01-01", "until": "2026-11-07"}, "Choose a period of at most 366 days"),
        (tenant_url(tenant_a), {**RANGE, "shift": "decade"}, "Select a valid choice."),
    ]:
        response = console.get(url, query)
        assert response.status_code == 400, (url, query)
        text = response.content.decode()
        assert "There is a problem" in text and message in text and "<title>Error: " in text, (url, query)
    assert not ProviderAccessLog.objects.exists()


def test_an_unknown_tenant_is_404(console, db):
    assert console.get("/channels/nowhere/").status_code == 404
    assert console.get("/channels/nowhere/contacts.csv").status_code == 404


def test_the_csv_of_one_tenant(console, contacts):
    tenant_a, _b = contacts
    response = console.get(
        tenant_url(tenant_a, "provider:tenant_channels_csv"), {"since": "2026-11-02", "until": "2026-11-03"}
    )
    assert response.status_code == 200
    assert 'filename="contacts-northfield-2026-11-02-to-2026-11-03.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "channel", "channel_name", "contacts"],
        ["2026-11-02", "web", "Web", "3"],
        ["2026-11-02", "phone", "Telephone", "1"],
        ["2026-11-03", "web", "Web", "0"],
        ["2026-11-03", "phone", "Telephone", "0"],
    ]
    [log] = ProviderAccessLog.objects.all()
    assert log.tenants == [tenant_a.pk] and log.purpose.startswith("Contacts CSV of northfield")
    bad = console.get(tenant_url(tenant_a, "provider:tenant_channels_csv"), {"since": "x", "until": "2026-11-03"})
    assert bad.status_code == 400 and "since: Enter a valid date." in bad.content.decode()


def test_the_tenant_page_links_to_its_channel_report(console, tenant_a):
    text = console.get(f"/tenants/{tenant_a.slug}/").content.decode()
    assert f'href="{tenant_url(tenant_a)}"' in text


def test_the_default_period_is_the_last_28_days(console, tenant_a):
    response = console.get(CHANNELS)
    summary = response.context["summary"]
    assert (summary.until - summary.since) == timedelta(days=27)
