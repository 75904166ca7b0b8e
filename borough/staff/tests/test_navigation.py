"""The staff app shows only the areas the tenant has enabled and the user's roles permit."""

import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse


def labels(client) -> list[str]:
    response = client.get("/staff/")
    assert response.status_code == 200
    return re.findall(r'class="moj-primary-navigation__link"[^>]*>([^<]+)</a>', response.content.decode())


def test_an_administrator_sees_administration(tenant_a, make_staff, client_for):
    admin = make_staff(tenant_a, roles=["tenant.admin"], username="nf-admin")
    assert "Administration" in labels(client_for(tenant_a, admin))


def test_an_agent_does_not_see_administration(tenant_a, make_staff, client_for):
    agent = make_staff(tenant_a, roles=["crm.agent"], username="nf-agent")
    shown = labels(client_for(tenant_a, agent))
    assert "Administration" not in shown
    assert shown[0] == "Home"


def test_a_module_appears_only_when_enabled_permitted_and_built(make_tenant, make_staff, client_for):
    tenant = make_tenant("brightside", kind="business", enabled_modules=["payroll"])
    user = make_staff(tenant, roles=["payroll.administrator"], username="bs-payroll")
    shown = labels(client_for(tenant, user))
    assert "Customer contact" not in shown  # not enabled for this tenant
    try:
        reverse("payroll:home", urlconf=settings.BOROUGH_TENANT_URLCONF)
    except NoReverseMatch:
        assert "Payroll" not in shown  # enabled and permitted, but no pages yet
    else:
        assert "Payroll" in shown


@pytest.mark.parametrize("role", ["crm.agent", "tenant.admin"])
def test_the_staff_home_lists_the_users_roles(role, tenant_a, make_staff, client_for):
    user = make_staff(tenant_a, roles=[role], username=f"nf-{role.replace('.', '-')}")
    page = client_for(tenant_a, user).get("/staff/").content.decode()
    assert role in page
