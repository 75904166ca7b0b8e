"""The staff pages: search, the person view, create with the duplicate check, merge and unmerge, exports, erase."""

import html as html_module
import json
import re

import pytest
from django.urls import reverse

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.models import Case
from borough.people.merge import person_merge
from borough.people.models import Person
from borough.people.services import address_add, person_create, person_update
from borough.people.tests.conftest import make_case, make_interaction
from borough.tenancy.scope import tenant_scope

NEW_PERSON = {
    "kind": "person",
    "given_name": "Ann",
    "family_name": "Jones",
    "email": "ann@example.com",
    "phone": "07700 900123",
    "line_1": "1 High Street",
    "town": "Northfield",
    "postcode": "nf1 2ab",
    "preferred_channel": "email",
    "preferred_language": "en",
}


def url(name: str, **kwargs) -> str:
    return reverse(f"people:{name}", urlconf="config.urls_tenant", kwargs=kwargs or None)


@pytest.fixture
def agent(client_for, tenant_a, agent_a):
    return client_for(tenant_a, agent_a)


@pytest.fixture
def supervisor(client_for, tenant_a, supervisor_a):
    return client_for(tenant_a, supervisor_a)


def create(tenant, **fields) -> Person:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return person_create(tenant=tenant, **fields)


@pytest.fixture
def ann(tenant_a):
    person = create(
        tenant_a,
        given_name="Ann",
        family_name="Jones",
        email="ann@example.com",
        address={"line_1": "1 High Street", "postcode": "NF1 2AB"},
    )
    with tenant_scope(tenant_a):
        case = make_case(tenant_a, person, status=Case.Status.CLOSED)
        make_interaction(tenant_a, person, case=case, summary="Email about the bin")
    return person


def error_summary(html: str) -> list[str]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    found = re.findall(r"<a [^>]*>([^<]*)</a>", summary.group(1)) if summary else []
    return [html_module.unescape(message) for message in found]


def test_search_page_and_results(agent, ann):
    response = agent.get(url("search"))
    assert response.status_code == 200 and "Find a person" in response.content.decode()
    html = agent.get(url("search"), {"q": "jones"}).content.decode()
    assert "1 person found for ‘jones’" in html and url("detail", pk=ann.pk) in html
    html = agent.get(url("search"), {"q": "nobody"}).content.decode()
    assert "0 people found" in html and "Nobody matches" in html


def test_search_with_bad_input_answers_400(agent):
    response = agent.get(url("search"), {"q": "x" * 201})
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == ["Search with 200 characters or fewer"]


