"""Money as `Decimal` pounds with two places, and the named rounding rules that UK public finance uses.

Rounding is never implicit (DESIGN.md rule 2): a calculation keeps full precision and rounds once, with the
rule that governs that amount, named here so a reader can find what law or guidance it follows.
"""

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import Enum

PENNY = Decimal("0.01")
POUND = Decimal("1")

_MONEY_TEXT = re.compile(r"-?\d+(\.\d{1,2})?")


class RoundingRule(Enum):
    """How an amount is rounded, and to what unit. Each rule says what governs it.

    NEAREST_PENNY: to the nearest penny, half a penny up. Ordinary commercial rounding for fees, charges,
        invoices and anything with no rule of its own; what a citizen expects when checking a bill.
    TAX_PENCE_DOWN: cut down to whole pence. Income tax computed by HMRC's rules: fractions of a penny of
        tax are dropped, in the taxpayer's favour.
    TAX_POUNDS_DOWN: cut down to whole pounds. Income, pay and gains that HMRC taxes in whole pounds
        (taxable pay in the PAYE tables, income and gains in Self Assessment), in the taxpayer's favour.
    COUNCIL_TAX_INSTALMENT: to the nearest whole pound, the difference carried by the first instalment.
        Council tax instalments in England and Wales: Council Tax (Administration and Enforcement)
        Regulations 1992 (SI 1992/613) Schedule 1 para 2(5)-(6): every instalment but the first is C/D
        "rounded up or down (as the case may be) to the nearest pound", the first is C - (D - 1) x that.
    BANKERS: to the nearest penny, half a penny to the even penny. No UK rule requires it; use it only where
        many rounded amounts are summed and half-up would bias the total, or to agree with a system using it.
    "Down" means towards zero: a negative amount (a refund, a credit) is cut like its positive.
    """

    NEAREST_PENNY = "nearest-penny"
    TAX_PENCE_DOWN = "tax-pence-down"
    TAX_POUNDS_DOWN = "tax-pounds-down"
    COUNCIL_TAX_INSTALMENT = "council-tax-instalment"
    BANKERS = "bankers"

    @property
    def unit(self) -> Decimal:
        return _RULES[self][0]

    @property
    def rounding(self) -> str:
        """The `decimal` rounding mode of the rule."""
        return _RULES[self][1]


_RULES: dict[RoundingRule, tuple[Decimal, str]] = {
    RoundingRule.NEAREST_PENNY: (PENNY, ROUND_HALF_UP),
    RoundingRule.TAX_PENCE_DOWN: (PENNY, ROUND_DOWN),
    RoundingRule.TAX_POUNDS_DOWN: (POUND, ROUND_DOWN),
    RoundingRule.COUNCIL_TAX_INSTALMENT: (POUND, ROUND_HALF_UP),
    RoundingRule.BANKERS: (PENNY, ROUND_HALF_EVEN),
}


def _decimal(value: Decimal | int, what: str) -> Decimal:
    # bool is an int, and a float is binary: neither is an amount of money.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}: pass Decimal('…') or a str")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{what} must be a finite amount, not {amount}")
    return amount


def to_money(value: Decimal | int | str) -> Decimal:
    """An amount of money in pounds with exactly two decimal places.

    Accepts a Decimal, an int or a string like "1234.50" or "-3"; refuses floats (TypeError) and anything
    with a fraction of a penny (ValueError): round it first with `round_money` and the rule that governs it.
    """
    if isinstance(value, str):
        text = value.strip()
        if not _MONEY_TEXT.fullmatch(text):
            raise ValueError(
                f"{value!r} is not an amount of money: use digits with an optional minus sign and up to two "
                "decimal places, like '1234.50'"
            )
        return Decimal(text).quantize(PENNY)
    amount = _decimal(value, "An amount of money")
    pennies = amount.quantize(PENNY, rounding=ROUND_DOWN)
    if pennies != amount:
        raise ValueError(f"{amount} has a fraction of a penny: round it with round_money and a RoundingRule first")
    return pennies


def round_money(amount: Decimal | int, rule: RoundingRule) -> Decimal:
    """`amount` rounded by `rule` to its unit (a penny or a pound), returned with two decimal places."""
    if not isinstance(rule, RoundingRule):
        raise TypeError(f"rule must be a RoundingRule, not {type(rule).__name__}")
    return _decimal(amount, "amount").quantize(rule.unit, rounding=rule.rounding).quantize(PENNY)


def split_into_instalments(total: Decimal | int | str, count: int, rule: RoundingRule) -> list[Decimal]:
    """`total` split into `count` instalments that add up to exactly `total`.

    Every instalment but the first is total / count rounded by `rule`; the first carries the difference, as
    the council tax regulations require (so under a "down" rule the first is the largest). A split whose
    first instalment would have the wrong sign (a tiny total over many instalments) is refused: use fewer
    instalments.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a whole number of instalments, at least 1, not {count!r}")
    amount = to_money(total)
    rest = round_money(amount / count, rule)
    first = amount - rest * (count - 1)
    if (first < 0 < amount) or (first > 0 > amount):
        raise ValueError(f"{format_gbp(amount)} is too small to split into {count} instalments by rule {rule.name}")
    return [first] + [rest] * (count - 1)


def format_gbp(amount: Decimal | int | str) -> str:
    """An amount as people read it: "£1,234.50", "-£3.00"."""
    pennies = to_money(amount)
    sign = "-" if pennies < 0 else ""
    return f"{sign}£{abs(pennies):,.2f}"
