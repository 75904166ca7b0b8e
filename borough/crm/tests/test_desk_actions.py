"""The case page's quick actions: with htmx they answer the parts that change, without JavaScript they redirect
back to the case page; bad input answers 400 with its messages and changes nothing."""

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseEvent, CaseLink, ResponseTemplate
from borough.crm.tests import test_desk_support as support
from borough.crm.tests.test_desk_support import HTMX, log
from borough.people.models import Consent
from borough.people.services import consent_record
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client


@pytest.fixture
def case(desk):
    return log(desk, requester=desk.resident)


def url(case, action: str) -> str:
    return f"/staff/crm/cases/{case.reference}/{action}/"


def reloaded(desk, case) -> Case:
    with tenant_scope(desk.tenant):
        return Case.objects.select_related("team", "assigned_to").get(pk=case.pk)


def events(desk, case, kind=None) -> list[CaseEvent]:
    with tenant_scope(desk.tenant):
        found = CaseEvent.objects.filter(case=case)
        return list(found.filter(kind=kind) if kind else found)


def written(desk) -> tuple[int, int]:
    with tenant_scope(desk.tenant):
        return CaseEvent.objects.count(), CaseLink.objects.count()


def test_a_note_without_javascript_redirects_back_to_the_case(desk, agent_client, case):
    response = agent_client.post(url(case, "note"), {"note-body": "Called the crew."})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/crm/cases/{case.reference}/"
    [note] = events(desk, case, CaseEvent.Kind.NOTE)
    assert note.body == "Called the crew." and not note.is_public
    page = agent_client.get(response["Location"]).content.decode()
    assert "Called the crew." in page and "Note added" in page