def test_the_person_view(agent, ann, tenant_a):
    with tenant_scope(tenant_a):
        case = ann.cases.get()
    response = agent.get(url("detail", pk=ann.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Ann Jones</h1>' in html
    assert "ann@example.com" in html and "1 High Street, NF1 2AB" in html
    assert f'href="/staff/crm/cases/{case.reference}/"' in html
    assert "Email about the bin" in html and "Record created" in html  # the timeline and the history
    assert url("export_pdf", pk=ann.pk) in html and url("export_json", pk=ann.pk) in html
    assert url("merge", pk=ann.pk) not in html and url("erase", pk=ann.pk) not in html  # supervisors only


def test_the_person_view_offers_supervisors_merge_and_erase(supervisor, ann):
    html = supervisor.get(url("detail", pk=ann.pk)).content.decode()
    assert url("merge", pk=ann.pk) in html and url("erase", pk=ann.pk) in html


def test_another_tenants_person_is_not_found(agent, tenant_b):
    theirs = create(tenant_b, family_name="Other")
    assert agent.get(url("detail", pk=theirs.pk)).status_code == 404


def test_create_without_duplicates_saves_and_shows_the_person(agent, tenant_a):
    response = agent.post(url("create"), NEW_PERSON)
    with tenant_scope(tenant_a):
        person = Person.objects.get()
        assert person.addresses.get().postcode == "NF1 2AB"
        assert set(person.contact_points.values_list("normalised", flat=True)) == {"ann@example.com", "+447700900123"}
    assert response.status_code == 302 and response["Location"] == url("detail", pk=person.pk)


def test_create_offers_the_duplicates_first_then_creates_anyway(agent, tenant_a, ann):
    response = agent.post(url("create"), {**NEW_PERSON, "email": "ANN@example.com"})
    html = response.content.decode()
    assert response.status_code == 200 and "Is this one of these people?" in html
    assert "same email" in html and "similar name at the same postcode" in html
    assert f'href="{url("detail", pk=ann.pk)}">Use this person' in html
    with tenant_scope(tenant_a):
        assert Person.objects.count() == 1
    replayed = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert replayed["create_anyway"] == "on" and replayed["email"] == "ANN@example.com"
    response = agent.post(url("create"), replayed)
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"email": "not-an-email"}, ["'not-an-email' is not an email address: use the form name@example.com"]),
        ({"phone": "123"}, ["'123' is not a phone number: start a UK number with 0 (or +44), like 07700 900123"]),
        ({"postcode": "NF1"}, ["'NF1' is not a UK postcode: enter a postcode like NF1 2AB"]),
        ({"line_1": ""}, ["Enter the first line of the address, or leave the address empty"]),
        ({"given_name": "", "family_name": ""}, ["Enter their first name or last name"]),
        ({"kind": "organisation"}, ["Enter the organisation's name"]),
        ({"kind": "robot"}, ["Select a valid choice. robot is not one of the available choices."]),
        ({"family_name": "x" * 101}, ["Use 100 characters or fewer"]),
    ],
)
def test_create_with_bad_input_answers_400_with_an_error_summary(agent, tenant_a, changes, messages):
    response = agent.post(url("create"), {**NEW_PERSON, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary(html) == messages and html.count("govuk-error-message") == len(messages)
    assert "<title>Error: " in html
    with tenant_scope(tenant_a):
        assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("get", "merge", {}),
        ("post", "merge", {"duplicate": "1"}),
        ("post", "unmerge", {"event": "1"}),
        ("get", "erase", {}),
        ("post", "erase", {"reason": "A good long reason"}),
    ],
)
def test_agents_may_not_merge_unmerge_or_erase(agent, ann, method, name, data):
    response = getattr(agent, method)(url(name, pk=ann.pk), data)
    assert response.status_code == 403


def test_people_pages_need_a_crm_role(client_for, tenant_a, make_staff, ann):
    admin = make_staff(tenant_a, ("tenant.admin",), username="only-admin")
    assert client_for(tenant_a, admin).get(url("detail", pk=ann.pk)).status_code == 403


def test_merge_choose_confirm_and_undo(supervisor, tenant_a, ann):
    duplicate = create(tenant_a, given_name="Anne", family_name="Jones", phone="07700 900123")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        address_add(person=duplicate, line_1="1 High St", postcode="NF1 2AB")
    page = supervisor.get(url("merge", pk=ann.pk)).content.decode()
    assert "Records that may be the same person" in page and "similar name at the same postcode" in page
    confirm = supervisor.post(url("merge", pk=ann.pk), {"duplicate": duplicate.pk})
    assert confirm.status_code == 200 and f"Merge record {duplicate.pk} into record {ann.pk}?" in confirm.text
    with tenant_scope(tenant_a):
        assert Person.objects.get(pk=duplicate.pk).merged_into_id is None  # nothing yet
    done = supervisor.post(url("merge", pk=ann.pk), {"duplicate": duplicate.pk, "confirm": "on"})
    assert done.status_code == 302
    with tenant_scope(tenant_a):
        assert Person.objects.get(pk=duplicate.pk).merged_into_id == ann.pk
        event = AuditEvent.objects.get(action="person.merge")
    detail = supervisor.get(url("detail", pk=ann.pk)).content.decode()
    assert "Another record merged into this one" in detail and f'name="event" value="{event.pk}"' in detail
    merged_page = supervisor.get(url("detail", pk=duplicate.pk)).content.decode()
    assert "This record was merged into" in merged_page
    undone = supervisor.post(url("unmerge", pk=ann.pk), {"event": event.pk})
    assert undone.status_code == 302
    with tenant_scope(tenant_a):
        assert Person.objects.get(pk=duplicate.pk).merged_into_id is None
    again = supervisor.post(url("unmerge", pk=ann.pk), {"event": event.pk})
    assert again.status_code == 400 and "This merge has already been undone" in again.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the record number of the duplicate"),
        ({"duplicate": "abc"}, "Enter a record number, like 1234"),
        ({"duplicate": "999999"}, "There is no record with that number"),
    ],
)
def test_merge_with_bad_input_answers_400(supervisor, ann, data, message):
    response = supervisor.post(url("merge", pk=ann.pk), data)
    assert response.status_code == 400 and error_summary(response.text) == [message]


