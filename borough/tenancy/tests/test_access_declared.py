"""Every view declares who may use it (a decorator from borough.identity.permissions, or DRF permission classes)."""

import pytest
from django.conf import settings

from borough.tenancy.urlwalk import walk

ROUTES = [*walk(settings.BOROUGH_TENANT_URLCONF), *walk(settings.ROOT_URLCONF)]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.pattern)
def test_view_declares_its_access(route):
    assert route.access.get("kind") in {"public", "staff", "provider", "api"}, (
        f"{route.pattern} ({route.name}) declares no access rule: use staff_view, provider_view, public_view "
        "or DRF permission classes"
    )
