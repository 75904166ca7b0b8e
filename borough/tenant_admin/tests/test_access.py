"""Who reaches the administration pages: administrators only; other members 403; everyone else 404."""

import pytest

from borough.core.audit import Actor, acting_as
from borough.identity.models import ApiKey
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope
from borough.tenant_admin.tests.helpers import membership_of, url, written

PAGES = ["home", "members", "member_add", "apikeys", "apikey_create", "support_access"]
OBJECT_PAGES = ["member", "member_deactivate", "apikey_revoke"]


@pytest.fixture
def objects_a(tenant_a, agent_a):
    """A membership and an API key of tenant A, by page name."""
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        api_key, _key = apikey_create(tenant=tenant_a, name="Case system", scopes=["read"])
    membership = membership_of(tenant_a, agent_a)
    return {"member": membership.pk, "member_deactivate": membership.pk, "apikey_revoke": api_key.pk}


def all_urls(objects) -> list[str]:
    return [url(name) for name in PAGES] + [url(name, pk=objects[name]) for name in OBJECT_PAGES]


def test_an_administrator_sees_every_page(admin_client, objects_a):
    for page in all_urls(objects_a):
        response = admin_client.get(page)
        assert response.status_code == 200, page
        assert b'aria-current="page">Administration<' in response.content, page


def test_a_member_without_the_admin_role_gets_403_and_changes_nothing(tenant_a, agent_a, client_for, objects_a):
    client = client_for(tenant_a, agent_a)
    before = written(tenant_a)
    for page in all_urls(objects_a):
        assert client.get(page).status_code == 403, page
        assert client.post(page, {"roles": ["tenant.admin"], "name": "x", "scopes": ["read"]}).status_code == 403
    assert written(tenant_a) == before


def test_the_staff_navigation_offers_administration_to_administrators_only(admin_client, tenant_a, agent_a, client_for):
    assert b">Administration<" in admin_client.get("/staff/").content
    assert b">Administration<" not in client_for(tenant_a, agent_a).get("/staff/").content


def test_someone_who_is_not_a_member_gets_404(tenant_a, tenant_b, make_staff, client_for, objects_a):
    admin_of_b = make_staff(tenant_b, ("tenant.admin",), username="bob")
    client = client_for(tenant_a, admin_of_b)
    for page in all_urls(objects_a):
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"roles": ["tenant.admin"]}).status_code == 404, page


def test_a_signed_out_visitor_is_sent_to_sign_in(tenant_a, client_for):
    response = client_for(tenant_a).get(url("members"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_an_administrator_of_another_tenant_cannot_reach_its_objects_by_id(
    tenant_a, tenant_b, make_staff, client_for, objects_a, agent_a
):
    admin_of_b = make_staff(tenant_b, ("tenant.admin",), username="bob")
    client = client_for(tenant_b, admin_of_b)
    before = written(tenant_a)
    for name in OBJECT_PAGES:
        page = url(name, pk=objects_a[name])
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"roles": ["tenant.admin"]}).status_code == 404, page
    assert written(tenant_a) == before
    assert membership_of(tenant_a, agent_a).roles == ["crm.agent"]
    with tenant_scope(tenant_a):
        assert ApiKey.objects.get(pk=objects_a["apikey_revoke"]).is_active


def test_every_view_declares_the_admin_role():
    from borough.tenant_admin import urls

    for pattern in urls.urlpatterns:
        assert pattern.callback.borough_access == {
            "kind": "staff",
            "roles": ("tenant.admin",),
            "module": None,
        }
