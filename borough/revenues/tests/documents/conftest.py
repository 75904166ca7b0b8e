import pytest

from borough.revenues.models import RevenuesSettings
from borough.revenues.tests.documents.bills import set_precepts


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def billing_council(council, media):
    """The English council of the revenues tests, with what its bills print about it and two years' precepts."""
    RevenuesSettings.objects.create(
        tenant=council,
        billing_authority_name="Northfield District Council",
        billing_address="Town Hall\nMarket Square\nNorthfield NF1 1AA",
        enquiries_phone="01234 567890",
    )
    set_precepts(council)
    return council
