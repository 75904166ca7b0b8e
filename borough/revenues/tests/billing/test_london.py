"""Greater London in business rates billing: the council's `greater_london` setting reaches the engine, so the
same hereditament is billed under the London transitional relief bands in a London council and not elsewhere."""

from datetime import date
from decimal import Decimal

import pytest

from borough.revenues.billing.services import bill_issue
from borough.revenues.models import Reduction, RevenuesSettings
from borough.revenues.selectors import charge_pieces, tenant_greater_london
from borough.revenues.tests.billing.conftest import YEAR, reduce
from borough.revenues.tests.reductions.helpers import make_business_account
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db
D = Decimal


def _billed(tenant, *, london: bool):
    """RV £25,000 (between the £20,000 and the London £28,000 top of the 5% band), base liability £10,000."""
    with tenant_scope(tenant):
        RevenuesSettings.objects.create(tenant=tenant, greater_london=london)
        account = make_business_account(tenant, rateable_value=25000)
        reduce(account, Reduction.Kind.TRANSITIONAL, date(2026, 4, 1), amount=D("10000.00"))
        bill = bill_issue(account=account, financial_year=YEAR, issued_on=date(2026, 3, 10))
        return bill, charge_pieces(account=account, financial_year=YEAR)


def test_a_london_and_a_non_london_council_bill_the_same_hereditament_differently(council, tenant_b):
    outer, outer_pieces = _billed(council, london=False)
    london, london_pieces = _billed(tenant_b, london=True)
    assert [p.given.london for p in outer_pieces] == [False] and [p.given.london for p in london_pieces] == [True]
    # 25,000 × (43.2p small business multiplier + 1p supplement) = £11,050.00 before the cap.
    # Outside London £25,000 is in the 15% band: cap £10,000 × 115% = £11,500, the charge is within it.
    outer_steps = " ".join(outer.steps)
    assert "capped at 15% for a rateable value up to £100,000" in outer_steps
    assert "No transitional relief" in outer_steps and "Greater London" not in outer_steps
    # In Greater London the 5% band runs to £28,000: cap £10,000 × 105% = £10,500, so £550.00 is relieved.
    london_steps = " ".join(london.steps)
    assert "capped at 5% for a rateable value up to £28,000 in Greater London" in london_steps
    assert "£11,050.00 − £10,500.00 = £550.00 off" in london_steps
    assert outer.charge == D("11050.00") and london.charge == D("10500.00")
    assert outer.charge - london.charge == D("550.00")


def test_the_setting_is_off_unless_set(council, tenant_b):
    assert tenant_greater_london(council) is False
    RevenuesSettings.objects.create(tenant=council)
    assert tenant_greater_london(council) is False
    RevenuesSettings.objects.filter(tenant=council).update(greater_london=True)
    assert tenant_greater_london(council) is True
    with tenant_scope(tenant_b):
        assert tenant_greater_london(tenant_b) is False  # one council's setting is not another's
