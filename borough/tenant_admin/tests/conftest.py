"""Fixtures of the tenant administration tests: an administrator and an agent of tenant A."""

import pytest


@pytest.fixture
def admin_a(tenant_a, make_staff):
    return make_staff(
        tenant_a,
        ("tenant.admin",),
        username="ada",
        email="ada@northfield.gov.uk",
        first_name="Ada",
        last_name="Lovelace",
    )


@pytest.fixture
def admin_client(client_for, tenant_a, admin_a):
    return client_for(tenant_a, admin_a)


@pytest.fixture
def agent_a(tenant_a, make_staff):
    return make_staff(tenant_a, ("crm.agent",), username="carol", email="carol@northfield.gov.uk")
