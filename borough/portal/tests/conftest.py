"""Fixtures of the portal tests: a catalogue in tenant A, a resident's browser on A's portal, uploads of their own."""

import pytest

from borough.portal.tests.helpers import add_catalogue


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and attachments of each test in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def catalogue(tenant_a):
    return add_catalogue(tenant_a)


@pytest.fixture
def resident(client_for, tenant_a):
    return client_for(tenant_a)
