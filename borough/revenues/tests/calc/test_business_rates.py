"""Business rates engine, table-driven, with figures traceable to published sources (read 2026-11-26).

- MULTIPLIERS 2025-26: small 49.9p, standard 55.5p (GOV.UK; Telford & Wrekin's table of past years:
  https://www.telford.gov.uk/business/business-rates/introduction-to-business-rates/business-rates-multipliers).
- MULTIPLIERS 2026-27: 38.2p / 43.2p / 43.0p / 48.0p / 50.8p, Budget of 26 November 2025 as quoted by Dudley
  (https://www.dudley.gov.uk/business/business-rates/changes-from-1st-april-2026) and Arun.
- SBRR: GOV.UK's worked examples, "a rateable value of £13,500 gets 50% off your bill, £14,000 gets 33% off"
  (https://www.gov.uk/apply-for-business-rate-relief/small-business-rate-relief), and Barnsley's table of amounts
  payable at 49.9p (https://barnsley.gov.uk/services/business-rates/business-rates-reductions-and-reliefs/small-business-rate-relief):
  £12,600 £1,257.48; £12,900 £1,931.13; £13,200 £2,634.72; £13,500 £3,368.25; £13,800 £4,131.72. (Barnsley rounds
  the percentage to three places, so only rows where it is exact are used.)
- RHL relief 2025-26: 40%, capped at £110,000 (Autumn Budget 2024).
"""

from decimal import Decimal

import pytest

from borough.revenues.calc.business_rates import BusinessRatesInput, business_rates_calculate
from borough.revenues.calc.errors import InputError

D = Decimal


def calc(year, rv, **flags):
    return business_rates_calculate(BusinessRatesInput(financial_year=year, rateable_value=D(rv), **flags))


@pytest.mark.parametrize(
    ("year", "rv", "rhl", "multiplier", "gross"),
    [
        ("2025-26", "50999", False, "small_business", "25448.50"),  # 50,999 × 0.499 = 25,448.501
        ("2025-26", "51000", False, "standard", "28305.00"),
        ("2026-27", "20000", True, "small_business_rhl", "7640.00"),
        ("2026-27", "20000", False, "small_business", "8640.00"),
        ("2026-27", "50999", True, "small_business_rhl", "19481.62"),  # 50,999 × 0.382 = 19,481.618
        ("2026-27", "51000", True, "standard_rhl", "21930.00"),
        ("2026-27", "100000", False, "standard", "48000.00"),
        ("2026-27", "499999", False, "standard", "239999.52"),
        ("2026-27", "500000", True, "high_value", "254000.00"),
        ("2026-27", "500000", False, "high_value", "254000.00"),
    ],
)
def test_multiplier_by_year_value_and_use(year, rv, rhl, multiplier, gross):
    result = calc(year, rv, retail_hospitality_leisure=rhl)
    assert (result.multiplier, result.gross_charge, result.net_charge) == (multiplier, D(gross), D(gross))
    assert result.reliefs == ()


@pytest.mark.parametrize(
    ("rv", "net"),
    [
        ("12000", "0.00"),
        ("12600", "1257.48"),
        ("12900", "1931.13"),
        ("13200", "2634.72"),
        ("13500", "3368.25"),
        ("13800", "4131.72"),
        ("14000", "4657.33"),  # 33.333...% off: 6,986.00 × 2/3
        ("15000", "7485.00"),  # the taper ends: no relief
    ],
)
def test_small_business_rate_relief_taper(rv, net):
    result = calc("2025-26", rv, small_business_relief=True)
    assert result.net_charge == D(net)
    assert result.gross_charge - sum(r.amount for r in result.reliefs) == D(net)


def test_sbrr_steps_show_the_taper():
    result = calc("2025-26", "13500", small_business_relief=True)
    assert any("(£15,000 − £13,500) ÷ £3,000 = 50%" in step for step in result.steps)


def test_charitable_relief_is_80_percent_and_excludes_sbrr():
    result = calc("2026-27", "14000", charity=True, small_business_relief=True)
    # 14,000 × 0.432 = 6,048.00; 80% = 4,838.40 off.
    assert [(r.name, r.amount) for r in result.reliefs] == [("charitable_relief", D("4838.40"))]
    assert result.net_charge == D("1209.60")
    assert any("No small business rate relief" in step for step in result.steps)


def test_rhl_relief_2025_26_after_sbrr():
    # 13,500 × 0.499 = 6,736.50; SBRR 50% = 3,368.25; RHL 40% of the 3,368.25 left = 1,347.30.
    result = calc("2025-26", "13500", small_business_relief=True, retail_hospitality_leisure=True)
    assert [r.amount for r in result.reliefs] == [D("3368.25"), D("1347.30")]
    assert result.net_charge == D("2020.95")


def test_rhl_relief_2025_26_is_capped():
    result = calc("2025-26", "1000000", retail_hospitality_leisure=True)
    assert result.gross_charge == D("555000.00")
    assert result.reliefs[0].amount == D("110000.00")
    assert result.net_charge == D("445000.00")


def test_no_rhl_relief_from_2026_27():
    result = calc("2026-27", "100000", retail_hospitality_leisure=True)
    assert result.reliefs == ()
    assert result.net_charge == D("43000.00")


@pytest.mark.parametrize(
    ("year", "rv", "field"),
    [
        ("2026-27", "-1", "rateable_value"),
        ("2026-27", "1000.5", "rateable_value"),
        ("2024-25", "1000", "financial_year"),
        ("26-27", "1000", "financial_year"),
    ],
)
def test_bad_input_names_the_field(year, rv, field):
    with pytest.raises(InputError) as error:
        calc(year, rv)
    assert error.value.field == field
