from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.core.calc.money import RoundingRule, format_gbp, round_money, split_into_instalments, to_money

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1234.5"), D("1234.50")),
        (D("1.230"), D("1.23")),
        (12, D("12.00")),
        ("1234.50", D("1234.50")),
        (" -3 ", D("-3.00")),
        ("0.5", D("0.50")),
    ],
)
def test_to_money_gives_two_decimal_places(value, expected):
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [1.5, 0.1, True, None, [1]])
def test_to_money_refuses_floats_and_non_numbers(value):
    with pytest.raises(TypeError, match="must be a Decimal or an int"):
        to_money(value)


@pytest.mark.parametrize("value", ["", "abc", "1,234.50", "£3", "1.234", "1e3", ".5", "1.", "NaN", "--1"])
def test_to_money_refuses_bad_strings_clearly(value):
    with pytest.raises(ValueError, match="is not an amount of money"):
        to_money(value)


def test_to_money_refuses_a_fraction_of_a_penny():
    with pytest.raises(ValueError, match="fraction of a penny: round it with round_money"):
        to_money(D("10.005"))


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_to_money_refuses_non_finite_decimals(value):
    with pytest.raises(ValueError, match="finite"):
        to_money(value)


@pytest.mark.parametrize(
    ("amount", "rule", "expected"),
    [
        (D("1.005"), RoundingRule.NEAREST_PENNY, D("1.01")),
        (D("1.0049"), RoundingRule.NEAREST_PENNY, D("1.00")),
        (D("-1.005"), RoundingRule.NEAREST_PENNY, D("-1.01")),
        (D("10.999"), RoundingRule.TAX_PENCE_DOWN, D("10.99")),
        (D("-10.999"), RoundingRule.TAX_PENCE_DOWN, D("-10.99")),
        (D("12570.99"), RoundingRule.TAX_POUNDS_DOWN, D("12570.00")),
        (D("123.50"), RoundingRule.COUNCIL_TAX_INSTALMENT, D("124.00")),
        (D("123.49"), RoundingRule.COUNCIL_TAX_INSTALMENT, D("123.00")),
        (D("0.125"), RoundingRule.BANKERS, D("0.12")),
        (D("0.135"), RoundingRule.BANKERS, D("0.14")),
        (7, RoundingRule.NEAREST_PENNY, D("7.00")),
    ],
)
def test_round_money_follows_each_rule(amount, rule, expected):
    result = round_money(amount, rule)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_round_money_refuses_floats_and_unknown_rules():
    with pytest.raises(TypeError):
        round_money(1.005, RoundingRule.NEAREST_PENNY)
    with pytest.raises(TypeError, match="RoundingRule"):
        round_money(D("1.005"), "half-up")


def test_every_rule_is_documented():
    for rule in RoundingRule:
        assert f"{rule.name}:" in RoundingRule.__doc__


def test_council_tax_instalments_follow_the_regulations():
    # SI 1992/613 Sch 1 para 2(6): all but the first are C/D to the nearest pound; the first takes the rest.
    assert (
        split_into_instalments(D("1234.56"), 10, RoundingRule.COUNCIL_TAX_INSTALMENT)
        == [D("127.56")] + [D("123.00")] * 9
    )
    assert (
        split_into_instalments(D("1237.56"), 10, RoundingRule.COUNCIL_TAX_INSTALMENT)
        == [D("121.56")] + [D("124.00")] * 9
    )
    # Para 2(5): a total that divides into whole pounds gives equal instalments.
    assert split_into_instalments("1000", 10, RoundingRule.COUNCIL_TAX_INSTALMENT) == [D("100.00")] * 10


def test_pennies_left_over_go_in_the_first_instalment():
    assert split_into_instalments(D("100"), 3, RoundingRule.TAX_PENCE_DOWN) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    assert split_into_instalments(D("-100"), 3, RoundingRule.TAX_PENCE_DOWN) == [
        D("-33.34"),
        D("-33.33"),
        D("-33.33"),
    ]
    assert split_into_instalments(D("99.99"), 1, RoundingRule.NEAREST_PENNY) == [D("99.99")]


@pytest.mark.parametrize("count", [0, -1, 1.5, True, "3"])
def test_split_refuses_a_bad_count(count):
    with pytest.raises(ValueError, match="count must be a whole number of instalments"):
        split_into_instalments(D("100"), count, RoundingRule.NEAREST_PENNY)


def test_split_refuses_a_total_too_small_for_the_instalments():
    # £5 over 10: each rounds to £1 and the first would be -£4.
    with pytest.raises(ValueError, match="£5.00 is too small to split into 10 instalments"):
        split_into_instalments(D("5"), 10, RoundingRule.COUNCIL_TAX_INSTALMENT)


def test_split_refuses_a_total_with_a_fraction_of_a_penny():
    with pytest.raises(ValueError, match="fraction of a penny"):
        split_into_instalments(D("100.001"), 2, RoundingRule.NEAREST_PENNY)


totals = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2)


@given(total=totals, count=st.integers(min_value=1, max_value=12), rule=st.sampled_from(RoundingRule))
def test_instalments_add_up_to_the_total(total, count, rule):
    try:
        instalments = split_into_instalments(total, count, rule)
    except ValueError:
        # Only a rule that rounds up can overshoot, by under half a unit per instalment: so only a total
        # under count * (count - 1) / 2 units is ever refused.
        assert rule.rounding != "ROUND_DOWN"
        assert abs(total) < count * (count - 1) * rule.unit / 2
        return
    assert sum(instalments) == total
    assert len(instalments) == count
    assert len(set(instalments[1:])) <= 1
    assert all(amount == round_money(amount, rule) for amount in instalments[1:])
    assert all(amount * total >= 0 for amount in instalments)


@given(amount=st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=6), rule=st.sampled_from(RoundingRule))
def test_rounding_moves_an_amount_by_less_than_its_unit(amount, rule):
    rounded = round_money(amount, rule)
    assert abs(rounded - amount) < rule.unit
    assert round_money(rounded, rule) == rounded


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("1234.5"), "£1,234.50"),
        (D("-3"), "-£3.00"),
        (D("0"), "£0.00"),
        (D("-0.00"), "£0.00"),
        ("1234567.89", "£1,234,567.89"),
        (D("-0.05"), "-£0.05"),
    ],
)
def test_format_gbp(amount, expected):
    assert format_gbp(amount) == expected


def test_format_gbp_refuses_floats_and_fractions_of_a_penny():
    with pytest.raises(TypeError):
        format_gbp(3.0)
    with pytest.raises(ValueError, match="fraction of a penny"):
        format_gbp(D("3.001"))
