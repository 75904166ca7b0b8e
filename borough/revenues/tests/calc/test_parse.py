"""JSON objects into engine inputs: good ones parse, bad ones name their field, nothing else escapes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borough.revenues.calc.business_rates import business_rates_calculate
from borough.revenues.calc.council_tax import council_tax_calculate
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.parse import (
    BUSINESS_RATES_FIELDS,
    COUNCIL_TAX_FIELDS,
    business_rates_input,
    council_tax_input,
)

ZERO = Decimal("0.00")
GOOD = {"financial_year": "2026-27", "country": "england", "band": "d", "band_d": "2000.00"}


def test_a_good_object_parses():
    given_input = council_tax_input(
        GOOD
        | {
            "band_d": [{"authority": "District", "amount": "300.10"}, {"authority": "County", "amount": 1700}],
            "discounts": ["single_person"],
            "liability_start": "2026-06-01",
            "instalments": 12,
            "premium_percent": "0",
        }
    )
    assert given_input.band == "D"
    assert [p.band_d for p in given_input.band_d] == [Decimal("300.10"), Decimal("1700.00")]
    assert given_input.instalments == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"financial_year": None}, "financial_year"),
        ({"band": 4}, "band"),
        ({"band_d": "12.345"}, "band_d"),
        ({"band_d": "lots"}, "band_d"),
        ({"band_d": 1.5}, "band_d"),  # a float: the command reads numbers as Decimal, so this never arrives
        ({"band_d": []}, "band_d"),
        ({"band_d": [{"authority": "County"}]}, "band_d[0].amount"),
        ({"band_d": [{"amount": "1"}]}, "band_d[0].authority"),
        ({"band_d": ["1"]}, "band_d[0]"),
        ({"band_d": "1e15"}, "band_d"),
        ({"liability_start": "1 April"}, "liability_start"),
        ({"discounts": "single_person"}, "discounts"),
        ({"discounts": ""}, "discounts"),
        ({"disabled_band_reduction": "yes"}, "disabled_band_reduction"),
        ({"instalments": "ten"}, "instalments"),
        ({"instalments": 10.5}, "instalments"),
        ({"premium_percent": "NaN"}, "premium_percent"),
        ({"council_tax_reduction": True}, "council_tax_reduction"),
        ({"bnad": "D"}, "bnad"),
    ],
)
def test_bad_council_tax_fields_are_named(change, field):
    with pytest.raises(InputError) as error:
        council_tax_input(GOOD | change)
    assert error.value.field == field


def test_not_an_object():
    with pytest.raises(InputError) as error:
        council_tax_input(["2026-27"])
    assert error.value.field == "(line)"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"financial_year": "2026-27"}, "rateable_value"),
        ({"financial_year": "2026-27", "rateable_value": "12k"}, "rateable_value"),
        ({"financial_year": "2026-27", "rateable_value": 1000, "charity": 1}, "charity"),
    ],
)
def test_bad_business_rates_fields_are_named(raw, field):
    with pytest.raises(InputError) as error:
        business_rates_input(raw)
    assert error.value.field == field


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.decimals(allow_nan=True, places=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def mostly(*good, bad=json_values):
    """Good values most of the time, anything JSON now and then."""
    return st.one_of(st.sampled_from(good), bad)


required = {
    "financial_year": mostly("2026-27", bad=st.sampled_from(["2025-26", "2026-28", "x", "2030-31"])),
    "country": mostly("england", "wales", bad=st.sampled_from(["mars", ""])),
    "band": mostly(*"ABCDEFGHI", "d", bad=st.sampled_from(["Z", ""])),
    "band_d": mostly("1000.00", "2395.86", [{"authority": "A", "amount": "10"}], bad=json_values),
}
optional = {
    "liability_start": mostly("2026-05-01", "2026-12-31", bad=st.sampled_from(["2025-05-01", "May"])),
    "liability_end": mostly("2027-01-31", "2027-03-31", bad=st.sampled_from(["2026-03-31", "2026-04-30"])),
    "first_instalment_date": mostly("2026-04-01", "2026-11-15", "2027-02-28", bad=st.just("2027-04-01")),
    "instalments": mostly(10, 12, bad=st.sampled_from([0, 11, "ten"])),
    "discounts": mostly([], ["single_person"], ["all_disregarded", "single_person"], bad=st.just(["x"])),
    "premium_percent": mostly("0", "100", "300", bad=st.sampled_from(["301", "-1"])),
    "disabled_band_reduction": mostly(True, False),
    "exemption_class": mostly("N", bad=st.sampled_from(["X", "A", "?"])),
    "council_tax_reduction": mostly("50.00", "99999.99", "0.01"),
}
assert set(required) | set(optional) == COUNCIL_TAX_FIELDS


@settings(max_examples=100)
@given(st.fixed_dictionaries(required, optional=optional))
def test_any_council_tax_object_gives_a_result_or_a_named_error(raw):
    try:
        result = council_tax_calculate(council_tax_input(raw))
    except InputError as error:
        assert error.field and error.message
    else:
        assert sum(i.amount for i in result.instalments) == result.charge


@st.composite
def good_council_tax(draw):
    """Valid objects only: every one must give a result."""
    country = draw(st.sampled_from(["england", "wales"]))
    start = date(2026, 4, 1) + timedelta(days=draw(st.integers(0, 364)))
    end = start + timedelta(days=draw(st.integers(0, (date(2027, 3, 31) - start).days)))
    premium = draw(st.sampled_from(["0", "50", "100", "300" if country == "wales" else "100"]))
    raw = {
        "financial_year": "2026-27",
        "country": country,
        "band": draw(st.sampled_from("ABCDEFGHI" if country == "wales" else "ABCDEFGH")),
        "band_d": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "authority": st.sampled_from(["County", "District", "Police", "Parish"]),
                        "amount": st.integers(0, 300_000).map(lambda p: f"{p / 100:.2f}"),
                    }
                ),
                min_size=1,
                max_size=4,
            )
        ),
        "liability_start": start.isoformat(),
        "liability_end": end.isoformat(),
        "first_instalment_date": (start + timedelta(days=draw(st.integers(0, 40)))).isoformat(),
        "instalments": draw(st.sampled_from([10, 12])),
        "discounts": [] if premium != "0" else draw(st.lists(st.sampled_from(["single_person", "all_disregarded"]))),
        "premium_percent": premium,
        "disabled_band_reduction": draw(st.booleans()),
        "council_tax_reduction": draw(st.integers(0, 400_000).map(lambda p: f"{p / 100:.2f}")),
    }
    if raw["first_instalment_date"] > "2027-03-31":
        raw["first_instalment_date"] = "2027-03-31"
    return raw


@settings(max_examples=100)
@given(good_council_tax())
def test_every_valid_council_tax_object_gives_a_plan_that_pays_the_charge(raw):
    result = council_tax_calculate(council_tax_input(raw))
    assert ZERO <= result.charge <= result.annual_charge
    assert sum(i.amount for i in result.instalments) == result.charge
    assert all(i.amount == i.amount.to_integral_value() for i in result.instalments[1:])
    assert len(result.instalments) <= raw["instalments"]


@settings(max_examples=100)
@given(
    st.fixed_dictionaries(
        {
            "financial_year": mostly("2025-26", "2026-27"),
            "rateable_value": st.one_of(
                st.integers(min_value=-10, max_value=10**13), st.integers(0, 2_000_000).map(str), json_values
            ),
        },
        optional=dict.fromkeys(BUSINESS_RATES_FIELDS - {"financial_year", "rateable_value"}, mostly(True, False)),
    )
)
def test_any_business_rates_object_gives_a_result_or_a_named_error(raw):
    try:
        result = business_rates_calculate(business_rates_input(raw))
    except InputError as error:
        assert error.field and error.message
    else:
        assert result.net_charge == result.gross_charge - sum(r.amount for r in result.reliefs)
        assert result.net_charge >= 0
