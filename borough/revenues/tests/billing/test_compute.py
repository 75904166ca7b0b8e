"""compute: the bill's JSON text (the bulk writer's) is the same as its fields; plans add up to the balance."""

import json
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from borough.revenues.billing.compute import DetailBuilder, bill_draft, plan_for
from borough.revenues.billing.selectors import account_facts, authority_kinds
from borough.revenues.calc.year_charge import year_charge
from borough.revenues.selectors import charge_pieces
from borough.revenues.tests.billing.conftest import YEAR


def test_the_json_text_is_the_same_bill_as_the_fields(tiny_council):
    builder = DetailBuilder(authority_kinds(financial_year=YEAR))
    for account in tiny_council.values():
        charge = year_charge(YEAR, charge_pieces(account=account, financial_year=YEAR))
        facts = account_facts(account_ids=[account.pk])[account.pk]
        values = bill_draft(facts=facts, year_charge=charge, issued_on=date(2026, 3, 2), builder=builder)
        text = bill_draft(facts=facts, year_charge=charge, issued_on=date(2026, 3, 2), builder=builder, as_json=True)
        assert json.loads(text.detail) == values.detail
        assert json.loads(text.steps) == values.steps
        assert json.loads(text.instalments) == values.instalments
    assert values.detail["pieces"][0]["days"] == 182  # the last account: band B from 1 October


def test_a_piece_shares_its_charge_among_the_authorities_to_the_penny(tiny_council):
    charge = year_charge(YEAR, charge_pieces(account=tiny_council["A"], financial_year=YEAR))
    piece = DetailBuilder().piece(charge.pieces[0])
    amounts = [Decimal(row["amount"]) for row in piece["authorities"]]
    assert sum(amounts) == Decimal(piece["charge"]) == Decimal("1020.00")
    assert [row["authority"] for row in piece["authorities"]][-1] == "Upton Parish"
    assert piece["notes"] == ["Band A", "Single person discount (one adult resident) (25%)"]


@given(
    balance=st.decimals(min_value=Decimal("-500"), max_value=Decimal("20000"), places=2),
    scheme=st.sampled_from([10, 12]),
    first=st.dates(min_value=date(2026, 4, 1), max_value=date(2027, 4, 30)),
)
def test_a_plan_always_adds_up_to_the_balance(balance, scheme, first):
    plan, steps = plan_for(balance, scheme, first, YEAR)
    assert sum((Decimal(amount) for _due, amount in plan), Decimal(0)) == max(balance, Decimal(0))
    assert steps
