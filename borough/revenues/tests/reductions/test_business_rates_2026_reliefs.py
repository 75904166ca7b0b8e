"""Rural rate relief and supporting small business relief recorded on a business rates account: the use and the
base liability checked with a message naming the field, and the relief reaching the account's charge."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.revenues.calc.year_charge import year_charge
from borough.revenues.selectors import charge_pieces
from borough.revenues.services import reduction_add
from borough.revenues.tests.reductions.helpers import make_business_account

D = Decimal


def errors_of(**values):
    with pytest.raises(ValidationError) as caught:
        reduction_add(**values)
    return caught.value.message_dict


def test_rural_relief_takes_a_known_use_and_no_amount(council):
    shop = make_business_account(council, rateable_value=8000)
    assert "general_store" in errors_of(account=shop, kind="rural", code="castle", start=date(2026, 4, 1))["code"][0]
    assert "code" in errors_of(account=shop, kind="rural", start=date(2026, 4, 1))
    assert "amount" in errors_of(account=shop, kind="rural", code="post_office", amount="5", start=date(2026, 4, 1))
    reduction_add(account=shop, kind="rural", code="post_office", start=date(2026, 4, 1))
    # 8,000 × 43.2p = 3,456.00, all of it relieved (GOV.UK: up to £8,500 for a post office).
    assert year_charge("2026-27", charge_pieces(account=shop, financial_year="2026-27")).charge == D("0.00")


def test_supporting_small_business_relief_takes_the_base_liability(council):
    shop = make_business_account(council, rateable_value=30000)
    messages = errors_of(account=shop, kind="supporting_small_business", start=date(2026, 4, 1))
    assert "base liability" in messages["amount"][0]
    reduction_add(account=shop, kind="transitional", amount="12000.00", start=date(2026, 4, 1))
    reduction_add(account=shop, kind="supporting_small_business", amount="10000.00", start=date(2026, 4, 1))
    # 30,000 × 43.2p + 1p supplement = 13,260.00; at most 10,000 + the greater of £800 and 15% = 11,500.00.
    assert year_charge("2026-27", charge_pieces(account=shop, financial_year="2026-27")).charge == D("11500.00")
