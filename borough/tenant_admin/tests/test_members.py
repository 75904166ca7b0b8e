"""Members: the list, adding new and existing users, changing roles, deactivating, and each one's history."""

import re

import pytest
from django.contrib.auth import get_user_model

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.identity.models import Membership
from borough.identity.services import membership_grant, membership_revoke
from borough.tenancy.scope import tenant_scope
from borough.tenancy.services import tenant_update_modules
from borough.tenant_admin.tests.helpers import membership_of, url, written

User = get_user_model()

NEW_MEMBER = {
    "username": "dev.patel",
    "full_name": "Dev  Kumar Patel",
    "email": "dev.patel@northfield.gov.uk",
    "roles": ["crm.agent", "revenues.officer"],
}


def test_the_list_shows_each_member_with_roles_and_status(admin_client, tenant_a, agent_a, admin_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        membership_grant(tenant=tenant_a, user=agent_a, roles=["crm.agent", "crm.supervisor"])
    html = admin_client.get(url("members")).content.decode()
    assert "<caption" in html and "Staff members of Northfield District Council" in html
    assert "carol@northfield.gov.uk" in html and "Ada Lovelace" in html
    assert '<strong class="govuk-tag govuk-tag--blue">crm.supervisor</strong>' in html
    assert url("member", pk=membership_of(tenant_a, agent_a).pk) in html


def test_the_add_form_offers_roles_of_enabled_modules_only(admin_client, tenant_a):
    with acting_as(Actor.system("test")):
        tenant_update_modules(tenant=tenant_a, enabled_modules=["crm", "payroll"])
    html = admin_client.get(url("member_add")).content.decode()
    offered = re.findall(r'name="roles" type="checkbox" value="([^"]+)"', html)
    assert offered == [
        "tenant.admin",
        "crm.agent",
        "crm.supervisor",
        "payroll.officer",
        "payroll.administrator",
    ]
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Payroll</legend>' in html


def test_adding_a_new_user_shows_a_set_up_password_once(admin_client, tenant_a, admin_a):
    response = admin_client.post(url("member_add"), NEW_MEMBER)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'<code class="borough-secret">([^<]+)</code>', response.content.decode()).group(1)
    user = User.objects.get(username="dev.patel")
    assert (user.get_full_name(), user.email) == ("Dev Kumar Patel", "dev.patel@northfield.gov.uk")
    assert user.check_password(password) and user.password != password
    membership = membership_of(tenant_a, user)
    assert membership.roles == ["crm.agent", "revenues.officer"] and membership.is_active

    # Never again: not on the member's page, the list, or in the audit trail.
    for page in (url("member", pk=membership.pk), url("members"), url("home")):
        assert password not in admin_client.get(page).content.decode()
    with tenant_scope(tenant_a):
        events = list(
            AuditEvent.objects.filter(
                action__in=["staff_user.create", "membership.grant"],
                object_id__in=[str(user.pk), str(membership.pk)],
            )
        )
    assert {e.action for e in events} == {"staff_user.create", "membership.grant"}
    assert all(e.actor_user == admin_a for e in events)
    assert all(password not in str(e.changes) + str(e.detail) for e in events)


def test_adding_an_existing_user_needs_their_email_address(admin_client, tenant_a, tenant_b, make_staff):
    shared = make_staff(tenant_b, ("hr.officer",), username="sam", email="Sam@shared.gov.uk")
    before = written(tenant_a)
    wrong = admin_client.post(url("member_add"), {"username": "sam", "email": "x@example.com", "roles": ["hr.officer"]})
    assert wrong.status_code == 400
    assert "This username is taken" in wrong.content.decode()
    assert written(tenant_a) == before

    response = admin_client.post(
        url("member_add"), {"username": "SAM", "email": "sam@shared.gov.uk", "roles": ["hr.officer"]}
    )
    membership = membership_of(tenant_a, shared)
    assert response.status_code == 302 and response["Location"] == url("member", pk=membership.pk)
    assert membership.roles == ["hr.officer"]
    assert User.objects.filter(username__iexact="sam").count() == 1
    assert membership_of(tenant_b, shared).roles == ["hr.officer"]  # the other tenant's membership is untouched


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"roles": []}, "roles", "Choose at least one role"),
        ({"roles": ["crm.agent", "crm.overlord"]}, "roles", "crm.overlord is not a role you can give here"),
        ({"roles": ["provider.superuser"]}, "roles", "provider.superuser is not a role you can give here"),
        ({"username": "ada"}, "username", "This username is taken"),
        ({"username": "carol", "email": "carol@northfield.gov.uk"}, "username", "carol is already a member"),
        ({"username": "bad name!"}, "username", "Use only letters, digits"),
        ({"username": ""}, "username", "Enter a username"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"full_name": "   "}, "full_name", "Enter their full name"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    admin_client, tenant_a, agent_a, changes, field, message
):
    before = written(tenant_a)
    response = admin_client.post(url("member_add"), {**NEW_MEMBER, **changes})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "<title>Error: Add a member" in html
    assert message in html
    anchor = "#id_roles_0" if field == "roles" else f"#id_{field}"
    assert f'<a href="{anchor}">{message}' in html
    assert written(tenant_a) == before