def test_merge_refusals_are_explained(supervisor, ann, tenant_b):
    response = supervisor.post(url("merge", pk=ann.pk), {"duplicate": ann.pk})
    assert response.status_code == 400 and error_summary(response.text) == ["A record cannot be merged into itself"]
    theirs = create(tenant_b, family_name="Theirs")
    response = supervisor.post(url("merge", pk=ann.pk), {"duplicate": theirs.pk, "confirm": "on"})
    assert response.status_code == 400 and error_summary(response.text) == ["There is no record with that number"]


@pytest.mark.parametrize("data", [{}, {"event": "x"}, {"event": "999999"}])
def test_unmerge_with_bad_input_answers_400(supervisor, ann, data):
    response = supervisor.post(url("unmerge", pk=ann.pk), data)
    assert response.status_code == 400 and "The merge could not be undone" in response.text


def test_unmerge_only_accepts_a_merge_into_this_record(supervisor, tenant_a, ann):
    other = create(tenant_a, family_name="Other")
    duplicate = create(tenant_a, family_name="Dup")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        event = person_merge(survivor=other, duplicate=duplicate)
    response = supervisor.post(url("unmerge", pk=ann.pk), {"event": event.pk})
    assert response.status_code == 400 and "There is no merge into this record with that number" in response.text


def test_subject_access_downloads(agent, tenant_a, ann):
    response = agent.get(url("export_json", pk=ann.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert f'filename="subject-access-{ann.pk}.json"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["person"]["family_name"] == "Jones" and len(data["cases"]) == 1
    pdf = agent.get(url("export_pdf", pk=ann.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    with tenant_scope(tenant_a):
        exports = AuditEvent.objects.filter(action="person.export")
        assert sorted(e.detail["format"] for e in exports) == ["json", "pdf"]
        assert {e.actor_label for e in exports} == {"agent-a"}


def test_erase_refused_under_a_legal_hold_with_an_error_summary(supervisor, tenant_a, ann):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        person_update(person=ann, legal_hold_reason="Council tax arrears")
    page = supervisor.get(url("erase", pk=ann.pk))
    assert page.status_code == 200 and "This record cannot be erased now" in page.text
    assert "A legal hold applies: Council tax arrears" in page.text and 'name="reason"' not in page.text
    response = supervisor.post(url("erase", pk=ann.pk), {"reason": "Erasure request ER-1"})
    assert response.status_code == 400
    assert error_summary(response.text) == ["A legal hold applies: Council tax arrears. Remove the hold before erasing"]
    with tenant_scope(tenant_a):
        assert Person.objects.get(pk=ann.pk).anonymised_at is None


def test_erase_needs_a_reason(supervisor, ann):
    response = supervisor.post(url("erase", pk=ann.pk), {"reason": "short"})
    assert response.status_code == 400 and error_summary(response.text) == ["Say why in at least 10 characters"]


def test_erase(supervisor, tenant_a, ann):
    page = supervisor.get(url("erase", pk=ann.pk))
    assert page.status_code == 200 and 'name="reason"' in page.text
    response = supervisor.post(url("erase", pk=ann.pk), {"reason": "Erasure request ER-2041"})
    assert response.status_code == 302
    html = supervisor.get(url("detail", pk=ann.pk)).text
    assert "Anonymised person" in html and "ann@example.com" not in html and "Erased (anonymised)" in html
    with tenant_scope(tenant_a):
        assert Case.objects.filter(requester=ann).count() == 1
