"""API keys: created with a name and scopes, shown once, listed by prefix, revoked after a confirmation."""

import re

import pytest
from django.utils import timezone

from borough.core.models import AuditEvent
from borough.identity.models import ApiKey
from borough.identity.services import apikey_find
from borough.tenancy.scope import tenant_scope
from borough.tenant_admin.tests.helpers import url, written


def create_key(client, name="Case system", scopes=("read", "write")) -> tuple[ApiKey, str]:
    response = client.post(url("apikey_create"), {"name": name, "scopes": list(scopes)})
    assert response.status_code == 201, response.content.decode()
    key = re.search(r'<code class="borough-secret" id="api-key">([^<]+)</code>', response.content.decode()).group(1)
    return ApiKey.objects.get(name=name), key


def test_a_created_key_is_shown_once_with_a_warning(admin_client, tenant_a, admin_a):
    response = admin_client.post(url("apikey_create"), {"name": "Case system", "scopes": ["read", "write"]})
    html = response.content.decode()
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    assert "This is the only time it is shown" in html
    key = re.search(r'id="api-key">(brk_[^<]+)</code>', html).group(1)
    with tenant_scope(tenant_a):
        api_key = ApiKey.objects.get(name="Case system")
        events = list(AuditEvent.objects.filter(object_type="identity.apikey", object_id=str(api_key.pk)))
    assert api_key.scopes == ["read", "write"] and api_key.created_by == admin_a
    assert api_key.hashed_key != key and key not in api_key.hashed_key
    assert [e.action for e in events] == ["apikey.create"] and events[0].actor_user == admin_a
    assert key not in str(events[0].changes) + str(events[0].detail)

    listing = admin_client.get(url("apikeys")).content.decode()
    assert f"brk_{api_key.prefix}…" in listing and "Case system" in listing
    assert key not in listing
    assert key not in admin_client.get(url("home")).content.decode()


def test_the_created_key_works_on_the_api_of_its_tenant_only(admin_client, tenant_a, tenant_b, client_for):
    with tenant_scope(tenant_a):
        api_key, key = create_key(admin_client)
    me = client_for(tenant_a).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert me.status_code == 200, me.content
    assert me.json()["caller"] == {
        "kind": "api_key",
        "name": "Case system",
        "key_prefix": api_key.prefix,
        "scopes": ["read", "write"],
        "roles": [],
    }
    assert me.json()["tenant"]["slug"] == "northfield"
    with tenant_scope(tenant_a):
        last_used = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert last_used is not None
    assert f"{timezone.localtime(last_used):%-d %b %Y}" in admin_client.get(url("apikeys")).content.decode()
    other = client_for(tenant_b).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert other.status_code == 401
    with tenant_scope(tenant_a):
        assert apikey_find(key) == api_key
        assert apikey_find(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    with tenant_scope(tenant_b):
        assert apikey_find(key) is None

    admin_client.post(url("apikey_revoke", pk=api_key.pk))
    refused = client_for(tenant_a).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert refused.status_code == 401


@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"name": "", "scopes": ["read"]}, "Enter a name for the key", "#id_name"),
        ({"name": "   ", "scopes": ["read"]}, "Enter a name for the key", "#id_name"),
        ({"name": "x" * 101, "scopes": ["read"]}, "Use 100 characters or fewer", "#id_name"),
        ({"name": "Case system"}, "Choose at least one scope", "#id_scopes_0"),
        ({"name": "Case system", "scopes": ["read", "admin"]}, "admin is not a scope", "#id_scopes_0"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_no_key(admin_client, tenant_a, data, message, anchor):
    before = written(tenant_a)
    response = admin_client.post(url("apikey_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Create an API key" in html
    assert f'<a href="{anchor}">{message}' in html
    assert "brk_" not in html
    assert written(tenant_a) == before


def test_revoking_asks_first_then_stops_the_key(admin_client, tenant_a):
    with tenant_scope(tenant_a):
        api_key, key = create_key(admin_client)
    confirm = admin_client.get(url("apikey_revoke", pk=api_key.pk))
    assert confirm.status_code == 200 and "Yes, revoke the key" in confirm.content.decode()
    with tenant_scope(tenant_a):
        assert ApiKey.objects.get(pk=api_key.pk).is_active  # a GET changes nothing

    response = admin_client.post(url("apikey_revoke", pk=api_key.pk))
    assert response.status_code == 302 and response["Location"] == url("apikeys")
    with tenant_scope(tenant_a):
        assert not ApiKey.objects.get(pk=api_key.pk).is_active
        assert apikey_find(key) is None
        assert AuditEvent.objects.filter(action="apikey.revoke", object_id=str(api_key.pk)).count() == 1
    listing = admin_client.get(url("apikeys")).content.decode()
    assert "The API key Case system is revoked" in listing and "Revoked" in listing

    before = written(tenant_a)
    again = admin_client.post(url("apikey_revoke", pk=api_key.pk), follow=True)
    assert "was already revoked" in again.content.decode()
    assert written(tenant_a) == before


def test_a_key_that_does_not_exist_is_404(admin_client):
    assert admin_client.get(url("apikey_revoke", pk=999999)).status_code == 404
    assert admin_client.post(url("apikey_revoke", pk=999999)).status_code == 404
