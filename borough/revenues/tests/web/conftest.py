"""Fixtures of the revenues web tests: an account in tenant A (and one in B), a revenues officer, a resident."""

from datetime import date

import pytest

from borough.core.audit import Actor, acting_as
from borough.revenues.models import Hereditament
from borough.revenues.services import account_open, hereditament_save
from borough.revenues.tests.factories import make_account, make_dwelling
from borough.tenancy.scope import tenant_scope


def account_in(tenant, *, postcode="NF1 2AB", names=("Ann Example",), start=date(2026, 4, 1), **dwelling):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return make_account(tenant, make_dwelling(tenant, postcode=postcode, **dwelling), start=start, names=names)


@pytest.fixture
def account(tenant_a):
    return account_in(tenant_a, address_line_1="12 Mill Lane", names=("Ann Example", "Bob Example"))


@pytest.fixture
def other_account(tenant_b):
    return account_in(tenant_b, postcode="SV1 1AA", address_line_1="1 Other Road")


@pytest.fixture
def officer(make_staff, tenant_a, client_for):
    return client_for(tenant_a, make_staff(tenant_a, roles=("revenues.officer",)))


@pytest.fixture
def resident(client_for, tenant_a):
    return client_for(tenant_a)


@pytest.fixture
def shop_account(tenant_a):
    """A business rates account: a shop with its rateable value."""
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        values = {
            "voa_reference": "BR0001",
            "address_line_1": "3 Market Place",
            "town": "Northfield",
            "postcode": "NF1 3CD",
            "firm_name": "Corner Shop Ltd",
            "description": "Shop and premises",
            "rateable_value": 14500,
            "value_effective_from": date(2023, 4, 1),
            "retail_hospitality_leisure": True,
        }
        hereditament_save(tenant=tenant_a, values=values)
        shop = Hereditament.objects.get(voa_reference="BR0001")
        return account_open(
            tenant=tenant_a, hereditament=shop, parties=[{"name": "Corner Shop Ltd"}], start=date(2024, 4, 1)
        )
