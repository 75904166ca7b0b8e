import pytest

from borough.revenues.services import precept_set

YEAR = "2026-27"


@pytest.fixture
def band_d(council):
    """£1,825.00 at band D: £5 a day in a 365-day year, easy to check by hand."""
    precept_set(tenant=council, financial_year=YEAR, kind="billing", authority="Northfield DC", band_d="365.00")
    precept_set(tenant=council, financial_year=YEAR, kind="county", authority="Midshire CC", band_d="1460.00")
