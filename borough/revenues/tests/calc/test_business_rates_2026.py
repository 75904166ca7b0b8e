"""Business rates 2026-27: the transitional relief supplement, supporting small business relief, rural rate relief
and the London transitional bands, with worked examples from the sources (read 2026-11-26; the full citations are
in borough/revenues/data/2026-27.json and business-rates.json).

- Multipliers: GOV.UK https://www.gov.uk/calculate-your-business-rates (43.2p below £51,000, 48p to £499,999);
  RHL 38.2p / 43.0p and high-value 50.8p from billing authorities (Dudley, Spelthorne, Norwich, ...).
- Transitional caps 5% / 15% / 30%, the small band to £20,000 or £28,000 in London, no inflation in 2026-27:
  GOV.UK https://www.gov.uk/business-rates-relief/transitional-relief .
- Supplement 1p in 2026-27 for ratepayers receiving neither transitional nor supporting small business relief:
  HM Treasury written answer 95329; the ministers on the Chargeable Amounts Regulations 2026. That the caps relieve
  it (the transition test uses RV × (multiplier + 1p)) and the three "workbook" cases below come from a public
  reverse-engineering of the government's England 2026 workbook: a secondary source.
- Supporting small business relief: the greater of £800 and the transitional cap (GOV.UK local authority guidance,
  https://www.gov.uk/government/publications/business-rates-relief-2026-supporting-small-business-relief-local-authority-guidance);
  worked example: Telford & Wrekin
  https://www.telford.gov.uk/business/business-rates/ways-to-reduce-your-business-rates/supporting-small-business-scheme
- Rural rate relief: GOV.UK https://www.gov.uk/apply-for-business-rate-relief/rural-rate-relief (100%; general
  store, food shop or post office up to £8,500, public house or petrol station up to £12,500); SI 2009/3176.
"""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from borough.revenues.calc.business_rates import BusinessRatesInput, business_rates_charge
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.parse import business_rates_input
from borough.revenues.calc.pieces import ReductionFact, hereditament_pieces
from borough.revenues.calc.year_charge import year_charge

D = Decimal


def charge(rv, year="2026-27", **values):
    return business_rates_charge(BusinessRatesInput(financial_year=year, rateable_value=D(rv), **values))


def reliefs(result):
    return {relief.name: relief.amount for relief in result.reliefs}


