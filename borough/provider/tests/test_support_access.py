"""Provider staff reach a tenant's data only through support access: reason, roles, expiry, all audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.core.models import AuditEvent
from borough.identity.models import SupportAccess
from borough.tenancy.scope import tenant_scope


def url(name, tenant, *args):
    return reverse(f"provider:{name}", args=[tenant.slug, *args], urlconf="config.urls_provider")


def grant_data(**overrides):
    data = {
        "support-reason": "Ticket INC-4411: payslips missing for March",
        "support-duration_minutes": "60",
        "support-roles": ["payroll.officer", "hr.officer"],
    }
    data.update(overrides)
    return data


def grants_of(tenant):
    with tenant_scope(tenant):
        return list(SupportAccess.objects.all())


def test_without_a_grant_provider_staff_cannot_open_the_tenants_staff_app(client_for, tenant_a, provider_user):
    assert client_for(tenant_a, provider_user).get("/staff/").status_code == 404


def test_a_grant_opens_the_staff_app_with_the_granted_roles_only(console, client_for, tenant_a, provider_user):
    response = console.post(url("support_access", tenant_a), grant_data())
    assert response.status_code == 302
    notice = console.get(response["Location"]).content.decode()
    assert "You have support access to" in notice
    assert "Open staff app with support access" in notice and 'href="http://northfield.localhost/staff/"' in notice

    [grant] = grants_of(tenant_a)
    assert grant.user == provider_user and grant.reason.startswith("Ticket INC-4411")
    assert sorted(grant.roles) == ["hr.officer", "payroll.officer"]
    assert timedelta(minutes=59) < grant.expires_at - timezone.now() <= timedelta(minutes=60)

    staff_app = client_for(tenant_a, provider_user).get("/staff/")
    assert staff_app.status_code == 200
    assert staff_app.wsgi_request.roles == frozenset({"hr.officer", "payroll.officer"})
    assert "(support access)" in staff_app.content.decode()

    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="support_access.grant")
    assert event.actor_user == provider_user and "reason" in event.changes


def test_the_grant_is_for_one_tenant_only(console, client_for, tenant_a, tenant_b, provider_user):
    console.post(url("support_access", tenant_a), grant_data())
    assert client_for(tenant_b, provider_user).get("/staff/").status_code == 404


def test_an_expired_grant_opens_nothing(console, client_for, tenant_a, provider_user):
    console.post(url("support_access", tenant_a), grant_data())
    with tenant_scope(tenant_a):
        SupportAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_for(tenant_a, provider_user).get("/staff/").status_code == 404
    assert "Expired" in console.get(url("tenant", tenant_a)).content.decode()


def test_ending_a_grant_closes_the_staff_app_at_once_and_is_audited(console, client_for, tenant_a, provider_user):
    console.post(url("support_access", tenant_a), grant_data())
    [grant] = grants_of(tenant_a)
    staff_app = client_for(tenant_a, provider_user)
    assert staff_app.get("/staff/").status_code == 200

    response = console.post(url("support_access_end", tenant_a, grant.pk))
    assert response.status_code == 302

    assert staff_app.get("/staff/").status_code == 404
    [grant] = grants_of(tenant_a)
    assert grant.revoked_at is not None
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="support_access.revoke", actor_user=provider_user).count() == 1
    assert console.post(url("support_access_end", tenant_a, grant.pk)).status_code == 302  # twice: no harm
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="support_access.revoke").count() == 1


def test_a_grant_of_another_tenant_cannot_be_ended_through_this_one(console, tenant_a, tenant_b):
    console.post(url("support_access", tenant_b), grant_data())
    [grant_of_b] = grants_of(tenant_b)
    assert console.post(url("support_access_end", tenant_a, grant_of_b.pk)).status_code == 404
    assert grants_of(tenant_b)[0].revoked_at is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"support-reason": "because"}, "at least 10 characters", id="short reason"),
        pytest.param({"support-reason": ""}, "Say why you need access", id="no reason"),
        pytest.param({"support-duration_minutes": "481"}, "at most 480 minutes", id="too long"),
        pytest.param({"support-duration_minutes": "2"}, "at least 5 minutes", id="too short"),
        pytest.param({"support-duration_minutes": "an hour"}, "as a whole number", id="not a number"),
        pytest.param({"support-roles": []}, "Choose at least one role", id="no roles"),
        pytest.param({"support-roles": ["root"]}, "Select a valid choice", id="unknown role"),
        pytest.param({"support-roles": ["itsm.agent"]}, "Select a valid choice", id="role of a disabled module"),
    ],
)
def test_bad_grant_requests_are_refused_with_a_message(console, make_tenant, overrides, message):
    tenant = make_tenant("northfield", enabled_modules=["hr", "payroll"])
    response = console.post(url("support_access", tenant), grant_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert grants_of(tenant) == []


def test_the_role_checkboxes_offer_the_tenants_roles(console, make_tenant):
    tenant = make_tenant("northfield", enabled_modules=["hr"])
    html = console.get(url("tenant", tenant)).content.decode()
    assert 'name="support-roles" type="checkbox" value="tenant.admin"' in html
    assert 'value="hr.officer"' in html and 'value="payroll.officer"' not in html
    assert "<legend" in html and 'id="id_support-roles_0"' in html
