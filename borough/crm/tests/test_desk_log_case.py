"""An agent logs a case on a resident's behalf: the case records the agent and the channel; the resident is found
or recorded; bad input answers 400 with its messages and creates nothing, not even the person."""

import pytest

from borough.crm.models import Case, CaseEvent
from borough.crm.tests import test_desk_support as support
from borough.people.models import Person
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client

NEW = "/staff/crm/new/"


def form(**changes) -> dict:
    data = {
        "service": "missed-bin",
        "channel": "phone",
        "given_name": "Peter",
        "family_name": "Phoner",
        "email": "",
        "phone": "01632 960001",
        "postcode": "NF1 2AB",
        "description": "The green bin was not emptied on Monday.",
        "answer_bin_type": "general",
        "answer_bags": "2",
        "answer_seen_at": "2026-01-19T07:30",
        "answer_problems": ["lid", "spill"],
        "address": "12 High Street",
        "location_postcode": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counts(desk) -> tuple[int, int, int]:
    with tenant_scope(desk.tenant):
        return Case.objects.count(), Person.objects.count(), CaseEvent.objects.count()


def test_the_first_step_lists_the_services_by_group(agent_client):
    text = agent_client.get(NEW).content.decode()
    assert '<optgroup label="Bins and recycling"><option value="missed-bin">Missed bin</option>' in text
    assert '<optgroup label="Money"><option value="council-tax">Council tax enquiry</option>' in text


def test_the_services_questions_are_asked_with_their_kinds(agent_client):
    text = agent_client.get(NEW, {"service": "missed-bin"}).content.decode()
    assert 'name="answer_bin_type" type="radio" value="general"' in text
    assert "Which bin was missed?</legend>" in text  # required: no "(optional)"
    assert "How many extra bags? (optional)" in text and 'inputmode="decimal"' in text
    assert 'name="answer_seen_at" type="datetime-local"' in text
    assert 'name="answer_problems" type="checkbox" value="lid"' in text
    assert 'name="channel" type="radio" value="phone" checked' in text


def test_an_unknown_service_is_refused(agent_client):
    response = agent_client.get(NEW, {"service": "dragons"})
    assert response.status_code == 400
    assert b"Choose a service from the list" in response.content


def test_logging_a_case_records_the_agent_the_channel_and_the_resident(desk, agent_client):
    response = agent_client.post(NEW, form())
    assert response.status_code == 302
    with tenant_scope(desk.tenant):
        case = Case.objects.select_related("requester").get()
        assert response["Location"] == f"/staff/crm/cases/{case.reference}/"
        assert case.logged_by == desk.agnes and case.channel == "phone"
        assert case.requester.display_name == "Peter Phoner"
        assert case.requester.contact_points.get().normalised == "+441632960001"
        assert case.answers == {
            "bin_type": "general",
            "bags": 2,
            "seen_at": "2026-01-19T07:30",
            "problems": ["lid", "spill"],
        }
        assert case.address == "12 High Street" and case.postcode == "NF1 2AB"
        created = case.events.get(kind=CaseEvent.Kind.CREATED)
    assert created.body == "Logged by Agnes Agent on the resident's behalf (telephone)."
    page = agent_client.get(response["Location"]).content.decode()
    assert f"Case {case.reference} is logged." in page
    assert "Logged by Agnes Agent on the resident’s behalf" in page


def test_the_channel_is_the_one_chosen(desk, agent_client):
    assert agent_client.post(NEW, form(channel="email", email="pat@example.com")).status_code == 302
    assert agent_client.post(NEW, form(channel="staff", phone="01632 960002")).status_code == 302
    with tenant_scope(desk.tenant):
        assert sorted(Case.objects.values_list("channel", flat=True)) == ["email", "staff"]


def test_a_known_resident_is_offered_and_chosen(desk, agent_client):
    data = form(given_name="Rosa", family_name="Resident", email="ROSA@example.com", phone="")
    asked = agent_client.post(NEW, data)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Is the resident already known?" in text and "Rosa Resident" in text
    assert "There is a problem" not in text
    assert counts(desk)[0] == 0
    missing = agent_client.post(NEW, {**data, "asked": "yes"})
    assert missing.status_code == 400 and b"Choose the person, or record a new one" in missing.content
    chosen = agent_client.post(NEW, {**data, "asked": "yes", "person": desk.resident.pk})
    assert chosen.status_code == 302
    with tenant_scope(desk.tenant):
        assert Case.objects.get().requester == desk.resident
        assert Person.objects.count() == 1


def test_a_new_person_can_be_recorded_instead(desk, agent_client):
    data = form(given_name="Rosa", family_name="Resident", phone="", email="", postcode="NF1 2AB")
    data.update(asked="yes", person="new", phone="01632 960009")
    assert agent_client.post(NEW, data).status_code == 302
    with tenant_scope(desk.tenant):
        assert Person.objects.count() == 2
        assert Case.objects.get().requester != desk.resident


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "Enter what the problem or request is"),
        ({"answer_bin_type": None}, "answer_bin_type"),
        ({"answer_bin_type": "purple"}, "answer_bin_type"),
        ({"answer_bags": "lots"}, "Enter a number"),
        ({"answer_seen_at": "yesterday"}, "Enter a date"),
        ({"email": "not-an-email"}, "id_email"),
        ({"phone": "12"}, "id_phone"),
        ({"postcode": "NOWHERE"}, "id_postcode"),
        (
            {"given_name": "", "family_name": "", "phone": ""},
            "Enter the resident’s name, email address or phone number",
        ),
        ({"channel": "carrier-pigeon"}, "Choose a channel"),
        ({"asked": "yes", "person": "123456"}, None),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(desk, agent_client, changes, message):
    before = counts(desk)
    response = agent_client.post(NEW, form(**changes))
    if "person" in changes:
        # With no people offered there is no person to choose: the choice is ignored, not trusted.
        assert response.status_code == 302
        return
    assert response.status_code == 400, changes
    text = response.content.decode()
    assert "There is a problem" in text and message in text
    assert "<title>Error: Log a case" in text
    assert counts(desk) == before


def test_a_person_chosen_from_another_list_is_refused(desk, agent_client):
    data = form(given_name="Rosa", family_name="Resident", email="rosa@example.com", phone="")
    response = agent_client.post(NEW, {**data, "asked": "yes", "person": "999999"})
    assert response.status_code == 400
    assert b"Choose one of the people listed, or record a new one" in response.content
    assert counts(desk)[0] == 0


def test_a_case_the_service_refuses_keeps_no_person(desk, agent_client):
    with tenant_scope(desk.tenant):
        desk.bins.needs_location = True
        desk.bins.save()
    before = counts(desk)
    response = agent_client.post(NEW, form(address="", location_postcode="", postcode="", email="new@example.com"))
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert counts(desk) == before