@pytest.mark.parametrize(
    ("case", "rv", "values", "gross", "expected_reliefs", "net"),
    [
        # Telford's SSB example: RV £50,000 in 2025-26 (24,950.00, after 40% RHL relief 14,970.00), £110,000 in
        # 2026-27. Standard RHL 110,000 × 43.0p = 47,300.00 + supplement 1,100.00 = 48,400.00; transitional cap
        # 24,950 × 130% = 32,435.00; SSB: at most 14,970 + the greater of 800 and 30% (4,491.00) = 19,461.00,
        # Telford's figure.
        (
            "telford_ssb",
            "110000",
            {
                "retail_hospitality_leisure": True,
                "transitional_base": D("24950.00"),
                "supporting_small_business_base": D("14970.00"),
            },
            "48400.00",
            {"transitional_relief": "15965.00", "supporting_small_business_relief": "12974.00"},
            "19461.00",
        ),
        # Workbook, small: 2025-26 RV 10,000 × 49.9p = 4,990.00; RV 12,000 × 43.2p = 5,184.00 is within
        # 4,990 × 105% = 5,239.50, but with the supplement (5,304.00) it is not: phased, 5,239.50 to pay.
        (
            "workbook_small",
            "12000",
            {"transitional_base": D("4990.00")},
            "5304.00",
            {"transitional_relief": "64.50"},
            "5239.50",
        ),  # fmt: skip
        # Workbook, standard: RV 51,000 × 55.5p = 28,305.00; RV 60,000 × 48p = 28,800.00 + 600.00 supplement =
        # 29,400.00, within 28,305 × 115% = 32,550.75: no relief, the supplement is paid.
        ("workbook_standard", "60000", {"transitional_base": D("28305.00")}, "29400.00", {}, "29400.00"),
        # Workbook, medium: RV 100,000 × 48p = 48,000.00 + 1,000.00; capped at 32,550.75.
        (
            "workbook_medium",
            "100000",
            {"transitional_base": D("28305.00")},
            "49000.00",
            {"transitional_relief": "16449.25"},
            "32550.75",
        ),  # fmt: skip
        # No base liability (a new entry in the 2026 list): no transitional relief and no supplement.
        ("new_entry", "60000", {}, "28800.00", {}, "28800.00"),
        # London: RV 25,000 is in the small band (to £28,000): 9,000 × 105% = 9,450.00 ...
        (
            "london_small",
            "25000",
            {"transitional_base": D("9000.00"), "london": True},
            "11050.00",
            {"transitional_relief": "1600.00"},
            "9450.00",
        ),  # fmt: skip
        # ... and outside London in the medium band: 9,000 × 115% = 10,350.00.
        (
            "outside_london_medium",
            "25000",
            {"transitional_base": D("9000.00")},
            "11050.00",
            {"transitional_relief": "700.00"},
            "10350.00",
        ),  # fmt: skip
        # SSB, the £800 wins: RV 14,000, TR base 5,000: 6,048.00 + 140.00 capped at 5,250.00; SBRR a third
        # (1,750.00) leaves 3,500.00; the 2025-26 bill after SBRR was 1,000.00: at most 1,000 + 800 = 1,800.00.
        (
            "ssb_cash",
            "14000",
            {
                "transitional_base": D("5000.00"),
                "small_business_relief": True,
                "supporting_small_business_base": D("1000.00"),
            },
            "6188.00",
            {
                "transitional_relief": "938.00",
                "small_business_rate_relief": "1750.00",
                "supporting_small_business_relief": "1700.00",
            },
            "1800.00",
        ),
        # SSB, the percentage wins: RV 30,000 × 43.2p = 12,960.00 + 300.00; TR base 12,000 × 115% = 13,800.00 is not
        # reached; SSB base 10,000: at most the greater of 10,800.00 and 11,500.00.
        (
            "ssb_percent",
            "30000",
            {"transitional_base": D("12000.00"), "supporting_small_business_base": D("10000.00")},
            "13260.00",
            {"supporting_small_business_relief": "1760.00"},
            "11500.00",
        ),  # fmt: skip
        # SSB within its cap: no relief, and the supplement is paid.
        (
            "ssb_within",
            "30000",
            {"transitional_base": D("12000.00"), "supporting_small_business_base": D("13000.00")},
            "13260.00",
            {},
            "13260.00",
        ),  # fmt: skip
        # SSB is for occupied property and not for charities (Rushmoor, Elmbridge: secondary).
        (
            "ssb_charity",
            "30000",
            {"charity": True, "supporting_small_business_base": D("1000.00")},
            "12960.00",
            {"charitable_relief": "10368.00"},
            "2592.00",
        ),  # fmt: skip
        (
            "ssb_empty",
            "30000",
            {"empty": "listed", "supporting_small_business_base": D("1000.00")},
            "12960.00",
            {"empty_property_exemption": "12960.00"},
            "0.00",
        ),  # fmt: skip
        # Rural rate relief: 100% up to the limit for the use (GOV.UK), none above it.
        (
            "rural_store_at_limit",
            "8500",
            {"rural_use": "general_store"},
            "3672.00",
            {"rural_rate_relief": "3672.00"},
            "0.00",
        ),  # fmt: skip
        ("rural_store_over", "8501", {"rural_use": "general_store"}, "3672.43", {}, "3672.43"),
        ("rural_post_office_over", "9000", {"rural_use": "post_office"}, "3888.00", {}, "3888.00"),
        (
            "rural_pub_at_limit",
            "12500",
            {"rural_use": "public_house", "retail_hospitality_leisure": True},
            "4775.00",
            {"rural_rate_relief": "4775.00"},
            "0.00",
        ),  # fmt: skip
        ("rural_petrol_over", "12501", {"rural_use": "petrol_station"}, "5400.43", {}, "5400.43"),
        # Rural relief leaves nothing for charitable or small business rate relief.
        (
            "rural_and_sbrr",
            "8000",
            {"rural_use": "food_shop", "small_business_relief": True},
            "3456.00",
            {"rural_rate_relief": "3456.00"},
            "0.00",
        ),  # fmt: skip
        # Empty: no rural rate relief (the property must be occupied); empty and not exempt in its free months.
        (
            "rural_empty",
            "8000",
            {"rural_use": "general_store", "empty": "ordinary", "empty_since": date(2026, 1, 1)},
            "3456.00",
            {},
            "3456.00",
        ),  # fmt: skip
    ],
)
def test_2026_reliefs(case, rv, values, gross, expected_reliefs, net):
    result = charge(rv, **values)
    assert result.gross_charge == D(gross), case
    assert reliefs(result) == {name: D(amount) for name, amount in expected_reliefs.items()}, case
    assert result.net_charge == D(net), case


def test_the_supplement_is_explained_and_reported():
    paid = charge("60000", transitional_base=D("28305.00"))
    assert paid.annual_supplement == D("600.00")
    assert any(step.startswith("The supplement of £600.00 stays") for step in paid.steps)
    relieved = charge("100000", transitional_base=D("28305.00"))
    assert relieved.annual_supplement == D("1000.00")
    assert not any("stays" in step for step in relieved.steps)


