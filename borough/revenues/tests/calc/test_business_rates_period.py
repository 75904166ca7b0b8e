"""Business rates for part of a year, empty property, transitional relief and the NDR instalment plan.

Sources (read 2026-11-26):
- Multipliers 2026-27 (43.2p small, 48.0p standard): Budget of 26 November 2025, as quoted by Dudley
  (https://www.dudley.gov.uk/business/business-rates/changes-from-1st-april-2026) and Oldham
  (https://www.oldham.gov.uk/info/200208/business_rates/956/how_business_rates_are_calculated).
- Daily charge: LGFA 1988 s.43(1)-(2) and s.45(1)-(2): the chargeable amount is calculated for each day
  (A × B ÷ C, C being the days in the year) https://www.legislation.gov.uk/ukpga/1988/41/section/43 .
- Empty property (SI 2008/386 reg. 4, https://beta.bailii.org/uk/legis/num_reg/2008/uksi_20080386_en_1.html):
  free while unoccupied for a continuous period not exceeding three months (six for qualifying industrial);
  exempt when listed, RV under £2,900 (from 1 April 2017: Stockport, https://www.stockport.gov.uk/empty-property-reductions),
  a charity's property next used for charity (LGFA 1988 s.45A); full charge after (Cherwell,
  https://www.cherwell.gov.uk/info/191/business-rates/363/business-rates-reductions-and-relief/2).
- Transitional relief 2026-27 caps 5% / 15% / 30% (RV up to £20,000 / to £100,000 / over), no inflation in year 1:
  GOV.UK https://www.gov.uk/business-rates-relief/transitional-relief (also Telford & Wrekin, Gloucester,
  Rossendale); base liability = the 2025-26 bill before reliefs (MHCLG answer to written question 104166,
  https://parallelparliament.co.uk/question/104166/business-rates-tax-allowances).
- Instalments: SI 1989/1058 Sch. 1 Part I (https://www.legislation.gov.uk/uksi/1989/1058/schedule/1/part/I/made):
  10 monthly, or the whole months left after the notice less one; a notice from 1 January is one instalment;
  all but the first rounded to the nearest pound, the first taking the balance. 12 on request: SI 2014/479.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.revenues.calc.business_rates import (
    BusinessRatesInput,
    business_rates_calculate,
    business_rates_charge,
    empty_free_until,
)
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.ndr_instalments import ndr_instalment_plan
from borough.revenues.calc.params import FinancialYear

D = Decimal
YEAR = "2026-27"


def charge(rv, **values):
    return business_rates_charge(BusinessRatesInput(financial_year=YEAR, rateable_value=D(rv), **values))


def reliefs(result):
    return {relief.name: relief.amount for relief in result.reliefs}


@pytest.mark.parametrize(
    ("rv", "start", "end", "gross"),
    [
        # 100,000 × 48.0p = 48,000.00 a year; 1 October to 31 March is 182 of 365 days: 23,934.25 (23,934.246...).
        ("100000", date(2026, 10, 1), None, "23934.25"),
        # 20,000 × 43.2p = 8,640.00; 1 April to 30 June is 91 days: 2,154.08 (2,154.082...).
        ("20000", None, date(2026, 6, 30), "2154.08"),
        # One day: 8,640.00 ÷ 365 = 23.67.
        ("20000", date(2026, 12, 25), date(2026, 12, 25), "23.67"),
    ],
)
def test_part_year_is_charged_by_the_day(rv, start, end, gross):
    result = charge(rv, liability_start=start, liability_end=end)
    assert (result.gross_charge, result.net_charge) == (D(gross), D(gross))
    assert result.annual_gross_charge == result.annual_net_charge == D(rv) * D("0.432" if D(rv) < 51000 else "0.48")
    assert any("charged by the day" in step for step in result.steps)


def test_part_year_reliefs_are_apportioned_too():
    # 13,500 × 43.2p = 5,832.00; SBRR 50% = 2,916.00 a year; 182 days: gross 5,832 × 182/365 = 2,908.01
    # (2,908.0109...), relief 2,916 × 182/365 = 1,454.01 (1,454.0055...), leaving 1,454.00.
    result = charge("13500", small_business_relief=True, liability_start=date(2026, 10, 1))
    assert (result.gross_charge, reliefs(result), result.net_charge) == (
        D("2908.01"), {"small_business_rate_relief": D("1454.01")}, D("1454.00"),
    )  # fmt: skip


def test_empty_property_is_free_for_three_months_then_charged_in_full():
    since = date(2026, 4, 1)
    assert empty_free_until("ordinary", since) == date(2026, 6, 30)
    assert empty_free_until("industrial", since) == date(2026, 9, 30)
    assert empty_free_until("listed", since) is None
    # 30,000 × 43.2p = 12,960.00; 91 free days (1 April to 30 June): 3,231.12 off; 9,728.88 to pay.
    ordinary = charge("30000", empty="ordinary", empty_since=since)
    assert reliefs(ordinary) == {"empty_property_free_months": D("3231.12")}
    assert ordinary.net_charge == D("9728.88")
    # Industrial: 183 free days (to 30 September): 6,497.75 off.
    industrial = charge("30000", empty="industrial", empty_since=since)
    assert reliefs(industrial) == {"empty_property_free_months": D("6497.75")}
    # Empty since before the year: the free months are spent; no small business relief when empty.
    long_empty = charge("13000", empty="ordinary", empty_since=date(2025, 1, 1), small_business_relief=True)
    assert (long_empty.reliefs, long_empty.net_charge) == ((), D("5616.00"))


def test_a_piece_inside_the_free_months_pays_nothing():
    piece = charge("30000", empty="ordinary", empty_since=date(2026, 5, 1), liability_start=date(2026, 5, 1),
                   liability_end=date(2026, 7, 31))  # fmt: skip
    assert (piece.net_charge, reliefs(piece)) == (D("0.00"), {"empty_property_free_months": piece.gross_charge})


@pytest.mark.parametrize(("rv", "code"), [("30000", "listed"), ("30000", "charity"), ("2899", "ordinary")])
def test_empty_exemptions_pay_nothing_all_year(rv, code):
    result = charge(rv, empty=code, empty_since=date(2020, 1, 1))
    assert result.net_charge == D("0.00")
    assert reliefs(result) == {"empty_property_exemption": result.gross_charge}


def test_rv_of_2900_is_not_exempt_when_empty():
    assert charge("2900", empty="ordinary", empty_since=date(2020, 1, 1)).net_charge == D("1252.80")  # 2,900 × 43.2p


@pytest.mark.parametrize(
    ("rv", "base", "relief", "net"),
    [
        # The 1p transitional relief supplement is added first (data/2026-27.json transitional_supplement), and the
        # cap relieves it too (see test_business_rates_2026.py).
        # Small (RV up to £20,000): cap 5%. 20,000 × 44.2p = 8,840.00 against 7,000 × 1.05 = 7,350.00.
        ("20000", "7000.00", "1490.00", "7350.00"),
        # Medium (£20,001 to £100,000): cap 15%. 60,000 × 49.0p = 29,400.00 against 20,000 × 1.15 = 23,000.00.
        ("60000", "20000.00", "6400.00", "23000.00"),
        # Large (over £100,000): cap 30%. 200,000 × 49.0p = 98,000.00 against 50,000 × 1.3 = 65,000.00.
        ("200000", "50000.00", "33000.00", "65000.00"),
        # Within the cap: no relief, so the supplement stays. 20,001 × 44.2p = 8,840.44, below 8,000 × 1.15 = 9,200.00.
        ("20001", "8000.00", None, "8840.44"),
    ],
)
def test_transitional_relief_caps_the_rise(rv, base, relief, net):
    result = charge(rv, transitional_base=D(base))
    assert reliefs(result).get("transitional_relief") == (D(relief) if relief else None)
    assert result.net_charge == D(net)


def test_transitional_relief_comes_before_small_business_relief():
    # 14,000 × 44.2p = 6,188.00, capped at 5,000 × 1.05 = 5,250.00 (938.00 off); SBRR 33.33% of 5,250.00 = 1,750.00.
    result = charge("14000", transitional_base=D("5000.00"), small_business_relief=True)
    assert reliefs(result) == {"transitional_relief": D("938.00"), "small_business_rate_relief": D("1750.00")}
    assert result.net_charge == D("3500.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"liability_start": date(2026, 3, 31)}, "liability_start"),
        ({"liability_end": date(2027, 4, 1)}, "liability_end"),
        ({"liability_start": date(2026, 9, 1), "liability_end": date(2026, 8, 31)}, "liability_end"),
        ({"empty": "derelict"}, "empty.code"),
        ({"empty_since": date(2026, 1, 1)}, "empty.since"),
        ({"empty": "ordinary", "empty_since": date(2027, 4, 1), "liability_end": date(2026, 5, 1)}, "empty.since"),
        ({"transitional_base": D("-1")}, "transitional.base_liability"),
    ],
)
def test_bad_input_names_the_field(values, field):
    with pytest.raises(InputError) as error:
        charge("30000", **values)
    assert error.value.field == field


def test_no_transitional_scheme_in_a_year_without_one():
    with pytest.raises(InputError) as error:
        business_rates_charge(BusinessRatesInput("2025-26", D("30000"), transitional_base=D("1000.00")))
    assert error.value.field == "transitional.base_liability"


def plan(total, scheme=10, first=date(2026, 4, 1), issued=None):
    items, steps = ndr_instalment_plan(D(total), scheme=scheme, first_due=first, issued_on=issued,
                                       year=FinancialYear.parse(YEAR))  # fmt: skip
    return [(item.due_date, item.amount) for item in items], steps


def test_ndr_instalments_ten_by_default_twelve_on_request():
    ten, _ = plan("12960.00")
    assert [amount for _day, amount in ten] == [D("1296.00")] * 10
    assert ten[-1][0] == date(2027, 1, 1)
    # Para 1(5): 9,728.88 ÷ 12 = 810.74, so 11 of £811.00 and the first 807.88.
    twelve, _ = plan("9728.88", scheme=12)
    assert [amount for _day, amount in twelve] == [D("807.88")] + [D("811.00")] * 11


def test_ndr_instalments_after_the_year_starts():
    # Issued 10 June: whole months left (July to March) 9, less one: 8 instalments.
    items, steps = plan("8000.00", first=date(2026, 7, 1), issued=date(2026, 6, 10))
    assert [amount for _day, amount in items] == [D("1000.00")] * 8
    assert any("Schedule 1 para 1(2)" in step for step in steps)
    # Issued in January: one instalment (para 2).
    items, _ = plan("8000.00", first=date(2027, 1, 20), issued=date(2027, 1, 5))
    assert items == [(date(2027, 1, 20), D("8000.00"))]


def test_ndr_instalments_never_under_fifty_pounds():
    items, steps = plan("180.00")
    assert [amount for _day, amount in items] == [D("60.00")] * 3
    assert plan("99.99")[0] == [(date(2026, 4, 1), D("99.99"))]


@given(
    pennies=st.integers(min_value=1, max_value=50_000_000),
    scheme=st.sampled_from((10, 12)),
    first=st.integers(min_value=0, max_value=364),
    issued_before=st.integers(min_value=0, max_value=400),
)
def test_ndr_instalments_always_sum_to_the_charge(pennies, scheme, first, issued_before):
    year = FinancialYear.parse(YEAR)
    first_due = date.fromordinal(year.start.toordinal() + first)
    issued = date.fromordinal(first_due.toordinal() - issued_before)
    total = D(pennies) / 100
    items, _ = ndr_instalment_plan(total, scheme=scheme, first_due=first_due, issued_on=issued, year=year)
    assert sum(item.amount for item in items) == total
    assert 1 <= len(items) <= scheme
    assert all(year.start <= item.due_date <= year.end for item in items)
    assert all(item.amount == item.amount.to_integral_value() for item in items[1:])
    assert len(items) == 1 or min(item.amount for item in items) >= 50


def test_calculate_adds_the_plan_to_the_charge():
    result = business_rates_calculate(BusinessRatesInput(YEAR, D("20000"), instalments=12))
    assert sum(item.amount for item in result.instalments) == result.net_charge == D("8640.00")
    assert len(result.instalments) == 12