def test_a_note_with_htmx_answers_the_timeline_and_the_parts_that_change(desk, agent_client, case):
    response = agent_client.post(url(case, "note"), {"note-body": "Called the crew."}, **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert text.lstrip().startswith('<div id="case-timeline"')
    assert "Called the crew." in text
    assert '<div id="case-summary" hx-swap-oob="true">' in text
    assert 'id="action-note"' in text and 'id="action-status"' in text
    assert 'id="case-action-status" role="status" hx-swap-oob="true"' in text and "Note added" in text
    assert len(events(desk, case, CaseEvent.Kind.NOTE)) == 1


def test_an_empty_note_is_refused_with_and_without_javascript(desk, agent_client, case):
    before = written(desk)
    response = agent_client.post(url(case, "note"), {"note-body": "  "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_note-body"' in text and "Enter the note" in text
    assert "<title>Error: Case" in text
    response = agent_client.post(url(case, "note"), {"note-body": ""}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#action-note" and response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().lstrip().startswith('<section id="action-note"')
    assert b"Enter the note" in response.content
    assert written(desk) == before


def test_assign_to_me(desk, agent_client, case):
    response = agent_client.post(url(case, "assign"), {"assign-team": "", "to_me": "yes"})
    assert response.status_code == 302
    assigned = reloaded(desk, case)
    assert assigned.assigned_to == desk.agnes and assigned.team == desk.streets
    assert "Assigned to team Street cleaning and officer Agnes Agent." in [e.body for e in events(desk, case)]


def test_assign_to_me_with_htmx_shows_me_in_the_summary(desk, agent_client, case):
    response = agent_client.post(url(case, "assign"), {"to_me": "yes"}, **HTMX)
    assert response.status_code == 200
    summary = response.content.decode().split('<div id="case-summary"')[1]
    assert "Agnes Agent" in summary.split("</dl>")[0]


def test_assign_to_a_team_and_one_of_its_officers(desk, agent_client, case, client_for):
    data = {"assign-team": desk.revenues.pk, "assign-officer": desk.rita.pk}
    assert agent_client.post(url(case, "assign"), data).status_code == 302
    assigned = reloaded(desk, case)
    assert assigned.team == desk.revenues and assigned.assigned_to == desk.rita


def test_an_officer_outside_the_chosen_team_is_refused(desk, agent_client, case):
    before = written(desk)
    data = {"assign-team": desk.revenues.pk, "assign-officer": desk.otto.pk}
    response = agent_client.post(url(case, "assign"), data)
    assert response.status_code == 400
    assert "Otto Officer is not a member of Revenues" in response.content.decode()
    response = agent_client.post(url(case, "assign"), {"assign-team": "999999"}, **HTMX)
    assert response.status_code == 400 and b"Choose a team from the list" in response.content
    assert response["HX-Retarget"] == "#action-assign"
    assert written(desk) == before and reloaded(desk, case).assigned_to is None


def test_choosing_a_team_with_htmx_lists_only_its_officers(desk, agent_client, case):
    response = agent_client.get(url(case, "assign"), {"assign-team": desk.revenues.pk}, **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rita Revenues" in text and "Otto Officer" not in text
    nonsense = agent_client.get(url(case, "assign"), {"assign-team": "abc"}, **HTMX)
    assert nonsense.status_code == 200 and "Otto Officer" in nonsense.content.decode()
    # Without JavaScript the page lists every team's officers, so there is nothing to fetch.
    assert agent_client.get(url(case, "assign")).status_code == 302
    full = agent_client.get(f"/staff/crm/cases/{case.reference}/").content.decode()
    assert "Rita Revenues" in full and "Otto Officer" in full


def test_change_status_to_one_the_rules_allow(desk, agent_client, case):
    response = agent_client.post(url(case, "status"), {"status-to_status": "in_progress", "status-note": "On it"})
    assert response.status_code == 302
    assert reloaded(desk, case).status == "in_progress"
    assert [e.body for e in events(desk, case, CaseEvent.Kind.NOTE)] == ["On it"]


def test_a_status_the_rules_forbid_is_refused(desk, agent_client, case):
    before = written(desk)
    for bad in ({"status-to_status": "new"}, {"status-to_status": "flying"}, {}):
        response = agent_client.post(url(case, "status"), bad)
        assert response.status_code == 400, bad
    assert b"Choose the new status" in agent_client.post(url(case, "status"), {}, **HTMX).content
    assert written(desk) == before and reloaded(desk, case).status == "new"


def test_status_with_htmx_refreshes_the_statuses_offered(desk, agent_client, case):
    response = agent_client.post(url(case, "status"), {"status-to_status": "resolved"}, **HTMX)
    assert response.status_code == 200
    form = response.content.decode().split('<section id="action-status"')[1].split("</section>")[0]
    assert 'value="closed"' in form and 'value="open"' in form and 'value="in_progress"' not in form


def test_a_template_fills_the_update_and_sends_nothing(desk, agent_client, case):
    with tenant_scope(desk.tenant):
        template = ResponseTemplate.objects.create(
            tenant=desk.tenant, title="Crew sent", body="Dear {name}, about {reference} ({service}): crew sent."
        )
    before = written(desk)
    data = {"update-template": template.pk, "prefill": "yes"}
    response = agent_client.post(url(case, "update"), data, **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#action-update"
    filled = f"Dear Rosa Resident, about {case.reference} (Missed bin): crew sent."
    assert filled in response.content.decode()
    without_js = agent_client.post(url(case, "update"), data)
    assert without_js.status_code == 200 and filled in without_js.content.decode()
    assert written(desk) == before


def test_send_an_update_to_the_resident(desk, agent_client, case):
    response = agent_client.post(url(case, "update"), {"update-body": "The crew is on its way."}, **HTMX)
    assert response.status_code == 200
    [update] = events(desk, case, CaseEvent.Kind.UPDATE)
    assert update.is_public and update.body == "The crew is on its way."
    assert agent_client.post(url(case, "update"), {"update-body": " "}).status_code == 400
    assert len(events(desk, case, CaseEvent.Kind.UPDATE)) == 1


def test_link_to_another_case_by_reference(desk, agent_client, case):
    other = log(desk)
    response = agent_client.post(url(case, "link"), {"link-reference": other.reference.lower(), "link-kind": "related"})
    assert response.status_code == 302
    with tenant_scope(desk.tenant):
        assert CaseLink.objects.filter(case=case, other_case=other, kind="related").exists()
    page = agent_client.get(f"/staff/crm/cases/{case.reference}/").content.decode()
    assert f'href="/staff/crm/cases/{other.reference}/">{other.reference}</a>' in page


def test_a_bad_link_is_refused(desk, agent_client, case):
    before = written(desk)
    cases = [
        ({"link-reference": "NOPE-1", "link-kind": "related"}, "There is no case NOPE-1"),
        ({"link-reference": case.reference, "link-kind": "related"}, "A case cannot be linked to itself"),
        ({"link-reference": "", "link-kind": "related"}, "Enter the reference of the other case"),
    ]
    for data, message in cases:
        response = agent_client.post(url(case, "link"), data, **HTMX)
        assert response.status_code == 400 and message in response.content.decode(), data
    assert written(desk) == before


def test_refer_to_another_council_sharing_only_the_description(desk, agent_client, case, tenant_b):
    page = agent_client.get(f"/staff/crm/cases/{case.reference}/").content.decode()
    assert "Southvale Borough Council" in page
    data = {"refer-to_tenant": tenant_b.pk, "refer-share": ["description"]}
    assert agent_client.post(url(case, "refer"), data).status_code == 302
    with tenant_scope(desk.tenant):
        link = CaseLink.objects.get(case=case, kind=CaseLink.Kind.REFERRED_TO)
    assert link.other_tenant == tenant_b and link.other_reference
    with tenant_scope(tenant_b):
        referred = Case.objects.get(reference=link.other_reference)
        assert referred.requester is None and referred.description


def test_sharing_contact_details_needs_the_residents_consent(desk, agent_client, case, tenant_b):
    before = written(desk)
    data = {"refer-to_tenant": tenant_b.pk, "refer-share": ["description", "contact"]}
    response = agent_client.post(url(case, "refer"), data)
    assert response.status_code == 400
    assert "has not agreed to their details being shared" in response.content.decode()
    assert written(desk) == before
    with tenant_scope(desk.tenant), acting_as(Actor.system("test")):
        consent_record(person=desk.resident, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=True, channel="phone")
    assert agent_client.post(url(case, "refer"), data, **HTMX).status_code == 200
    with tenant_scope(tenant_b):
        assert Case.objects.get().requester.given_name == "Rosa"


def test_refer_only_to_councils_offered(desk, agent_client, case, make_tenant):
    bakery = make_tenant("bakery", kind="business")
    before = written(desk)
    for bad in ({"refer-to_tenant": bakery.pk}, {"refer-to_tenant": desk.tenant.pk}, {}):
        response = agent_client.post(url(case, "refer"), bad)
        assert response.status_code == 400, bad
    assert written(desk) == before


def test_actions_on_another_tenants_case_answer_404(desk, case, tenant_b, make_staff, client_for):
    outsider = client_for(tenant_b, make_staff(tenant_b, ("crm.agent",), username="sam"))
    for action in ("assign", "status", "note", "update", "link", "refer"):
        assert outsider.post(url(case, action), {"note-body": "x"}).status_code == 404, action
    assert events(desk, case, CaseEvent.Kind.NOTE) == []


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {"assign-team": "x", "assign-officer": "y"}),
        ("assign", {"assign-officer": "-1"}),
        ("status", {"status-to_status": ["open", "closed"], "status-note": "n" * 6000}),
        ("note", {"note-body": "n" * 20000}),
        ("update", {"update-template": "abc", "prefill": "yes"}),
        ("update", {"update-template": "999999"}),
        ("link", {"link-reference": "X" * 500, "link-kind": "twin"}),
        ("refer", {"refer-to_tenant": "abc", "refer-share": ["everything"]}),
    ],
)
def test_nonsense_gets_400_never_500_and_changes_nothing(desk, agent_client, case, action, data):
    before = written(desk)
    for headers in ({}, HTMX):
        response = agent_client.post(url(case, action), data, **headers)
        assert response.status_code == 400, (action, data, headers)
    assert written(desk) == before