def test_no_supplement_in_a_year_without_one():
    # 2025-26 has neither the supplement nor the schemes: a transitional base is an error there (no scheme).
    assert charge("60000", year="2025-26").annual_supplement == D("0.00")
    with pytest.raises(InputError) as error:
        charge("60000", year="2025-26", supporting_small_business_base=D("1000.00"))
    assert error.value.field == "supporting_small_business.base_liability"


def test_part_year_charges_the_supplement_by_the_day():
    # 29,400.00 (supplement included) × 182/365 = 14,659.73.
    result = charge("60000", transitional_base=D("28305.00"), liability_start=date(2026, 10, 1))
    assert result.gross_charge == D("14659.73")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rural_use": "castle"}, "rural.use"),
        ({"rural_use": "castle", "empty": "ordinary"}, "rural.use"),
        ({"supporting_small_business_base": D("-1")}, "supporting_small_business.base_liability"),
    ],
)
def test_bad_engine_input_names_the_field(values, field):
    with pytest.raises(InputError) as error:
        charge("9000", **values)
    assert error.value.field == field


BASE = {"financial_year": "2026-27", "rateable_value": "9000"}


def test_the_json_fields_are_read():
    given = business_rates_input(
        {**BASE, "london": True, "rural": {"use": "post_office"}, "supporting_small_business": {"base_liability": 800}}
    )
    assert (given.london, given.rural_use, given.supporting_small_business_base) == (True, "post_office", D("800"))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"london": "yes"}, "london"),
        ({"rural": "general_store"}, "rural"),
        ({"rural": {}}, "rural.use"),
        ({"rural": {"use": "general_store", "population": 900}}, "rural.population"),
        ({"supporting_small_business": {}}, "supporting_small_business.base_liability"),
        ({"supporting_small_business": {"base_liability": "1.234"}}, "supporting_small_business.base_liability"),
        ({"supporting_small_business": {"base": "100"}}, "supporting_small_business.base"),
    ],
)
def test_json_mistakes_name_their_field(extra, field):
    with pytest.raises(InputError) as error:
        business_rates_input({**BASE, **extra})
    assert error.value.field == field


def test_the_command_answers_the_2026_fields():
    out = io.StringIO()
    lines = [
        {**BASE, "rateable_value": "110000", "retail_hospitality_leisure": True,
         "transitional": {"base_liability": "24950.00"}, "supporting_small_business": {"base_liability": "14970.00"}},
        {**BASE, "rural": {"use": "castle"}},
    ]  # fmt: skip
    with pytest.raises(CommandError):
        call_command("revenues_calc", "business-rates", stdin=io.StringIO("".join(f"{json.dumps(x)}\n" for x in lines)),
                     stdout=out)  # fmt: skip
    telford, bad = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (telford["annual_supplement"], telford["net_charge"]) == ("1100.00", "19461.00")
    assert telford["reliefs"][-1] == {"name": "supporting_small_business_relief", "amount": "12974.00"}
    assert bad["field"] == "rural.use"


def test_billing_pieces_carry_rural_and_supporting_small_business_relief():
    # The account's reductions (borough.revenues.models.Reduction kinds "rural" with the use as its code,
    # "supporting_small_business" with the base liability as its amount) reach the engine through the pieces.
    facts = [
        ReductionFact("transitional", date(2026, 4, 1), amount=D("24950.00")),
        ReductionFact("supporting_small_business", date(2026, 4, 1), amount=D("14970.00")),
    ]
    pieces = hereditament_pieces(
        financial_year="2026-27",
        values=[(date(2026, 4, 1), D("110000"))],
        retail_hospitality_leisure=True,
        liability=[(date(2026, 4, 1), None)],
        reductions=facts,
    )
    assert year_charge("2026-27", pieces).charge == D("19461.00")  # Telford's example again
    village_shop = hereditament_pieces(
        financial_year="2026-27",
        values=[(date(2026, 4, 1), D("8000"))],
        retail_hospitality_leisure=True,
        liability=[(date(2026, 4, 1), None)],
        reductions=[ReductionFact("rural", date(2026, 10, 1), code="general_store")],
    )
    # 8,000 × 38.2p = 3,056.00; rural relief from 1 October, so April to September (183 of 365 days) is paid:
    # 3,056.00 × 183/365 = 1,532.19 (1,532.186...).
    assert [piece.given.rural_use for piece in village_shop] == [None, "general_store"]
    assert year_charge("2026-27", village_shop).charge == D("1532.19")
