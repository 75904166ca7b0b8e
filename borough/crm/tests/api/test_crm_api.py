"""The CRM's REST API: services with their questions, cases (create, filters, search, status, notes, updates)
and people; 400 bodies with field messages, scopes by method, roles, the module and tenancy."""

import json

import pytest
from django.core.cache import cache

from borough.core.audit import Actor, acting_as
from borough.core.models import OutboxMessage
from borough.crm.models import Case, CaseEvent
from borough.crm.tests.case_factories import make_person, new_case
from borough.identity.services import apikey_create
from borough.people.models import Person
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
SERVICES = "/api/v1/services/"
CASES = "/api/v1/cases/"
PEOPLE = "/api/v1/people/"


@pytest.fixture(autouse=True)
def fresh_throttle_budgets():
    cache.clear()
    yield
    cache.clear()


def make_key(tenant, *scopes) -> str:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return apikey_create(tenant=tenant, name=f"Key {'-'.join(scopes)}", scopes=list(scopes))[1]


class Api:
    """A client on the tenant's host with an API key (or a signed-in user)."""

    def __init__(self, client, key: str | None = None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url, body):
        return self.client.post(url, json.dumps(body), content_type="application/json", **self.headers)


@pytest.fixture
def api(catalogue, client_for):
    tenant = catalogue["tenant"]
    return Api(client_for(tenant), make_key(tenant, "read", "write"))


def invalid(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "The request has errors; see `errors`.")
    return body["errors"]


def a_bin(**extra) -> dict:
    return {
        "service": "missed-bin",
        "description": "Not emptied on Monday",
        "answers": {"bin_type": "general"},
        **extra,
    }


# Services


def test_services_list_and_detail_with_questions(api):
    listed = api.get(SERVICES)
    assert listed.status_code == 200
    assert [s["code"] for s in listed.json()["results"]] == ["missed-bin", "pothole"]
    detail = api.get(SERVICES + "missed-bin/").json()
    assert (detail["team"], detail["sla_amount"], detail["sla_unit"]) == ("waste", 2, "working_days")
    assert detail["questions"][0] == {
        "code": "bin_type",
        "prompt": "Which bin was missed?",
        "hint": "",
        "kind": "single_choice",
        "required": True,
        "order": 0,
        "choices": [{"key": "general", "name": "General waste"}, {"key": "recycling", "name": "Recycling"}],
    }
    assert api.get(SERVICES + "no-such-thing/").status_code == 404
    assert api.get(SERVICES, active="false").json()["results"] == []
    assert invalid(api.get(SERVICES, active="perhaps")) == {"active": ["Must be a valid boolean."]}


# Creating cases


def test_create_a_case_with_the_residents_details(api, catalogue):
    response = api.post(
        CASES, a_bin(requester_details={"email": "Ann@Example.org", "given_name": "Ann"}, postcode="nf1 2ab")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].endswith("-000001")
    assert (body["status"], body["channel"], body["team"], body["postcode"]) == ("new", "web", "waste", "NF1 2AB")
    assert body["answers"] == {"bin_type": "general"}
    assert body["service_level"]["state"] in {"on_track", "breaching_soon"}
    assert body["timeline"][0]["kind"] == "created"
    with tenant_scope(catalogue["tenant"]):
        person = Person.objects.get(pk=body["requester"])
        assert person.given_name == "Ann"
        assert OutboxMessage.objects.get().payload["to"] == ["ann@example.org"]
        assert Case.objects.get().logged_by is None  # an API key logs nothing on anyone's behalf


