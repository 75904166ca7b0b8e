"""The support access log: who of the provider reached the tenant's data, why, when, and what they changed."""

from datetime import timedelta

from django.contrib.auth import get_user_model

from borough.core.audit import Actor, acting_as
from borough.identity.services import support_access_grant, support_access_revoke
from borough.tenancy.scope import tenant_scope
from borough.tenant_admin.tests.helpers import url


def test_the_log_lists_each_grant_with_its_reason_and_status(admin_client, tenant_a, tenant_b, client_for, agent_a):
    user_model = get_user_model()
    olu = user_model.objects.create_user(username="olu", first_name="Olu", last_name="Adeyemi", is_provider_staff=True)
    pat = user_model.objects.create_user(username="pat", is_provider_staff=True)
    with tenant_scope(tenant_a), acting_as(Actor.system("provider console")):
        support_access_grant(
            tenant=tenant_a,
            user=olu,
            reason="Ticket 4411: council tax bills missing",
            roles=["crm.agent"],
            duration=timedelta(hours=2),
        )
        ended = support_access_grant(
            tenant=tenant_a,
            user=pat,
            reason="Ticket 4412: payroll export check",
            roles=["payroll.officer"],
            duration=timedelta(hours=1),
        )
        support_access_revoke(grant=ended)
    with tenant_scope(tenant_b), acting_as(Actor.system("provider console")):
        support_access_grant(
            tenant=tenant_b,
            user=pat,
            reason="Ticket 9999: another tenant's secret",
            roles=["crm.agent"],
            duration=timedelta(hours=1),
        )

    # Olu, under support access, opens a page and changes nothing; the log still shows the grant.
    assert client_for(tenant_a, olu).get("/staff/").status_code == 200

    html = admin_client.get(url("support_access")).content.decode()
    assert "Support access granted to" in html and "<caption" in html
    assert "Olu Adeyemi" in html and "Ticket 4411: council tax bills missing" in html
    assert "Ticket 4412: payroll export check" in html
    assert html.count('govuk-tag--orange">Current<') == 1
    assert "Revoked " in html
    assert "Ticket 9999" not in html  # another tenant's grants stay there

    summary = admin_client.get(url("home")).content.decode()
    assert "Current support access" in summary


def test_changes_made_by_provider_staff_are_listed(admin_client, tenant_a, agent_a, client_for):
    olu = get_user_model().objects.create_user(username="olu", is_provider_staff=True)
    with tenant_scope(tenant_a), acting_as(Actor.system("provider console")):
        support_access_grant(
            tenant=tenant_a,
            user=olu,
            reason="Ticket 4413: fix a locked key",
            roles=["tenant.admin"],
            duration=timedelta(hours=1),
        )
    support_client = client_for(tenant_a, olu)
    response = support_client.post(url("apikey_create"), {"name": "Fixed by support", "scopes": ["read"]})
    assert response.status_code == 201

    html = admin_client.get(url("support_access")).content.decode()
    assert "Changes made by provider staff" in html
    assert "API key created" in html and "Fixed by support" in html and ">olu<" in html
