"""The desk's pages: who may see them, queues (sorted, paginated, service-level tags), search, the case page, the
knowledge base and the response templates."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseEvent, KnowledgeArticle, ResponseTemplate
from borough.crm.services import case_assign
from borough.crm.tests import test_desk_support as support
from borough.crm.tests.test_desk_support import log
from borough.tenancy.scope import tenant_scope

desk, agent_client = support.desk, support.agent_client


@pytest.fixture
def objects(desk):
    case = log(desk, requester=desk.resident, postcode="NF1 2AB", latitude="52.123456", longitude="-1.5")
    with tenant_scope(desk.tenant):
        article = KnowledgeArticle.objects.create(
            tenant=desk.tenant, title="Bin collection days", body="Bins are collected weekly.", keywords="bins"
        )
        ResponseTemplate.objects.create(tenant=desk.tenant, title="Bin apology", body="Sorry about {reference}.")
    return {"case": case, "article": article}


def pages(objects) -> list[str]:
    reference = objects["case"].reference
    return [
        "/staff/crm/",
        "/staff/crm/queues/mine/",
        "/staff/crm/queues/breaching/",
        "/staff/crm/queues/triage/",
        "/staff/crm/queues/unassigned/",
        "/staff/crm/queues/team-streets/",
        "/staff/crm/search/",
        "/staff/crm/search/?q=Rosa",
        f"/staff/crm/cases/{reference}/",
        "/staff/crm/new/",
        "/staff/crm/new/?service=missed-bin",
        "/staff/crm/knowledge/",
        "/staff/crm/knowledge/?q=collected",
        f"/staff/crm/knowledge/{objects['article'].pk}/",
        "/staff/crm/templates/",
        "/staff/crm/dashboard/",
    ]


ACTIONS = ["assign", "status", "note", "update", "link", "refer"]


def test_every_page_renders_for_an_agent_and_a_supervisor(desk, objects, client_for):
    for user in (desk.agnes, desk.rita):
        client = client_for(desk.tenant, user)
        for page in pages(objects):
            response = client.get(page)
            assert response.status_code == 200, page
            assert b'aria-current="page">Customer contact<' in response.content, page


def test_the_staff_navigation_offers_the_desk(agent_client):
    assert b'href="/staff/crm/"' in agent_client.get("/staff/").content


def test_a_member_without_crm_roles_gets_403_and_changes_nothing(desk, objects, make_staff, client_for):
    client = client_for(desk.tenant, make_staff(desk.tenant, ("revenues.officer",), username="reg"))
    for page in pages(objects):
        assert client.get(page).status_code == 403, page
    reference = objects["case"].reference
    with tenant_scope(desk.tenant):
        before = CaseEvent.objects.count()
    for action in ACTIONS:
        response = client.post(f"/staff/crm/cases/{reference}/{action}/", {"note-body": "x", "assign-to_me": "yes"})
        assert response.status_code == 403, action
    assert client.post("/staff/crm/new/", {"service": "missed-bin"}).status_code == 403
    with tenant_scope(desk.tenant):
        assert CaseEvent.objects.count() == before


def test_a_tenant_without_the_crm_module_answers_404(make_tenant, make_staff, client_for):
    bakery = make_tenant("bakery", kind="business")
    assert not bakery.has_module("crm")
    client = client_for(bakery, make_staff(bakery, ("crm.agent",), username="baker"))
    for page in ["/staff/crm/", "/staff/crm/queues/mine/", "/staff/crm/new/", "/staff/crm/dashboard/"]:
        assert client.get(page).status_code == 404, page
    assert b'href="/staff/crm/"' not in client.get("/staff/").content


def test_a_signed_out_visitor_is_sent_to_sign_in(desk, client_for):
    response = client_for(desk.tenant).get("/staff/crm/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_unknown_queues_answer_404(agent_client):
    assert agent_client.get("/staff/crm/queues/everything/").status_code == 404
    assert agent_client.get("/staff/crm/queues/team-nobody/").status_code == 404


def test_the_desk_counts_my_cases_and_my_teams_queues(desk, agent_client):
    mine = log(desk)
    log(desk)
    log(desk, service=desk.council_tax, answers={})
    with tenant_scope(desk.tenant), acting_as(Actor.system("test")):
        case_assign(case=mine, user=desk.agnes)
    text = re.sub(r"\s+", " ", agent_client.get("/staff/crm/").content.decode())
    assert re.search(r">My cases</a> <strong[^>]*>1<", text)
    assert re.search(r">Street cleaning queue</a> <strong[^>]*>2<", text)
    assert "Revenues queue" not in text  # Agnes is not in that team


def bulk_cases(desk, count, **fields):
    now = timezone.now()
    with tenant_scope(desk.tenant):
        return Case.objects.bulk_create(
            Case(
                tenant=desk.tenant,
                reference=f"BLK-{number:06d}",
                service=desk.bins,
                channel="web",
                description="Bulk",
                team=desk.streets,
                created_at=now - timedelta(hours=number),
                due_at=now + timedelta(days=5, hours=number),
                **fields,
            )
            for number in range(1, count + 1)
        )


def references(response) -> list[str]:
    return re.findall(r'href="/staff/crm/cases/([A-Z]+-\d+)/"', response.content.decode())


def test_a_queue_pages_50_at_a_time_and_sorts_by_any_column(desk, agent_client):
    bulk_cases(desk, 55)
    first = agent_client.get("/staff/crm/queues/team-streets/")
    assert len(references(first)) == 50
    assert references(first)[0] == "BLK-000001"  # the soonest due first
    assert (
        b'aria-sort="ascending"><a class="govuk-link govuk-link--no-visited-state" href="?sort=-due">' in first.content
    )
    assert b"page 1 of 2" in first.content
    second = agent_client.get("/staff/crm/queues/team-streets/?page=2")
    assert references(second) == [f"BLK-{n:06d}" for n in range(51, 56)]
    by_reference_down = agent_client.get("/staff/crm/queues/team-streets/?sort=-reference")
    assert references(by_reference_down)[:2] == ["BLK-000055", "BLK-000054"]
    assert b'aria-sort="descending"' in by_reference_down.content
    oldest_first = agent_client.get("/staff/crm/queues/team-streets/?sort=-age")
    assert references(oldest_first)[0] == "BLK-000055"
    unknown_sort = agent_client.get("/staff/crm/queues/team-streets/?sort=password")
    assert unknown_sort.status_code == 200
    assert references(unknown_sort)[0] == "BLK-000001"


def test_a_queue_tags_cases_breaching_soon_and_breached(desk, agent_client):
    now = timezone.now()
    late, soon, fine = bulk_cases(desk, 3)
    with tenant_scope(desk.tenant):
        Case.objects.filter(pk=late.pk).update(created_at=now - timedelta(days=20), due_at=now - timedelta(days=1))
        Case.objects.filter(pk=soon.pk).update(created_at=now - timedelta(days=30), due_at=now + timedelta(hours=1))
        Case.objects.filter(pk=fine.pk).update(created_at=now, due_at=now + timedelta(days=30))
    text = agent_client.get("/staff/crm/queues/team-streets/").content.decode()
    rows = dict(_rows(text))
    assert "Breached" in rows[late.reference]
    assert "Breaching soon" in rows[soon.reference]
    assert "Breach" not in rows[fine.reference]


def _rows(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(0)) for m in re.finditer(r'cases/([A-Z]+-\d+)/">.*?</tr>', text, re.S)]


def test_a_reference_goes_straight_to_its_case(desk, agent_client):
    case = log(desk, requester=desk.resident)
    response = agent_client.get(f"/staff/crm/search/?q={case.reference.lower()}")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/crm/cases/{case.reference}/"


@pytest.mark.parametrize(
    "query", ["Rosa Resident", "resident", "NF1 2AB", "nf12ab", "rosa@example.com", "07700 900123"]
)
def test_search_finds_a_case_by_name_postcode_email_or_phone(desk, agent_client, query):
    case = log(desk, requester=desk.resident, postcode="NF1 2AB")
    other = log(desk, postcode="SV9 9ZZ")
    found = references(agent_client.get("/staff/crm/search/", {"q": query}))
    assert case.reference in found
    assert other.reference not in found


def test_search_says_when_nothing_matches(agent_client, desk):
    response = agent_client.get("/staff/crm/search/?q=Nobody+Here")
    assert response.status_code == 200
    assert "No cases match “Nobody Here”" in response.content.decode()


def test_the_case_page_explains_the_case(desk, agent_client, objects):
    case = objects["case"]
    text = agent_client.get(f"/staff/crm/cases/{case.reference}/").content.decode()
    assert "Which bin was missed?" in text and "General waste" in text
    assert "How many extra bags?" in text and "Not answered" in text
    assert "52.12346° N, 1.50000° W" in text
    assert "Rosa Resident" in text
    assert "How the due time was worked out" in text and "Service level: 10 working days." in text
    assert "Street cleaning" in text
    assert 'id="case-timeline" class="moj-timeline"' in text
    assert "Case created" in text
    # The status form offers only what the rules allow from "new".
    assert 'value="resolved"' in text and 'name="status-to_status" type="radio" value="new"' not in text


def test_the_case_page_links_to_the_person_page_once_it_exists(desk, agent_client, objects):
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("people:detail", urlconf=settings.BOROUGH_TENANT_URLCONF, kwargs={"pk": desk.resident.pk})
    except NoReverseMatch:
        pytest.skip("the people pages are not there yet")
    text = agent_client.get(f"/staff/crm/cases/{objects['case'].reference}/").content.decode()
    assert f'href="{url}">Rosa Resident</a>' in text


def test_another_tenants_case_answers_404(desk, tenant_b, make_staff, client_for, objects):
    outsider = client_for(tenant_b, make_staff(tenant_b, ("crm.agent",), username="sam"))
    assert outsider.get(f"/staff/crm/cases/{objects['case'].reference}/").status_code == 404


def test_the_knowledge_base_searches_and_shows_articles(desk, agent_client, objects):
    with tenant_scope(desk.tenant):
        KnowledgeArticle.objects.create(tenant=desk.tenant, title="Council tax bands", body="Bands A to H.")
        hidden = KnowledgeArticle.objects.create(
            tenant=desk.tenant, title="Draft bins", body="Not yet", is_published=False
        )
    found = agent_client.get("/staff/crm/knowledge/?q=collected+weekly").content.decode()
    assert "Bin collection days" in found and "Council tax bands" not in found
    by_keyword = agent_client.get("/staff/crm/knowledge/?q=bins").content.decode()
    assert "Bin collection days" in by_keyword and "Draft bins" not in by_keyword
    article = agent_client.get(f"/staff/crm/knowledge/{objects['article'].pk}/").content.decode()
    assert "Bins are collected weekly." in article
    assert agent_client.get(f"/staff/crm/knowledge/{hidden.pk}/").status_code == 404


def test_response_templates_are_listed_to_read_or_copy(agent_client, objects):
    text = agent_client.get("/staff/crm/templates/").content.decode()
    assert "Bin apology" in text and "Sorry about {reference}." in text
    assert "No templates match" in agent_client.get("/staff/crm/templates/?q=zebra").content.decode()
