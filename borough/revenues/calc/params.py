"""Loads the statutory rules and each financial year's parameters from the data files that cite their source.

The files live in `borough/revenues/data/` (read with importlib.resources, so they travel with the package);
tests and "what if" runs may pass another directory. Parsed once per directory and kept.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from borough.revenues.calc.errors import InputError

COUNTRIES = ("england", "wales")
_YEAR = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class FinancialYear:
    """A financial year, 1 April to 31 March, named as "2026-27"."""

    start: date

    @classmethod
    def parse(cls, text: str) -> "FinancialYear":
        match = _YEAR.fullmatch(text.strip()) if isinstance(text, str) else None
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise InputError("financial_year", f"{text!r} is not a financial year: write it like '2026-27'")
        return cls(date(int(match[1]), 4, 1))

    @property
    def end(self) -> date:
        return date(self.start.year + 1, 3, 31)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def name(self) -> str:
        return f"{self.start.year}-{(self.start.year + 1) % 100:02d}"


@dataclass(frozen=True)
class Discount:
    percent: Decimal
    label: str


@dataclass(frozen=True)
class CouncilTaxRules:
    """Statutory council tax rules that do not change by year (data/council-tax.json)."""

    band_ratios: MappingProxyType[str, MappingProxyType[str, Fraction]]
    disabled_band_a_ratio: Fraction
    discounts: MappingProxyType[str, Discount]
    exemption_classes: MappingProxyType[str, MappingProxyType[str, str]]


@dataclass(frozen=True)
class EmptyPropertyRules:
    """Unoccupied property rates (SI 2008/386): free months by code, codes never charged, the low-value line."""

    free_months: MappingProxyType[str, int]
    exempt: MappingProxyType[str, str]
    low_value_below: Decimal


@dataclass(frozen=True)
class RuralReliefRules:
    """Mandatory rural rate relief (LGFA 1988 s.43(6A)-(6B)): the percent, and the highest rateable value by use."""

    percent: Decimal
    rv_limits: MappingProxyType[str, Decimal]
    labels: MappingProxyType[str, str]


@dataclass(frozen=True)
class BusinessRatesRules:
    """Statutory business rates rules that do not change by year (data/business-rates.json)."""

    empty_property: EmptyPropertyRules
    rural: RuralReliefRules | None = None


@dataclass(frozen=True)
class PremiumRule:
    kind: str
    empty_for_years: int
    max_percent: Decimal


@dataclass(frozen=True)
class Multiplier:
    name: str
    label: str
    pence: Decimal
    rhl: bool | None  # None: applies whether or not the hereditament is retail, hospitality or leisure
    rv_from: Decimal
    rv_below: Decimal | None

    def applies(self, rateable_value: Decimal, rhl: bool) -> bool:
        in_range = self.rv_from <= rateable_value and (self.rv_below is None or rateable_value < self.rv_below)
        return in_range and (self.rhl is None or self.rhl == rhl)


@dataclass(frozen=True)
class RhlRelief:
    percent: Decimal
    cash_cap: Decimal


@dataclass(frozen=True)
class TransitionalCap:
    """Bills of hereditaments of rateable value up to `rv_up_to` (None: any) may rise at most `percent` this year."""

    rv_up_to: Decimal | None
    percent: Decimal
    rv_up_to_london: Decimal | None = None  # the band's top in Greater London, where it differs

    def top(self, london: bool) -> Decimal | None:
        return self.rv_up_to_london if london and self.rv_up_to_london is not None else self.rv_up_to


@dataclass(frozen=True)
class TransitionalScheme:
    """Transitional relief caps after a revaluation: the chargeable amount is at most the base liability ×
    (1 + cap) × (1 + inflation) (the year's caps, smallest band first)."""

    caps: tuple[TransitionalCap, ...]
    inflation_percent: Decimal

    def cap_for(self, rateable_value: Decimal, london: bool = False) -> TransitionalCap:
        tops = ((cap, cap.top(london)) for cap in self.caps)
        return next(cap for cap, top in tops if top is None or rateable_value <= top)


@dataclass(frozen=True)
class SupportingSmallBusiness:
    """Supporting small business relief: the bill may rise at most the greater of `cash_increase` and the year's
    transitional cap for the rateable value, over the base liability (the previous bill after the lost reliefs)."""

    cash_increase: Decimal


@dataclass(frozen=True)
class BusinessRatesParameters:
    multipliers: tuple[Multiplier, ...]
    sbrr_full_relief_up_to: Decimal
    sbrr_no_relief_from: Decimal
    charitable_relief_percent: Decimal
    rhl_relief: RhlRelief | None
    source: str
    transitional: TransitionalScheme | None = None
    supplement_pence: Decimal | None = None  # transitional relief supplement, added to the multiplier
    supporting_small_business: SupportingSmallBusiness | None = None


@dataclass(frozen=True)
class YearParameters:
    year: FinancialYear
    premiums: MappingProxyType[str, tuple[PremiumRule, ...]]
    business_rates: BusinessRatesParameters


def data_directory() -> Traversable:
    return files("borough.revenues").joinpath("data")


def _read(directory: Traversable | Path, name: str) -> Any:
    return json.loads(directory.joinpath(name).read_text(encoding="utf-8"))


@cache
def council_tax_rules(directory: Traversable | Path | None = None) -> CouncilTaxRules:
    raw = _read(directory or data_directory(), "council-tax.json")
    return CouncilTaxRules(
        band_ratios=MappingProxyType(
            {
                country: MappingProxyType({band: Fraction(ratio) for band, ratio in bands.items()})
                for country, bands in raw["band_ratios"].items()
            }
        ),
        disabled_band_a_ratio=Fraction(raw["disabled_band_a_ratio"]),
        discounts=MappingProxyType(
            {name: Discount(Decimal(item["percent"]), item["label"]) for name, item in raw["discounts"].items()}
        ),
        exemption_classes=MappingProxyType(
            {country: MappingProxyType(dict(classes)) for country, classes in raw["exemption_classes"].items()}
        ),
    )


@cache
def business_rates_rules(directory: Traversable | Path | None = None) -> BusinessRatesRules:
    raw = _read(directory or data_directory(), "business-rates.json")
    empty = raw["empty_property"]
    rural = raw.get("rural_rate_relief")
    return BusinessRatesRules(
        empty_property=EmptyPropertyRules(
            free_months=MappingProxyType({code: int(months) for code, months in empty["free_months"].items()}),
            exempt=MappingProxyType(dict(empty["exempt"])),
            low_value_below=Decimal(empty["low_value_below"]),
        ),
        rural=None
        if rural is None
        else RuralReliefRules(
            percent=Decimal(rural["percent"]),
            rv_limits=MappingProxyType({use: Decimal(item["rv_up_to"]) for use, item in rural["uses"].items()}),
            labels=MappingProxyType({use: item["label"] for use, item in rural["uses"].items()}),
        ),
    )


def _optional_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _transitional(raw: Any) -> TransitionalScheme | None:
    if raw is None:
        return None
    caps = tuple(
        TransitionalCap(
            _optional_decimal(cap["rv_up_to"]), Decimal(cap["percent"]), _optional_decimal(cap.get("rv_up_to_london"))
        )
        for cap in raw["caps"]
    )
    if not caps or caps[-1].rv_up_to is not None:
        raise ValueError("the last transitional cap must cover every rateable value (rv_up_to null)")
    return TransitionalScheme(caps, Decimal(raw["inflation_percent"]))


@cache
def year_parameters(financial_year: str, directory: Traversable | Path | None = None) -> YearParameters:
    """The parameters of `financial_year` ("2026-27"); an InputError on `financial_year` if there is no file."""
    year = FinancialYear.parse(financial_year)
    where = directory or data_directory()
    if not where.joinpath(f"{year.name}.json").is_file():
        known = ", ".join(sorted(available_years(directory)))
        raise InputError("financial_year", f"no parameters for {year.name}: the engine knows {known}")
    raw = _read(where, f"{year.name}.json")
    rates = raw["business_rates"]
    sbrr = rates["small_business_rate_relief"]
    rhl = rates["rhl_relief"]
    return YearParameters(
        year=year,
        premiums=MappingProxyType(
            {
                country: tuple(
                    PremiumRule(rule["kind"], int(rule["empty_for_years"]), Decimal(rule["max_percent"]))
                    for rule in rules
                )
                for country, rules in raw["council_tax"]["premiums"].items()
            }
        ),
        business_rates=BusinessRatesParameters(
            multipliers=tuple(
                Multiplier(
                    name=item["name"],
                    label=item["label"],
                    pence=Decimal(item["pence"]),
                    rhl=item["rhl"],
                    rv_from=Decimal(item["rv_from"]),
                    rv_below=_optional_decimal(item["rv_below"]),
                )
                for item in rates["multipliers"]
            ),
            sbrr_full_relief_up_to=Decimal(sbrr["full_relief_up_to"]),
            sbrr_no_relief_from=Decimal(sbrr["no_relief_from"]),
            charitable_relief_percent=Decimal(rates["charitable_relief_percent"]),
            rhl_relief=None if rhl is None else RhlRelief(Decimal(rhl["percent"]), Decimal(rhl["cash_cap"])),
            source=rates["_source"],
            transitional=_transitional(rates.get("transitional")),
            supplement_pence=_optional_decimal((rates.get("transitional_supplement") or {}).get("pence")),
            supporting_small_business=None
            if rates.get("supporting_small_business") is None
            else SupportingSmallBusiness(Decimal(rates["supporting_small_business"]["cash_increase"])),
        ),
    )


def available_years(directory: Traversable | Path | None = None) -> list[str]:
    where = directory or data_directory()
    names = (item.name.removesuffix(".json") for item in where.iterdir() if item.name.endswith(".json"))
    return [name for name in names if _YEAR.fullmatch(name)]
