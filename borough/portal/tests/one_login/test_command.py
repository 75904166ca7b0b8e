"""`borough portal_one_login`: sets the tenant's client from a key file (only the public half kept), or disables it."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import CommandError, call_command

from borough.core.models import AuditEvent
from borough.portal.models import OneLoginClient
from borough.portal.one_login import provider
from borough.portal.tests.one_login.conftest import private_pem
from borough.tenancy.scope import tenant_scope

ISSUER = "https://oidc.integration.account.gov.uk/"


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("portal_one_login", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def key_file(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "one-login.pem"
    path.write_text(private_pem(key))
    return path, key


def test_the_command_sets_the_client_and_keeps_only_the_public_key(tenant_a, key_file):
    path, key = key_file
    out = run("--tenant", "northfield", "--issuer", ISSUER, "--client-id", "abc123", "--private-key-file", str(path))
    assert "BOROUGH_ONE_LOGIN_KEY_NORTHFIELD" in out and provider.public_pem(key) in out
    with tenant_scope(tenant_a):
        client = OneLoginClient.objects.get()
        assert (client.issuer, client.client_id, client.enabled) == (ISSUER, "abc123", True)
        assert client.public_key_pem == provider.public_pem(key) and "PRIVATE" not in client.public_key_pem
        event = AuditEvent.objects.get(action="portal.one_login_client_set")
        assert "PRIVATE" not in str(event.changes)
    run("--tenant", "northfield", "--disable")
    with tenant_scope(tenant_a):
        assert OneLoginClient.objects.get().enabled is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--issuer": "http://oidc.example.org/"}, "must be https"),
        ({"--private-key-file": "missing.pem"}, "Cannot read the private key file"),
        ({"key": "not a key"}, "not an unencrypted PEM private key"),
        ({"key": "small-rsa"}, "at least 2048 bits"),
        ({"key": "p384"}, "RSA (RS256) or EC P-256"),
        ({"--client-id": " "}, "Enter the client ID"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_kept(tenant_a, key_file, tmp_path, change, message):
    path, _key = key_file
    keys = {
        "not a key": "not a key",
        "small-rsa": private_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
        "p384": private_pem(ec.generate_private_key(ec.SECP384R1())),
    }
    if "key" in change:
        path.write_text(keys[change.pop("key")])
    options = {"--issuer": ISSUER, "--client-id": "abc123", "--private-key-file": str(path), **change}
    if options["--private-key-file"] == "missing.pem":
        options["--private-key-file"] = str(tmp_path / "missing.pem")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("--tenant", "northfield", *[part for pair in options.items() for part in pair])
    with tenant_scope(tenant_a):
        assert not OneLoginClient.objects.exists()


def test_disabling_without_a_client_says_so(tenant_a):
    with pytest.raises(CommandError, match="no One Login client"):
        run("--tenant", "northfield", "--disable")


def test_settings_are_asked_for(tenant_a):
    with pytest.raises(CommandError, match="--issuer, --client-id, --private-key-file"):
        run("--tenant", "northfield")
