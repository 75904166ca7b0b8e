"""The annual run's totals, and their reconciliation with the tax base.

Council tax: each piece of each account adds its band D equivalents, ratio × days/days in the year × what the
discount leaves (or the premium adds; nothing when exempt), to each authority it pays. Equivalents × that
authority's band D is the yield expected before council tax reduction. The charges billed differ from it by the
council tax reduction awarded and by rounding: each authority's band amount, each discount and premium and each
part-year charge are rounded to the penny (LGFA 1992 s.5, s.10, s.11), so the difference is a few pence per
account at most, and it is shown.

Business rates: rateable value × the multiplier × days/days in the year is the gross expected; less reliefs (and
empty property relief) it is the net charged, again up to the pennies of rounding.

Totals are plain JSON (amounts as decimal strings) so each chunk can add its part to the run's result and a
resumed run carries on from what its done chunks added.
"""

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from borough.core.calc.money import RoundingRule, round_money
from borough.revenues.calc.council_tax import CouncilTaxInput
from borough.revenues.calc.params import FinancialYear, council_tax_rules, year_parameters

ZERO = Decimal("0.00")


def empty_totals() -> dict[str, Any]:
    return {
        "accounts": 0,
        "charge": "0.00",
        "not_liable": 0,
        "part_year": 0,
        "bands": {},
        "discounts": 0,
        "exemptions": 0,
        "premiums": 0,
        "disabled_band": 0,
        "council_tax_reduction": {"accounts": 0, "amount": "0.00"},
        "equivalents": {},
        "rates": {"accounts": 0, "charge": "0.00", "rateable_value": "0", "gross_expected": "0.00", "reliefs": "0.00"},
    }


def _add(a: str, b: Decimal | str) -> str:
    return str(Decimal(a) + Decimal(b))


