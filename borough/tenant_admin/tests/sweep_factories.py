"""Objects of a tenant that the administration URLs point at, for the isolation sweep (tenancy.sweep)."""

from django.contrib.auth import get_user_model

from borough.core.audit import Actor, acting_as
from borough.identity.services import apikey_create, membership_grant
from borough.tenancy.sweep import sweep_factory


@sweep_factory("tenant_admin:member", "tenant_admin:member_deactivate")
def a_membership(tenant):
    user = get_user_model().objects.create_user(username=f"sweep-member-{tenant.slug}")
    with acting_as(Actor.system("sweep")):
        return {"pk": membership_grant(tenant=tenant, user=user, roles=["crm.agent"]).pk}


@sweep_factory("tenant_admin:apikey_revoke")
def an_api_key(tenant):
    with acting_as(Actor.system("sweep")):
        api_key, _key = apikey_create(tenant=tenant, name="Sweep probe", scopes=["read"])
    return {"pk": api_key.pk}
