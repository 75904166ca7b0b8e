"""The One Login settings page: an administrator sets issuer, client ID and the key's public half; never a secret."""

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from borough.core.models import AuditEvent
from borough.portal.models import OneLoginClient
from borough.portal.one_login import provider
from borough.tenancy.scope import tenant_scope
from borough.tenant_admin.tests.helpers import url

ISSUER = "https://oidc.integration.account.gov.uk/"


def public_key(key=None) -> str:
    return provider.public_pem(key or ec.generate_private_key(ec.SECP256R1()))


def test_an_administrator_sets_one_login_up(admin_client, tenant_a):
    page = admin_client.get(url("one_login"))
    html = page.content.decode()
    assert page.status_code == 200 and "Not set up" in html
    assert "BOROUGH_ONE_LOGIN_KEY_NORTHFIELD" in html and "http://northfield.localhost/sign-in/callback/" in html
    pem = public_key()
    data = {"issuer": ISSUER, "client_id": "abc123", "public_key_pem": pem, "key_id": "k1", "enabled": "on"}
    saved = admin_client.post(url("one_login"), data)
    assert saved.status_code == 302 and saved.url == url("one_login")
    with tenant_scope(tenant_a):
        client = OneLoginClient.objects.get()
        assert (client.client_id, client.key_id, client.enabled, client.public_key_pem) == ("abc123", "k1", True, pem)
        assert AuditEvent.objects.filter(action="portal.one_login_client_set").count() == 1
    assert "On" in admin_client.get(url("one_login")).content.decode()
    admin_client.post(url("one_login"), {**data, "enabled": ""})
    with tenant_scope(tenant_a):
        assert OneLoginClient.objects.get().enabled is False


def test_bad_settings_are_explained_and_nothing_is_saved(admin_client, tenant_a):
    small = provider.public_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    for data, message in [
        ({"issuer": "http://oidc.example.org/", "client_id": "a", "public_key_pem": public_key()}, "must be https"),
        ({"issuer": ISSUER, "client_id": "a", "public_key_pem": "nonsense"}, "The public key is not a PEM public key"),
        ({"issuer": ISSUER, "client_id": "a", "public_key_pem": small}, "at least 2048 bits"),
        ({"issuer": ISSUER, "client_id": "", "public_key_pem": public_key()}, "Enter the client ID"),
    ]:
        response = admin_client.post(url("one_login"), data)
        assert response.status_code == 400 and message in response.content.decode(), message
    with tenant_scope(tenant_a):
        assert not OneLoginClient.objects.exists()


def test_only_an_administrator_reaches_the_page(client_for, tenant_a, agent_a):
    assert client_for(tenant_a, agent_a).get(url("one_login")).status_code == 403
