"""The staff_user_invite service on its own: all-or-nothing, every problem reported at once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from borough.core.audit import Actor, acting_as
from borough.identity.services import staff_user_invite
from borough.tenancy.scope import tenant_scope
from borough.tenant_admin.tests.helpers import written


def invite(tenant, **kwargs):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return staff_user_invite(tenant=tenant, **kwargs)


def test_a_new_user_gets_a_hashed_set_up_password_and_a_membership(tenant_a):
    membership, password = invite(
        tenant_a, username=" lee ", email="lee@northfield.gov.uk", full_name="Lee Ng", roles=["itsm.agent"]
    )
    user = get_user_model().objects.get(username="lee")
    assert len(password) >= 16 and user.check_password(password)
    assert (user.first_name, user.last_name) == ("Lee", "Ng")
    assert membership.user == user and membership.roles == ["itsm.agent"]


def test_every_problem_is_reported_together_and_nothing_is_written(tenant_a):
    before = written(tenant_a)
    with pytest.raises(ValidationError) as raised:
        invite(tenant_a, username="no spaces", email="nope", full_name="", roles=["crm.agent", "made.up"])
    assert set(raised.value.message_dict) == {"username", "email", "full_name", "roles"}
    assert raised.value.message_dict["roles"] == ["Unknown roles: made.up"]
    assert written(tenant_a) == before


def test_a_role_of_a_module_the_tenant_does_not_use_is_refused(make_tenant):
    business = make_tenant("acme-ltd", kind="business")  # no council modules such as crm
    with pytest.raises(ValidationError) as raised:
        invite(business, username="lee", email="lee@acme.example", full_name="Lee Ng", roles=["crm.agent"])
    assert "modules this organisation does not use: crm.agent" in raised.value.message_dict["roles"][0]
    assert not get_user_model().objects.filter(username="lee").exists()


def test_a_deactivated_member_is_added_back_with_the_new_roles(tenant_a, make_staff):
    from borough.identity.services import membership_revoke

    user = make_staff(tenant_a, ("crm.agent",), username="lee", email="lee@northfield.gov.uk")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        membership_revoke(membership=user.memberships.get())
    membership, password = invite(
        tenant_a, username="lee", email="LEE@northfield.gov.uk", full_name="", roles=["hr.officer"]
    )
    assert password is None and membership.is_active and membership.roles == ["hr.officer"]
