"""The portal's home page lists the tenant's active services by group; search finds them by their words."""

import pytest

from borough.portal.tests.helpers import add_catalogue


def test_home_lists_active_services_by_group(resident, catalogue):
    page = resident.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    for group in ("Bins and recycling", "Roads and streets", "Council tax"):
        assert f">{group}</h3>" in html
    assert 'href="/report/missed-bin/"' in html
    assert "Report a retired thing" not in html  # inactive
    assert 'href="/track/"' in html
    assert "Online reporting for" not in html


def test_home_of_a_council_without_the_crm_module_keeps_the_placeholder(make_tenant, client_for):
    tenant = make_tenant("eastham", enabled_modules=["revenues"])
    add_catalogue(tenant)
    html = client_for(tenant).get("/").content.decode()
    assert "Online reporting for" in html
    assert "/report/missed-bin/" not in html
    assert client_for(tenant).get("/report/missed-bin/").status_code == 404
    assert client_for(tenant).get("/track/").status_code == 404
    assert client_for(tenant).get("/search/", {"q": "bin"}).status_code == 404


def test_home_of_a_business_says_who_runs_its_services(make_tenant, client_for):
    tenant = make_tenant("bakery", kind="business", name="Brightside Bakery Ltd")
    assert "About us" in client_for(tenant).get("/").content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("missed bin", ["Report a missed bin collection"]),  # name
        ("emptied", ["Report a missed bin collection"]),  # description
        ("wheelie", ["Report a missed bin collection"]),  # keywords
        ("PAVEMENT", ["Report a pothole"]),  # any case
        ("report", ["Report a missed bin collection", "Report a pothole"]),  # inactive services left out
        ("council tax", ["Ask about your council tax"]),
    ],
)
def test_search_finds_services_by_name_description_and_keywords(resident, catalogue, query, found):
    page = resident.get("/search/", {"q": query})
    assert page.status_code == 200
    assert [service.name for service in page.context["results"]] == found


def test_search_without_a_match_says_so(resident, catalogue):
    html = resident.get("/search/", {"q": "dragons"}).content.decode()
    assert "0 services found for ‘dragons’" in html
    assert "Try other words" in html


def test_search_does_not_find_another_tenants_services(tenant_a, tenant_b, client_for, catalogue):
    page = client_for(tenant_b).get("/search/", {"q": "bin"})
    assert list(page.context["results"]) == []


def test_empty_search_shows_the_form_only(resident, catalogue):
    page = resident.get("/search/")
    assert page.status_code == 200
    assert "services found" not in page.content.decode()
