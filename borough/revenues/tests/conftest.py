import pytest

from borough.core.audit import Actor, acting_as
from borough.revenues.models import RevenuesSettings
from borough.tenancy.scope import tenant_scope


@pytest.fixture
def council(tenant_a):
    """An English council, inside its scope, acting as a test system actor."""
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        yield tenant_a


@pytest.fixture
def welsh_council(make_tenant):
    tenant = make_tenant("cwmdale", name="Cyngor Cwmdale")
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        RevenuesSettings.objects.create(tenant=tenant, country="wales")
        yield tenant