def test_create_with_a_known_requester_and_a_location(api, catalogue):
    with tenant_scope(catalogue["tenant"]):
        jane = make_person(catalogue["tenant"])
    response = api.post(
        CASES,
        {"service": "pothole", "description": "Deep hole", "requester": jane.pk, "latitude": 52.63, "longitude": -1.13},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["requester"], response.json()["latitude"]) == (jane.pk, "52.630000")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (a_bin(answers={}), {"answers.bin_type": ["Select an answer to “Which bin was missed?”"]}),
        (
            a_bin(answers={"bin_type": "purple"}),
            {"answers.bin_type": ["“purple” is not one of the choices: General waste, Recycling"]},
        ),
        (a_bin(service="jet-washing"), {"service": ["There is no service “jet-washing”"]}),
        (a_bin(description=" "), {"description": ["Describe the problem or request"]}),
        (
            {"service": "pothole", "description": "Hole"},
            {"postcode": ["Give the location of the pothole: a postcode or address, or a point on the map"]},
        ),
        (a_bin(postcode="nowhere"), {"postcode": ["'nowhere' is not a UK postcode: enter a postcode like NF1 2AB"]}),
        (a_bin(latitude="north", longitude=1), {"latitude": ["A valid number is required."]}),
        (a_bin(latitude=95, longitude=1), {"latitude": ["Ensure this value is less than or equal to 90."]}),
        (a_bin(channel="pigeon"), {"channel": ['"pigeon" is not a valid choice.']}),
        (a_bin(answers=["general"]), {"answers": ['Expected a dictionary of items but got type "list".']}),
        (a_bin(requester=999999), {"requester": ["There is no person 999999."]}),
        (
            a_bin(requester_details={"email": "not-an-email"}),
            {"requester_details.email": ["'not-an-email' is not an email address: use the form name@example.com"]},
        ),
        (
            a_bin(requester=1, requester_details={"email": "a@b.org"}),
            {"requester": ["Give a requester or requester_details, not both."]},
        ),
        ({}, {"service": ["This field is required."], "description": ["This field is required."]}),
    ],
)
def test_bad_cases_answer_400_with_field_messages_and_keep_nothing(api, catalogue, body, errors):
    assert invalid(api.post(CASES, body)) == errors
    with tenant_scope(catalogue["tenant"]):
        assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_a_refused_case_does_not_keep_the_resident_it_recorded(api, catalogue):
    errors = invalid(api.post(CASES, a_bin(answers={}, requester_details={"email": "new@example.org"})))
    assert list(errors) == ["answers.bin_type"]
    with tenant_scope(catalogue["tenant"]):
        assert not Person.objects.exists()


def test_malformed_json_is_a_400(api):
    response = api.client.post(CASES, "{not json", content_type="application/json", **api.headers)
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


# Listing, filtering, searching


@pytest.fixture
def some_cases(catalogue, make_staff):
    tenant = catalogue["tenant"]
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    with tenant_scope(tenant):
        jane = make_person(tenant)
        first = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane)
        second = new_case(tenant, catalogue["pothole"], postcode="NF3 9ZZ")
        third = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "recycling"})
        Case.objects.filter(pk=third.pk).update(status="resolved", assigned_to=agent)
    return {"first": first, "second": second, "third": third, "agent": agent}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["third", "second", "first"]),
        ({"status": "resolved"}, ["third"]),
        ({"service": "missed-bin"}, ["third", "first"]),
        ({"team": "highways"}, ["second"]),
        ({"assigned": "agent"}, ["third"]),
        ({"assigned": "none"}, ["second", "first"]),
        ({"assigned": "me"}, []),  # an API key is assigned nothing
        ({"q": "jane.smith@example.org"}, ["first"]),
        ({"q": "NF3 9ZZ"}, ["second"]),
        ({"q": "smith", "service": "pothole"}, []),
    ],
)
def test_list_filters(api, some_cases, params, expected):
    response = api.get(CASES, **params)
    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["results"]] == [some_cases[name].reference for name in expected]


def test_search_by_reference_and_bad_filters(api, some_cases):
    reference = some_cases["second"].reference
    assert [c["reference"] for c in api.get(CASES, q=reference.lower()).json()["results"]] == [reference]
    assert invalid(api.get(CASES, status="lost")) == {"status": ['"lost" is not a valid choice.']}


def test_assigned_to_me_for_a_signed_in_agent(some_cases, client_for, catalogue):
    agent_api = Api(client_for(catalogue["tenant"], some_cases["agent"]))
    assert [c["reference"] for c in agent_api.get(CASES, assigned="me").json()["results"]] == [
        some_cases["third"].reference
    ]


def test_a_case_by_reference_in_any_case_and_never_another_tenants(api, some_cases, tenant_b, client_for):
    reference = some_cases["first"].reference
    detail = api.get(CASES + reference.lower() + "/")
    assert detail.status_code == 200 and detail.json()["reference"] == reference
    assert [e["kind"] for e in detail.json()["timeline"]] == ["created"]
    assert api.get(CASES + "NFD-999999/").status_code == 404
    other = Api(client_for(tenant_b), make_key(tenant_b, "read"))
    assert other.get(CASES + reference + "/").status_code == 404
    assert other.get(CASES).json()["results"] == []


