from borough.tenancy.models import Tenant


def test_tenant_created(tenant_a):
    assert Tenant.objects.get(slug="northfield").name == "Northfield District Council"
