"""The tenant page: status (suspend stops users and API keys at once), modules, branding and history."""

from django.urls import reverse

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.identity.services import apikey_create
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


def url(name, tenant, *args):
    return reverse(f"provider:{name}", args=[tenant.slug, *args], urlconf="config.urls_provider")


def test_the_list_shows_status_kind_modules_domains_and_a_link_to_each_site(console, make_tenant, tenant_b):
    make_tenant("northfield", name="Northfield District Council", domains=["www.northfield.gov.uk"])
    make_tenant("acme", kind="business", name="Acme Ltd", enabled_modules=["payroll"])
    Tenant.objects.filter(slug="acme").update(status="suspended")
    page = console.get(reverse("provider:home", urlconf="config.urls_provider"), HTTP_HOST="localhost:8000")
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 tenants" in html
    assert "Northfield District Council" in html and "Acme Ltd" in html
    assert "Small business" in html and "govuk-tag--red" in html and "Suspended" in html
    assert "Customer contact, Revenues" in html  # module names, not codes
    assert 'href="http://southvale.localhost:8000/"' in html
    assert 'href="http://www.northfield.gov.uk:8000/"' in html  # the primary domain, same port as the console
    assert "www.northfield.gov.uk" in html


def test_the_tenant_page_shows_branding_domains_modules_and_history(console, make_tenant):
    logo = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
    tenant = make_tenant("northfield", brand_colour="#00703c", logo_svg=logo, domains=["www.northfield.gov.uk"])
    page = console.get(url("tenant", tenant))
    html = page.content.decode()
    assert page.status_code == 200
    assert "border-bottom: 10px solid #00703c" in html and 'nonce="' in html
    assert '<rect width="1" height="1"' in html
    assert "www.northfield.gov.uk (main)" in html
    assert 'name="modules-modules" type="checkbox" value="crm" checked' in html
    assert "tenant.create" in html  # the tenant's own history...
    assert "membership.grant" not in html  # ...not the tenant's data: that needs support access
    assert "<caption" in html and 'scope="col"' in html


def test_an_unknown_tenant_is_not_found(console, db):
    assert console.get("/tenants/nowhere/").status_code == 404


def test_suspending_stops_the_tenants_pages_and_api_at_once_and_reactivating_restores_them(
    console, client_for, tenant_a, tenant_b, make_staff
):
    staff = make_staff(tenant_a, ["tenant.admin"])
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        _key_record, key = apikey_create(tenant=tenant_a, name="Integration", scopes=["read"])
    staff_client = client_for(tenant_a, staff)
    assert staff_client.get("/staff/").status_code == 200
    assert staff_client.get("/api/schema/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200

    response = console.post(url("suspend", tenant_a), {"suspend-reason": "Invoices unpaid for 90 days"})
    assert response.status_code == 302

    tenant_a.refresh_from_db()
    assert tenant_a.status == "suspended" and tenant_a.suspended_reason == "Invoices unpaid for 90 days"
    for path in ("/", "/staff/", "/accounts/sign-in/"):
        assert staff_client.get(path).status_code == 503, path
    api = staff_client.get("/api/v1/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.status_code == 503 and api.json()["code"] == "tenant_unavailable"
    assert client_for(tenant_b).get("/").status_code == 200  # the other tenant is untouched

    page = console.get(url("tenant", tenant_a)).content.decode()
    assert "Invoices unpaid for 90 days" in page and "Reactivate" in page

    assert console.post(url("reactivate", tenant_a)).status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.is_active and tenant_a.suspended_reason == ""
    assert staff_client.get("/staff/").status_code == 200
    with tenant_scope(tenant_a):
        events = list(AuditEvent.objects.filter(action__in=["tenant.suspend", "tenant.reactivate"]).order_by("id"))
    assert [e.action for e in events] == ["tenant.suspend", "tenant.reactivate"]
    assert events[0].actor_user.username == "ops"
    assert events[0].changes["status"] == ["active", "suspended"]


def test_suspending_needs_a_reason(console, tenant_a):
    response = console.post(url("suspend", tenant_a), {"suspend-reason": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the tenant is suspended" in html and 'href="#id_suspend-reason"' in html
    tenant_a.refresh_from_db()
    assert tenant_a.is_active


def test_console_actions_are_posts(console, tenant_a):
    assert console.get(url("suspend", tenant_a)).status_code == 405
    assert console.get(url("reactivate", tenant_a)).status_code == 405


def test_changing_modules_with_checkboxes(console, tenant_a, client_for, make_staff):
    response = console.post(url("modules", tenant_a), {"modules-modules": ["hr", "payroll"]})
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.enabled_modules == ["hr", "payroll"]
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="tenant.modules").count() == 1

    assert console.post(url("modules", tenant_a), {}).status_code == 302  # none ticked: every module off
    tenant_a.refresh_from_db()
    assert tenant_a.enabled_modules == []


def test_unknown_or_unsuitable_modules_are_refused(console, make_tenant):
    business = make_tenant("acme", kind="business", enabled_modules=["hr"])
    response = console.post(url("modules", business), {"modules-modules": ["hr", "benefits"]})
    assert response.status_code == 400
    assert "Benefits cannot be enabled for a small business." in response.content.decode()
    response = console.post(url("modules", business), {"modules-modules": ["hr", "astrology"]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    business.refresh_from_db()
    assert business.enabled_modules == ["hr"]
