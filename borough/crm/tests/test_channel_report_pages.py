"""The staff dashboard's "Contacts by channel": the figures for the chosen range, only the tenant's own, bad
ranges refused with field errors (400, the rest of the dashboard still shown), and the CSV download."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.channel_report import DEFAULT_DAYS
from borough.crm.services import case_publish_update
from borough.crm.tests import test_desk_support as support
from borough.crm.tests.test_channel_report import at, contact
from borough.crm.tests.test_desk_dashboard import cells
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client
DASHBOARD = "/staff/crm/dashboard/"
CSV = "/staff/crm/dashboard/contacts.csv"
RANGE = {"since": "2026-11-01", "until": "2026-11-03"}


def seed(desk, tenant_b):
    for when in (at(2026, 11, 1, 10), at(2026, 11, 1, 11), at(2026, 11, 3, 9)):
        contact(desk.tenant, "web", when)
    contact(desk.tenant, "phone", at(2026, 11, 3, 10))
    contact(desk.tenant, "email", at(2026, 11, 2, 10), direction="out")
    for _n in range(5):
        contact(tenant_b, "sms", at(2026, 11, 2, 10))  # another council's texts


def test_contacts_per_day_for_the_chosen_range(agent_client, desk, tenant_b):
    seed(desk, tenant_b)
    response = agent_client.get(DASHBOARD, RANGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<strong id="total-contacts">4</strong>' in text
    table = text.split('id="table-contacts"')[1]
    assert ">Web</th>" in table and ">Telephone</th>" in table and "Text message" not in table
    assert cells(text, "table-contacts") == [
        ["Sun 1 Nov 2026", "2", "0", "2"],
        ["Mon 2 Nov 2026", "0", "0", "0"],
        ["Tue 3 Nov 2026", "1", "1", "2"],
        ["Total", "3", "1", "4"],  # the table's foot
    ]
    # The chart reads out the same numbers.
    assert "1 Nov: Web 2, Telephone 0; 2 Nov: Web 0, Telephone 0; 3 Nov: Web 1, Telephone 1.</desc>" in text
    assert 'href="/staff/crm/dashboard/contacts.csv?since=2026-11-01&amp;until=2026-11-03"' in text


def test_a_case_made_by_the_crm_counts_as_a_contact_and_its_update_as_the_reply(agent_client, desk):
    case = support.log(desk, requester=desk.resident)  # an inbound web contact, and the automatic acknowledgement
    answered = response_row(agent_client, "Web")
    assert answered[1:4] == ["1", "0", "1"] and answered[4:] == ["No replies", "No replies"]
    with tenant_scope(desk.tenant), acting_as(Actor.for_user(desk.agnes)):
        case_publish_update(case=case, body="We will collect it tomorrow.")
    answered = response_row(agent_client, "Web")
    assert answered[1:4] == ["1", "1", "0"] and answered[4] == "0 min"
    text = agent_client.get(DASHBOARD).content.decode()
    assert '<strong id="total-contacts">1</strong>' in text  # the acknowledgement and the update went out


def response_row(client, label):
    text = client.get(DASHBOARD).content.decode()
    [row] = [row for row in cells(text, "table-responses") if row[0] == label]
    return row


def test_the_default_range_is_the_last_28_days_and_the_shift_is_weekly(agent_client, desk):
    response = agent_client.get(DASHBOARD)
    report = response.context["report"]
    today = timezone.localdate()
    assert (report.since, report.until, report.unit) == (today - timedelta(days=DEFAULT_DAYS - 1), today, "week")
    assert len(report.daily.rows) == DEFAULT_DAYS
    text = response.content.decode()
    assert 'id="shift-summary">No contacts in these periods.' in text
    assert "No cases created in this period" in text


def test_monthly_shift(agent_client, desk):
    response = agent_client.get(DASHBOARD, {**RANGE, "shift": "month"})
    assert response.status_code == 200
    assert response.context["report"].unit == "month"
    assert "Share of contacts by channel, per month" in response.content.decode()


def test_bad_ranges_get_field_errors_and_the_rest_of_the_dashboard(agent_client, desk):
    for query, message in [
        ({"since": "2026-13-01", "until": "2026-11-03"}, "Enter a valid date."),
        ({"since": "yesterday", "until": "2026-11-03"}, "Enter a valid date."),
        ({"since": "2026-11-03", "until": "2026-11-01"}, "The last day must be on or after the first day"),
        ({"since": "2024-01-01", "until": "2026-11-03"}, "Choose a period of at most 366 days"),
        ({**RANGE, "shift": "year"}, "Select a valid choice. year is not one of the available choices."),
        ({"since": "", "until": "2026-11-03"}, "This field is required."),
        ({"since": "2026-11-01\x00", "until": "2026-11-03"}, "Enter a valid date."),
        ({"since": "9999-12-30", "until": "9999-12-31"}, "Enter a date from 1 January 2000 to 31 December 2099"),
        ({"since": "0001-01-01", "until": "0001-01-02"}, "Enter a date from 1 January 2000 to 31 December 2099"),
    ]:
        response = agent_client.get(DASHBOARD, query)
        assert response.status_code == 400, query
        text = response.content.decode()
        assert "There is a problem" in text and message in text, query
        assert "<title>Error: Dashboard" in text
        assert '<strong id="total-cases">' in text  # the other figures still show
        assert "Correct the period to see the contacts by channel." in text


def test_the_period_form_keeps_the_channel_choices(agent_client, desk):
    text = agent_client.get(DASHBOARD, {**RANGE, "days": "7"}).content.decode()
    assert '<input type="hidden" name="since" value="2026-11-01">' in text
    assert '<input type="hidden" name="days" value="7">' in text


def test_only_crm_staff_see_it(client_for, desk, make_staff, tenant_b):
    admin = make_staff(desk.tenant, ("tenant.admin",), username="admin-only")
    assert client_for(desk.tenant, admin).get(DASHBOARD).status_code == 403
    assert client_for(desk.tenant, admin).get(CSV).status_code == 403
    assert client_for(tenant_b, desk.agnes).get(DASHBOARD).status_code == 404  # not a member there


def test_the_csv_has_a_row_per_day_and_channel(agent_client, desk, tenant_b):
    seed(desk, tenant_b)
    response = agent_client.get(CSV, RANGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="contacts-northfield-2026-11-01-to-2026-11-03.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "channel", "channel_name", "contacts"],
        ["2026-11-01", "web", "Web", "2"],
        ["2026-11-01", "phone", "Telephone", "0"],
        ["2026-11-02", "web", "Web", "0"],
        ["2026-11-02", "phone", "Telephone", "0"],
        ["2026-11-03", "web", "Web", "1"],
        ["2026-11-03", "phone", "Telephone", "1"],
    ]


def test_a_bad_csv_range_is_a_400_saying_why(agent_client, desk):
    response = agent_client.get(CSV, {"since": "2026-11-05", "until": "2026-11-01"})
    assert response.status_code == 400
    assert "until: The last day must be on or after the first day" in response.content.decode()
