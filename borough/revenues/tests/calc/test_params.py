"""The data files: they cite their sources, and the loader reads them (or another directory's)."""

import json
import shutil
from fractions import Fraction

import pytest

from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import (
    FinancialYear,
    available_years,
    council_tax_rules,
    data_directory,
    year_parameters,
)


def test_every_data_file_cites_a_source_and_a_start_date():
    for item in data_directory().iterdir():
        if not item.name.endswith(".json"):
            continue
        raw = json.loads(item.read_text(encoding="utf-8"))
        assert "applies_from" in raw, item.name
        text = json.dumps(raw)
        assert "https://www.legislation.gov.uk/" in text or "https://www.gov.uk/" in text, item.name


def test_band_ratios_are_the_statutory_ones():
    ratios = council_tax_rules().band_ratios
    assert [ratios["england"][b] * 9 for b in "ABCDEFGH"] == [6, 7, 8, 9, 11, 13, 15, 18]
    assert ratios["wales"]["I"] == Fraction(21, 9)
    assert "I" not in ratios["england"]


def test_the_known_years():
    assert {"2025-26", "2026-27"} <= set(available_years())
    assert year_parameters("2025-26").business_rates.rhl_relief is not None
    assert year_parameters("2026-27").business_rates.rhl_relief is None


def test_a_year_without_a_file_names_the_field():
    with pytest.raises(InputError) as error:
        year_parameters("2030-31")
    assert error.value.field == "financial_year"
    assert "2026-27" in error.value.message


def test_loader_reads_another_directory(tmp_path):
    source = data_directory().joinpath("2026-27.json").read_text(encoding="utf-8")
    raw = json.loads(source)
    raw["financial_year"] = "2027-28"
    raw["business_rates"]["multipliers"][1]["pence"] = "44.4"
    (tmp_path / "2027-28.json").write_text(json.dumps(raw), encoding="utf-8")
    shutil.copy(str(data_directory().joinpath("council-tax.json")), tmp_path / "council-tax.json")
    params = year_parameters("2027-28", tmp_path)
    assert params.year.days == 366  # 29 February 2028
    assert str(params.business_rates.multipliers[1].pence) == "44.4"


def test_financial_year_dates():
    year = FinancialYear.parse("2026-27")
    assert (year.start.isoformat(), year.end.isoformat(), year.days) == ("2026-04-01", "2027-03-31", 365)
    assert FinancialYear.parse("1999-00").end.year == 2000