def test_roles_of_a_module_the_tenant_does_not_use_are_refused(admin_client, tenant_a):
    with acting_as(Actor.system("test")):
        tenant_update_modules(tenant=tenant_a, enabled_modules=["crm"])
    before = written(tenant_a)
    response = admin_client.post(url("member_add"), {**NEW_MEMBER, "roles": ["payroll.officer"]})
    assert response.status_code == 400
    assert "payroll.officer is not a role you can give here" in response.content.decode()
    assert written(tenant_a) == before


def test_provider_staff_cannot_be_made_members(admin_client, tenant_a):
    User.objects.create_user(username="opsie", email="opsie@provider.example", is_provider_staff=True)
    before = written(tenant_a)
    response = admin_client.post(
        url("member_add"), {"username": "opsie", "email": "opsie@provider.example", "roles": ["tenant.admin"]}
    )
    assert response.status_code == 400
    assert "only through support access" in response.content.decode()
    assert written(tenant_a) == before


def test_changing_roles_is_saved_and_shown_in_the_member_history(admin_client, tenant_a, agent_a):
    membership = membership_of(tenant_a, agent_a)
    response = admin_client.post(url("member", pk=membership.pk), {"roles": ["crm.supervisor", "hr.officer"]})
    assert response.status_code == 302
    assert membership_of(tenant_a, agent_a).roles == ["crm.supervisor", "hr.officer"]

    html = admin_client.get(url("member", pk=membership.pk)).content.decode()
    assert "Roles of carol saved." in html
    assert '<div class="moj-timeline">' in html
    assert html.count('class="moj-timeline__item"') == 2  # granted by the fixture, then changed by ada
    assert "Roles: from crm.agent to crm.supervisor, hr.officer" in html
    assert '<p class="moj-timeline__byline">by ada</p>' in html
    assert re.search(r'value="crm.supervisor" aria-describedby="[^"]+" checked', html)


def test_changing_roles_needs_a_valid_role(admin_client, tenant_a, agent_a):
    membership = membership_of(tenant_a, agent_a)
    before = written(tenant_a)
    for roles, message in [
        ([], "Choose at least one role"),
        (["root"], "root is not a role you can give here"),
    ]:
        response = admin_client.post(url("member", pk=membership.pk), {"roles": roles})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert written(tenant_a) == before
    assert membership_of(tenant_a, agent_a).roles == ["crm.agent"]


def test_roles_of_modules_no_longer_enabled_are_kept(admin_client, tenant_a, agent_a):
    membership = membership_of(tenant_a, agent_a)
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        membership_grant(tenant=tenant_a, user=agent_a, roles=["crm.agent", "payroll.officer"])
    with acting_as(Actor.system("test")):
        tenant_update_modules(tenant=tenant_a, enabled_modules=["crm"])
    assert "payroll.officer" in admin_client.get(url("member", pk=membership.pk)).content.decode()
    admin_client.post(url("member", pk=membership.pk), {"roles": ["crm.supervisor"]})
    assert membership_of(tenant_a, agent_a).roles == ["crm.supervisor", "payroll.officer"]


def test_the_only_administrator_keeps_the_admin_role(admin_client, tenant_a, admin_a):
    # tenant_create made northfield-admin an administrator too: deactivate it first, so ada is the only one.
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        membership_revoke(membership=Membership.objects.get(user__username="northfield-admin"))
    membership = membership_of(tenant_a, admin_a)
    response = admin_client.post(url("member", pk=membership.pk), {"roles": ["crm.agent"]})
    assert response.status_code == 400
    assert "ada is the only administrator" in response.content.decode()
    assert membership_of(tenant_a, admin_a).roles == ["tenant.admin"]


def test_deactivating_asks_first_then_removes_access(admin_client, tenant_a, agent_a, client_for):
    membership = membership_of(tenant_a, agent_a)
    confirm = admin_client.get(url("member_deactivate", pk=membership.pk))
    assert confirm.status_code == 200 and "Yes, deactivate" in confirm.content.decode()
    assert membership_of(tenant_a, agent_a).is_active  # a GET changes nothing

    response = admin_client.post(url("member_deactivate", pk=membership.pk))
    assert response.status_code == 302
    assert not membership_of(tenant_a, agent_a).is_active
    assert client_for(tenant_a, agent_a).get("/staff/").status_code == 404
    html = admin_client.get(url("member", pk=membership.pk)).content.decode()
    assert "Membership deactivated" in html and "Save roles and reactivate" in html

    again = admin_client.post(url("member_deactivate", pk=membership.pk))
    assert again.status_code == 400 and "carol is already deactivated" in again.content.decode()

    admin_client.post(url("member", pk=membership.pk), {"roles": ["crm.agent"]})
    assert membership_of(tenant_a, agent_a).is_active


def test_an_administrator_cannot_deactivate_themselves(admin_client, tenant_a, admin_a):
    membership = membership_of(tenant_a, admin_a)
    before = written(tenant_a)
    response = admin_client.post(url("member_deactivate", pk=membership.pk))
    assert response.status_code == 400
    assert "You cannot deactivate your own membership" in response.content.decode()
    assert written(tenant_a) == before


def test_every_field_problem_is_shown_at_once(admin_client, tenant_a):
    before = written(tenant_a)
    response = admin_client.post(url("member_add"), {"username": "x y", "email": "bad"})
    html = response.content.decode()
    assert response.status_code == 400
    for anchor in ("#id_username", "#id_email", "#id_roles_0"):
        assert f'<a href="{anchor}">' in html
    assert 'aria-describedby="roles-hint roles-error"' in html and 'id="roles-error"' in html
    assert written(tenant_a) == before