# Actions


def test_transition_notes_and_updates(api, some_cases, catalogue):
    url = CASES + some_cases["first"].reference + "/"
    moved = api.post(url + "transition/", {"to_status": "in_progress", "note": "Crew sent"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    refused = invalid(api.post(url + "transition/", {"to_status": "new"}))
    assert refused == {
        "to_status": [
            "A case that is in progress cannot become new; "
            "it can become: closed, open, resolved, waiting on resident, waiting on third party."
        ]
    }
    assert invalid(api.post(url + "transition/", {"to_status": "lost"})) == {
        "to_status": ['"lost" is not a valid choice.']
    }
    note = api.post(url + "notes/", {"body": "Rang the crew"})
    assert note.status_code == 201 and (note.json()["kind"], note.json()["is_public"]) == ("note", False)
    update = api.post(url + "updates/", {"body": "Collected today."})
    assert update.status_code == 201 and update.json()["data"]["emailed"] is True
    assert invalid(api.post(url + "updates/", {"body": ""})) == {"body": ["Enter the update for the resident"]}
    assert invalid(api.post(url + "notes/", {})) == {"body": ["This field is required."]}
    assert api.post(CASES + "NFD-999999/notes/", {"body": "x"}).status_code == 404
    with tenant_scope(catalogue["tenant"]):
        assert CaseEvent.objects.filter(case=some_cases["first"], kind="note").count() == 2  # the transition's too


# Access


def test_scopes_by_method(catalogue, client_for):
    tenant = catalogue["tenant"]
    reader = Api(client_for(tenant), make_key(tenant, "read"))
    writer = Api(client_for(tenant), make_key(tenant, "write"))
    assert reader.get(CASES).status_code == 200
    denied = reader.post(CASES, a_bin())
    assert denied.status_code == 403 and "write" in denied.json()["detail"]
    assert writer.post(CASES, a_bin()).status_code == 201
    assert writer.get(CASES).status_code == 403
    assert Api(client_for(tenant)).get(CASES).status_code == 401


def test_roles_and_the_module(catalogue, make_staff, client_for, make_tenant):
    tenant = catalogue["tenant"]
    agent = make_staff(tenant, roles=("crm.agent",), username="agent")
    admin = make_staff(tenant, roles=("tenant.admin",), username="admin-only")
    assert Api(client_for(tenant, agent)).post(CASES, a_bin(channel="phone")).status_code == 201
    with tenant_scope(tenant):
        assert Case.objects.get().logged_by == agent
    assert Api(client_for(tenant, admin)).get(CASES).status_code == 403
    bakery = make_tenant("bakery", kind="business")
    assert Api(client_for(bakery), make_key(bakery, "read")).get(SERVICES).status_code == 404


# People


def test_people_create_search_and_retrieve(api, catalogue):
    created = api.post(
        PEOPLE,
        {
            "given_name": "Omar",
            "family_name": "Khan",
            "email": "omar@example.org",
            "address": {"line_1": "2 Mill Lane", "postcode": "nf2 3cd"},
        },
    )
    assert created.status_code == 201, created.content
    person = created.json()
    assert person["display_name"] == "Omar Khan"
    assert person["addresses"][0]["postcode"] == "NF2 3CD"
    assert person["contact_points"] == [
        {"kind": "email", "value": "omar@example.org", "normalised": "omar@example.org", "is_primary": True}
    ]
    assert [p["id"] for p in api.get(PEOPLE, q="omar@example.org").json()["results"]] == [person["id"]]
    assert [p["id"] for p in api.get(PEOPLE).json()["results"]] == [person["id"]]
    assert api.get(PEOPLE + f"{person['id']}/").json()["family_name"] == "Khan"
    assert api.get(PEOPLE + "999999/").status_code == 404
    errors = invalid(api.post(PEOPLE, {"email": "nope", "address": {"line_1": "", "postcode": "x"}}))
    assert set(errors) == {"email", "address.line_1", "address.postcode"}
