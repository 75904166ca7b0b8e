"""Fixtures of the One Login tests: the client's key pair, a running stand-in, tenant A's client set up for it."""

import socket

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from borough.core.audit import Actor, acting_as
from borough.portal.one_login import provider, services
from borough.portal.tests.one_login.standin import OneLoginStandIn
from borough.tenancy.scope import tenant_scope

CLIENT_ID = "borough-northfield-test"


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(autouse=True)
def nothing_kept():
    provider.forget_kept()
    yield
    provider.forget_kept()


@pytest.fixture
def client_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def standin(client_key):
    with OneLoginStandIn(client_id=CLIENT_ID, client_public_pem=provider.public_pem(client_key)) as server:
        yield server


def configure(tenant, *, issuer: str, key, client_id: str = CLIENT_ID, monkeypatch=None):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        client = services.one_login_client_set(
            tenant=tenant, issuer=issuer, client_id=client_id, private_key_pem=private_pem(key)
        )
    if monkeypatch is not None:
        monkeypatch.setenv(provider.key_env_name(tenant), private_pem(key))
    return client


@pytest.fixture
def one_login(tenant_a, standin, client_key, monkeypatch):
    """Tenant A's portal signs residents in with the stand-in."""
    return configure(tenant_a, issuer=standin.issuer, key=client_key, monkeypatch=monkeypatch)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
