import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def provider_user(db):
    return get_user_model().objects.create_user(
        username="ops",
        password="correct-horse-battery-staple",
        is_provider_staff=True,
        email="ops@provider.test",
    )


@pytest.fixture
def console(client_for, provider_user):
    """A test client on the provider's host, signed in as provider staff."""
    return client_for(None, provider_user)
