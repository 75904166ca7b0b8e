"""Only provider staff use the console: others signed in get 404 on every page; anonymous users sign in."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from borough.tenancy.urlwalk import walk

CONSOLE_ROUTES = [r for r in walk(settings.ROOT_URLCONF) if r.name and r.name.startswith("provider:")]


def concrete_path(route, tenant) -> str:
    path = route.pattern.replace("<slug:slug>", tenant.slug).replace("<int:grant_id>", "1")
    assert "<" not in path, f"fill in the parameters of {route.pattern}"
    return "/" + path


def test_the_console_has_its_pages():
    names = {r.name for r in CONSOLE_ROUTES}
    assert {
        "provider:home",
        "provider:usage",
        "provider:create",
        "provider:tenant",
        "provider:usage_csv",
    } <= names


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=lambda r: r.name)
def test_every_console_page_is_for_provider_staff_only(route, client_for, tenant_a, make_staff):
    assert route.access == {"kind": "provider"}
    path = concrete_path(route, tenant_a)
    member = make_staff(tenant_a, ["tenant.admin"])
    superuser = get_user_model().objects.create_superuser("root", "root@example.test", "correct-horse-battery")
    for user in (member, superuser):
        signed_in = client_for(None, user)
        assert signed_in.get(path).status_code == 404, (path, user)
        assert signed_in.post(path).status_code == 404, (path, user)

    anonymous = client_for(None)
    for response in (anonymous.get(path), anonymous.post(path)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/?next=")
    tenant_a.refresh_from_db()
    assert tenant_a.is_active


def test_the_console_is_not_on_a_tenants_host(client_for, tenant_a, provider_user):
    assert client_for(tenant_a, provider_user).get("/tenants/new/").status_code == 404
