"""The isolation sweep: every URL of a tenant's site and API, pointed at objects of tenant B, answers 404 to
tenant A's users — not 403, not 500 — exactly as if the object did not exist.

Every parameterised URL needs a factory in `<app>/tests/sweep_factories.py` (see borough.tenancy.sweep); a URL
without one fails the sweep, so modules added later are covered automatically.
"""

import importlib
import pkgutil

import pytest
from django.conf import settings
from django.urls import reverse

import borough
from borough.tenancy.modules import ALL_ROLES, MODULES
from borough.tenancy.scope import tenant_scope
from borough.tenancy.sweep import SWEEP_FACTORIES
from borough.tenancy.urlwalk import walk

for app in pkgutil.iter_modules(borough.__path__):
    try:
        importlib.import_module(f"borough.{app.name}.tests.sweep_factories")
    except ModuleNotFoundError as error:
        if error.name != f"borough.{app.name}.tests.sweep_factories":
            raise

IGNORED_PARAMETERS = {"format"}  # DRF's format suffixes repeat the same views
TENANT_ROUTES = [r for r in walk(settings.BOROUGH_TENANT_URLCONF) if not set(r.parameters) & IGNORED_PARAMETERS]
OBJECT_ROUTES = [r for r in TENANT_ROUTES if r.parameters]
PLAIN_ROUTES = [r for r in TENANT_ROUTES if not r.parameters]


def route_id(route) -> str:
    return route.name or route.pattern


@pytest.fixture
def everyone_in_a(make_tenant, make_staff):
    """Tenant A with every module and a member holding every role, so only tenancy can stop them."""
    tenant_a = make_tenant("northfield", enabled_modules=[m.code for m in MODULES])
    tenant_b = make_tenant("southvale", enabled_modules=[m.code for m in MODULES])
    user_a = make_staff(tenant_a, roles=sorted(ALL_ROLES), username="a-everything")
    return tenant_a, tenant_b, user_a


def object_url(route, tenant) -> str:
    with tenant_scope(tenant):
        kwargs = SWEEP_FACTORIES[route.name](tenant)
    return reverse(route.name, urlconf=settings.BOROUGH_TENANT_URLCONF, kwargs=kwargs)


def answer(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def test_every_parameterised_url_has_a_sweep_factory():
    missing = sorted(route_id(r) for r in OBJECT_ROUTES if r.name not in SWEEP_FACTORIES)
    assert missing == [], f"register sweep factories (borough.tenancy.sweep) for: {missing}"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_tenant_a_user_gets_404_for_tenant_b_objects(route, everyone_in_a, client_for):
    tenant_a, tenant_b, user_a = everyone_in_a
    url = object_url(route, tenant_b)
    response = answer(client_for(tenant_a, user_a), url)
    assert response.status_code == 404, f"{url} on tenant A's host answered {response.status_code}"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_tenant_a_user_on_tenant_b_host_gets_404(route, everyone_in_a, client_for):
    if route.access.get("kind") == "public":
        pytest.skip("a public page of tenant B is meant to be seen on B's own site")
    tenant_a, tenant_b, user_a = everyone_in_a
    url = object_url(route, tenant_b)
    response = answer(client_for(tenant_b, user_a), url)
    assert response.status_code == 404, f"{url} on tenant B's host answered {response.status_code}"


@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=route_id)
def test_every_plain_url_answers_without_error(route, everyone_in_a, client_for):
    tenant_a, tenant_b, user_a = everyone_in_a
    url = reverse(route.name, urlconf=settings.BOROUGH_TENANT_URLCONF) if route.name else "/" + route.pattern
    response = answer(client_for(tenant_a, user_a), url)
    assert response.status_code < 500
    if route.access.get("kind") in {"staff", "api"}:
        outsider = answer(client_for(tenant_b, user_a), url)
        assert outsider.status_code == 404, f"{url}: a non-member of B got {outsider.status_code} on B's host"