def merge(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """`part` added into `total` (both as empty_totals makes them); returns `total`."""
    for name in ("accounts", "not_liable", "part_year", "discounts", "exemptions", "premiums", "disabled_band"):
        total[name] += part[name]
    total["charge"] = _add(total["charge"], part["charge"])
    for band, row in part["bands"].items():
        mine = total["bands"].setdefault(band, {"accounts": 0, "charge": "0.00"})
        mine["accounts"] += row["accounts"]
        mine["charge"] = _add(mine["charge"], row["charge"])
    ctr, part_ctr = total["council_tax_reduction"], part["council_tax_reduction"]
    ctr["accounts"] += part_ctr["accounts"]
    ctr["amount"] = _add(ctr["amount"], part_ctr["amount"])
    for authority, equivalents in part["equivalents"].items():
        total["equivalents"][authority] = _add(total["equivalents"].get(authority, "0"), equivalents)
    rates, part_rates = total["rates"], part["rates"]
    rates["accounts"] += part_rates["accounts"]
    for name in ("charge", "rateable_value", "gross_expected", "reliefs"):
        rates[name] = _add(rates[name], part_rates[name])
    return total


@lru_cache(maxsize=4096)
def _equivalents(given_key: tuple, days: int, financial_year: str) -> Decimal:
    country, band, disabled, discounts, premium, exempt = given_key
    if exempt:
        return Decimal(0)
    rules = council_tax_rules()
    ratios = rules.band_ratios[country]
    ratio: Fraction = ratios[band]
    if disabled:
        bands = list(ratios)
        ratio = rules.disabled_band_a_ratio if band == bands[0] else ratios[bands[bands.index(band) - 1]]
    factor = Decimal(1)
    if discounts:
        factor -= max(rules.discounts[name].percent for name in discounts) / 100
    if premium:
        factor += premium / 100
    year_days = FinancialYear.parse(financial_year).days
    value = Decimal(ratio.numerator) * days * factor / (ratio.denominator * year_days)
    return value


@lru_cache(maxsize=4096)
def _gross_expected(rateable_value: Decimal, rhl: bool, days: int, financial_year: str) -> Decimal:
    params = year_parameters(financial_year)
    multiplier = next(m for m in params.business_rates.multipliers if m.applies(rateable_value, rhl))
    return rateable_value * multiplier.pence / 100 * days / params.year.days


class Tally:
    """One chunk's totals, added account by account."""

    def __init__(self, financial_year: str):
        self.financial_year = financial_year
        self.totals = empty_totals()
        self.charge = ZERO
        self.bands: dict[str, list] = {}
        self.equivalents: dict[str, Decimal] = {}
        self.ctr = ZERO
        self.rates = {"charge": ZERO, "rateable_value": Decimal(0), "gross_expected": Decimal(0), "reliefs": ZERO}
        self.year_days = FinancialYear.parse(financial_year).days

    def not_liable(self) -> None:
        self.totals["not_liable"] += 1

    def add(self, year_charge) -> None:
        totals = self.totals
        totals["accounts"] += 1
        self.charge += year_charge.charge
        pieces = year_charge.pieces
        if sum(p.piece.days for p in pieces) < self.year_days:
            totals["part_year"] += 1
        last = pieces[-1].piece.given
        if isinstance(last, CouncilTaxInput):
            self._council_tax(year_charge, last.band)
        else:
            self._rates(year_charge)

    def _council_tax(self, year_charge, band: str) -> None:
        totals = self.totals
        row = self.bands.setdefault(band, [0, ZERO])
        row[0] += 1
        row[1] += year_charge.charge
        seen: set[str] = set()
        ctr = ZERO
        for piece_charge in year_charge.pieces:
            given = piece_charge.piece.given
            key = (
                given.country,
                given.band,
                given.disabled_band_reduction,
                tuple(sorted(given.discounts)),
                given.premium_percent,
                given.exemption_class is not None,
            )
            equivalents = _equivalents(key, piece_charge.piece.days, self.financial_year)
            for precept in given.band_d:
                self.equivalents[precept.authority] = self.equivalents.get(precept.authority, ZERO) + equivalents
            for flag, present in (
                ("discounts", given.discounts),
                ("exemptions", given.exemption_class),
                ("premiums", given.premium_percent),
                ("disabled_band", given.disabled_band_reduction),
            ):
                if present and flag not in seen:
                    seen.add(flag)
                    totals[flag] += 1
            if given.council_tax_reduction:
                ctr += self._before_reduction(piece_charge) - piece_charge.result.charge
        if ctr:
            totals["council_tax_reduction"]["accounts"] += 1
            self.ctr += ctr

    def _before_reduction(self, piece_charge) -> Decimal:
        """A piece's charge before council tax reduction: the annual charge by the day (as the engine does)."""
        annual, days = piece_charge.result.annual_charge, piece_charge.piece.days
        if days == self.year_days:
            return annual
        return round_money(annual * days / self.year_days, RoundingRule.NEAREST_PENNY)

    def _rates(self, year_charge) -> None:
        self.totals["rates"]["accounts"] += 1
        rates = self.rates
        rates["charge"] += year_charge.charge
        for piece_charge in year_charge.pieces:
            given, result = piece_charge.piece.given, piece_charge.result
            rates["gross_expected"] += _gross_expected(
                given.rateable_value, given.retail_hospitality_leisure, piece_charge.piece.days, self.financial_year
            )
            rates["reliefs"] += sum((relief.amount for relief in result.reliefs), ZERO)
        rates["rateable_value"] += year_charge.pieces[-1].piece.given.rateable_value

    def result(self) -> dict[str, Any]:
        totals = self.totals
        totals["charge"] = str(self.charge)
        totals["bands"] = {band: {"accounts": n, "charge": str(c)} for band, (n, c) in self.bands.items()}
        totals["equivalents"] = {authority: str(value) for authority, value in self.equivalents.items()}
        totals["council_tax_reduction"]["amount"] = str(self.ctr)
        totals["rates"].update({name: str(value) for name, value in self.rates.items()})
        return totals


def _penny(amount: Decimal) -> Decimal:
    return round_money(amount, RoundingRule.NEAREST_PENNY)


def reconciliation(totals: dict[str, Any], band_d: dict[str, Decimal]) -> dict[str, Any]:
    """The tax base and the expected yield beside what was charged, and the difference explained."""
    authorities = []
    expected = Decimal(0)
    for authority, equivalents in sorted(totals["equivalents"].items()):
        amount = band_d.get(authority, ZERO)
        yield_ = Decimal(equivalents) * amount
        expected += yield_
        authorities.append(
            {
                "authority": authority,
                "band_d_equivalents": str(Decimal(equivalents).quantize(Decimal("0.01"))),
                "band_d": str(amount),
                "expected_yield": str(_penny(yield_)),
            }
        )
    rates = totals["rates"]
    council_tax_charged = Decimal(totals["charge"]) - Decimal(rates["charge"])
    ctr = Decimal(totals["council_tax_reduction"]["amount"])
    rounding = council_tax_charged - (_penny(expected) - ctr)
    gross = _penny(Decimal(rates["gross_expected"]))
    rates_rounding = Decimal(rates["charge"]) - (gross - Decimal(rates["reliefs"]))
    return {
        "council_tax": {
            # The tax base: the equivalents of the authorities every dwelling pays (parishes cover part).
            "band_d_equivalents": max((a["band_d_equivalents"] for a in authorities), key=Decimal, default="0"),
            "authorities": authorities,
            "expected_yield": str(_penny(expected)),
            "council_tax_reduction": str(ctr),
            "charged": str(council_tax_charged),
            "rounding": str(rounding),
            "explained": (
                "Charged = expected yield − council tax reduction + rounding. Rounding is the pennies of each "
                "authority's band amount, each discount or premium and each part-year charge."
            ),
        },
        "business_rates": {
            "gross_expected": str(gross),
            "reliefs": rates["reliefs"],
            "charged": rates["charge"],
            "rounding": str(rates_rounding),
        },
    }
