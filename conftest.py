"""Fixtures shared by every app's tests.

Services a test needs (PostgreSQL, a broker, Chromium) may be missing on a laptop: the test then skips and says why.
In CI, `.ci/run` sets BOROUGH_REQUIRE_SERVICES=1, and a missing service fails the test instead.
"""

import os

import pytest
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from borough.core.audit import Actor, acting_as
from borough.tenancy.scope import tenant_scope

REQUIRE_SERVICES = os.environ.get("BOROUGH_REQUIRE_SERVICES") == "1"

# Property tests check results, not speed: on a busy 2-core CI machine a per-example deadline only adds flakes.
hypothesis_settings.register_profile("borough", deadline=None)
hypothesis_settings.load_profile("borough")

# Tests that seed the demo councils need their shape, not `make run`'s thousands of dwellings.
os.environ.setdefault("BOROUGH_DEMO_DWELLINGS", "120")


def service_missing(reason: str) -> None:
    """Skip (on a laptop) or fail (in CI) a test whose service is not there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def own_var_files(tmp_path_factory):
    """Uploads, run files and the mail spool of this test process in a directory of its own (not the shared var/):
    under pytest-xdist each worker has its own database, so its run 1 or tenant 1 must not meet another worker's files.
    A test that sets MEDIA_ROOT or BOROUGH_MAIL_SPOOL itself still wins (pytest-django's `settings` nests inside)."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("var")
    override = override_settings(MEDIA_ROOT=root / "media", BOROUGH_MAIL_SPOOL=root / "mail-spool")
    override.enable()
    yield root
    override.disable()


@pytest.fixture
def on_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only (set DATABASE_URL); CI runs it there")


@pytest.fixture
def make_tenant(db):
    from borough.tenancy.services import tenant_create

    def make(slug: str, kind: str = "council", **kwargs):
        with acting_as(Actor.system("test")):
            tenant, _admin, _password = tenant_create(
                slug=slug,
                name=kwargs.pop("name", slug.title() + " Council"),
                kind=kind,
                admin_password="correct-horse-battery-staple",
                **kwargs,
            )
        return tenant

    return make


@pytest.fixture
def tenant_a(make_tenant):
    return make_tenant("northfield", name="Northfield District Council", brand_colour="#00703c")


@pytest.fixture
def tenant_b(make_tenant):
    return make_tenant("southvale", name="Southvale Borough Council", brand_colour="#4c2c92")


@pytest.fixture
def make_staff(db):
    """A user who is a member of `tenant` with `roles`."""
    from django.contrib.auth import get_user_model

    from borough.identity.services import membership_grant

    def make(tenant, roles=("tenant.admin",), username: str | None = None, **extra):
        user = get_user_model().objects.create_user(
            username=username or f"{tenant.slug}-{'-'.join(r.replace('.', '_') for r in roles) or 'none'}",
            password="correct-horse-battery-staple",
            **extra,
        )
        with tenant_scope(tenant), acting_as(Actor.system("test")):
            membership_grant(tenant=tenant, user=user, roles=list(roles))
        return user

    return make


def host_of(tenant) -> str:
    return f"{tenant.slug}.localhost"


@pytest.fixture
def client_for():
    """A test client on a tenant's host name (or the provider's, for None), optionally signed in as `user`."""

    def make(tenant=None, user=None) -> Client:
        client = Client(HTTP_HOST=host_of(tenant) if tenant else "localhost")
        if user is not None:
            client.force_login(user)
        return client

    return make
