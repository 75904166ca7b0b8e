"""Council tax engine, table-driven. Every expected figure is a published one, or worked from one by hand here.

Sources (read 2026-11-26):
- HARROW: London Borough of Harrow, council tax bands 2025-26, all authorities together (GLA included), band D
  £2,395.86: https://www.harrow.gov.uk/council-tax/council-tax-bands
- Not used: Newcastle-under-Lyme's 2025-26 borough element (band D £223.04, band E £272.61) works its bands
  from an unrounded band D (223.04 × 11/9 = 272.604), so a rounded band D cannot reproduce every band.
- PEMBROKESHIRE: Pembrokeshire County Council 2025-26, county £1,651.97 and Dyfed-Powys Police £360.68 at band D,
  each authority's amount for bands A-I: https://cms.pembrokeshire.gov.uk/council-tax-information/calculation-of-council-tax
  (its band E county figure reads £2,019.97 on the page; 1,651.97 × 11/9 = 2,019.07, so that cell is not used).
"""

from datetime import date
from decimal import Decimal

import pytest

from borough.revenues.calc.council_tax import CouncilTaxInput, Precept, council_tax_calculate
from borough.revenues.calc.errors import InputError

D = Decimal
HARROW = (Precept("Harrow (with the GLA)", D("2395.86")),)
PEMBROKESHIRE = (
    Precept("Pembrokeshire County Council", D("1651.97")),
    Precept("Police and Crime Commissioner Dyfed-Powys", D("360.68")),
)


def calc(**fields):
    fields.setdefault("financial_year", "2025-26")
    fields.setdefault("country", "england")
    return council_tax_calculate(CouncilTaxInput(**fields))


@pytest.mark.parametrize(
    ("band_d", "band", "expected"),
    [
        (HARROW, "A", "1597.24"),
        (HARROW, "B", "1863.45"),
        (HARROW, "C", "2129.65"),
        (HARROW, "D", "2395.86"),
        (HARROW, "E", "2928.27"),
        (HARROW, "F", "3460.69"),
        (HARROW, "G", "3993.10"),
        (HARROW, "H", "4791.72"),
    ],
)
def test_england_band_amounts_match_published_charges(band_d, band, expected):
    result = calc(band=band, band_d=band_d)
    assert result.annual_charge == D(expected)
    assert result.charge == D(expected)


@pytest.mark.parametrize(
    ("band", "county", "police"),
    [
        ("A", "1101.31", "240.45"),
        ("B", "1284.87", "280.53"),
        ("C", "1468.42", "320.60"),
        ("D", "1651.97", "360.68"),
        ("F", "2386.18", "520.98"),
        ("G", "2753.28", "601.13"),
        ("H", "3303.94", "721.36"),
        ("I", "3854.60", "841.59"),
    ],
)
def test_wales_bands_including_i_match_pembrokeshire_per_authority(band, county, police):
    result = calc(country="wales", band=band, band_d=PEMBROKESHIRE)
    assert [a.amount for a in result.band_amounts] == [D(county), D(police)]
    # Each authority's amount is rounded, then added: band I is £4,696.19 on the bill, where rounding the
    # sum (2,012.65 × 21/9 = 4,696.18) would be a penny short.
    assert result.annual_charge == D(county) + D(police)
    assert any("Dyfed-Powys" in step and police in step for step in result.steps)


def test_band_i_does_not_exist_in_england():
    with pytest.raises(InputError) as error:
        calc(band="I", band_d=HARROW)
    assert error.value.field == "band"


def test_part_year_liability_is_charged_by_the_day():
    # Harrow band D, liable 1 October 2025 to 31 March 2026: 182 of 365 days.
    # 2,395.86 × 182 = 436,046.52; ÷ 365 = 1,194.648 -> £1,194.65.
    result = calc(band="D", band_d=HARROW, liability_start=date(2025, 10, 1), liability_end=date(2026, 3, 31))
    assert result.annual_charge == D("2395.86")
    assert result.charge == D("1194.65")
    assert any("182 of the 365 days" in step for step in result.steps)
    assert result.instalments[0].due_date == date(2025, 10, 1)
    assert sum(i.amount for i in result.instalments) == D("1194.65")


@pytest.mark.parametrize(
    ("discounts", "expected"),
    [
        (("single_person",), "1197.93"),  # 1,597.24 - 25% (399.31)
        (("all_but_one_disregarded",), "1197.93"),
        (("all_disregarded",), "798.62"),  # 1,597.24 - 50%
        (("single_person", "all_disregarded"), "798.62"),  # the largest applies, they do not add up
    ],
)
def test_discounts(discounts, expected):
    result = calc(band="A", band_d=HARROW, discounts=discounts)
    assert result.annual_charge == D(expected)


@pytest.mark.parametrize(
    ("country", "percent", "expected"),
    [
        ("england", D("100"), "4791.72"),  # Harrow D doubled
        ("england", D("300"), "9583.44"),  # empty ten years or more
        ("england", D("50"), "3593.79"),
        ("wales", D("300"), "9583.44"),
    ],
)
def test_premiums(country, percent, expected):
    result = calc(country=country, band="D", band_d=HARROW, premium_percent=percent)
    assert result.annual_charge == D(expected)


def test_premium_over_the_years_maximum_is_refused():
    with pytest.raises(InputError) as error:
        calc(band="D", band_d=HARROW, premium_percent=D("301"))
    assert error.value.field == "premium_percent"


def test_a_premium_dwelling_has_no_resident_discount():
    with pytest.raises(InputError) as error:
        calc(band="D", band_d=HARROW, premium_percent=D("100"), discounts=("single_person",))
    assert error.value.field == "discounts"


def test_disabled_band_reduction_charges_the_band_below():
    result = calc(band="D", band_d=HARROW, disabled_band_reduction=True)
    assert result.annual_charge == D("2129.65")  # Harrow's published band C
    assert any("band C instead of band D" in step for step in result.steps)


def test_disabled_band_reduction_in_band_a_is_five_ninths():
    result = calc(band="A", band_d=HARROW, disabled_band_reduction=True)
    assert result.annual_charge == D("1331.03")  # 2,395.86 × 5/9 = 1,331.0333


def test_disabled_reduction_then_single_person_discount():
    # Band C amount 2,129.65 less 25% (532.41) = 1,597.24.
    result = calc(band="D", band_d=HARROW, disabled_band_reduction=True, discounts=("single_person",))
    assert result.annual_charge == D("1597.24")


def test_exempt_dwelling_pays_nothing_and_says_why():
    result = calc(band="C", band_d=HARROW, exemption_class="N")
    assert (result.annual_charge, result.charge, result.instalments) == (D("0.00"), D("0.00"), ())
    assert any("class N" in step and "students" in step for step in result.steps)


def test_exemption_class_of_the_other_country_is_refused():
    with pytest.raises(InputError) as error:
        calc(band="C", band_d=HARROW, exemption_class="X")  # X (care leavers) is Welsh only
    assert error.value.field == "exemption_class"


def test_council_tax_reduction_comes_off_last():
    result = calc(band="A", band_d=HARROW, discounts=("single_person",), council_tax_reduction=D("1000.00"))
    assert result.annual_charge == D("1197.93")
    assert result.charge == D("197.93")
    assert sum(i.amount for i in result.instalments) == D("197.93")


def test_council_tax_reduction_never_takes_the_charge_below_nothing():
    result = calc(band="A", band_d=HARROW, council_tax_reduction=D("5000.00"))
    assert result.charge == D("0.00")
    assert result.instalments == ()
    assert any("capped at the charge" in step for step in result.steps)


def test_ten_instalments_by_default():
    # 1,197.93 / 10 = 119.793: nine of £120 and the first £117.93.
    result = calc(band="A", band_d=HARROW, discounts=("single_person",))
    amounts = [i.amount for i in result.instalments]
    assert amounts == [D("117.93")] + [D("120.00")] * 9
    assert [i.due_date for i in result.instalments] == [date(2025, m, 1) for m in range(4, 13)] + [date(2026, 1, 1)]


def test_twelve_instalments_on_request():
    # 2,395.86 / 12 = 199.655: eleven of £200 and the first £195.86, April to March.
    result = calc(band="D", band_d=HARROW, instalments=12)
    assert [i.amount for i in result.instalments] == [D("195.86")] + [D("200.00")] * 11
    assert result.instalments[-1].due_date == date(2026, 3, 1)


def test_whole_pound_instalments_are_all_equal():
    result = calc(band="D", band_d=(Precept("Council", D("1200.00")),))
    assert [i.amount for i in result.instalments] == [D("120.00")] * 10


@pytest.mark.parametrize(
    ("scheme", "first", "count", "last"),
    [
        (10, date(2025, 7, 15), 8, date(2026, 2, 15)),  # July to February
        (12, date(2025, 7, 15), 9, date(2026, 3, 15)),  # July to March
        (10, date(2026, 1, 31), 2, date(2026, 2, 28)),  # a shorter month takes its last day
        (12, date(2026, 1, 31), 3, date(2026, 3, 31)),
        (10, date(2026, 3, 1), 1, date(2026, 3, 1)),  # past February: one instalment
    ],
)
def test_fewer_instalments_when_billed_later_in_the_year(scheme, first, count, last):
    result = calc(band="D", band_d=HARROW, instalments=scheme, first_instalment_date=first)
    assert len(result.instalments) == count
    assert result.instalments[-1].due_date == last
    assert sum(i.amount for i in result.instalments) == D("2395.86")


def test_no_instalment_under_five_pounds():
    # £23.00 over 10 would be £2.30 each: para 3 gives four (the whole £5s in £23), £5.00 first then £6.00.
    result = calc(band="D", band_d=HARROW, council_tax_reduction=D("2372.86"))
    assert result.charge == D("23.00")
    assert [i.amount for i in result.instalments] == [D("5.00"), D("6.00"), D("6.00"), D("6.00")]


def test_under_ten_pounds_is_one_instalment():
    result = calc(band="D", band_d=HARROW, council_tax_reduction=D("2386.86"))
    assert [i.amount for i in result.instalments] == [D("9.00")]


def test_steps_explain_every_amount():
    result = calc(
        band="B",
        band_d=PEMBROKESHIRE,
        country="wales",
        discounts=("single_person",),
        liability_start=date(2025, 6, 1),
        council_tax_reduction=D("100.00"),
        instalments=12,
    )
    text = "\n".join(result.steps)
    for figure in (
        "£1,284.87",
        "£280.53",
        "£1,565.40",
        "25%",
        "£391.35",
        "£1,174.05",
        "304 of the 365 days",
        "£100.00",
    ):
        assert figure in text
    assert f"£{result.charge:,}" in text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"financial_year": "2019-20"}, "financial_year"),
        ({"financial_year": "2026-28"}, "financial_year"),
        ({"country": "scotland"}, "country"),
        ({"band": "J"}, "band"),
        ({"band_d": ()}, "band_d"),
        ({"band_d": (Precept("X", D("-1")),)}, "band_d"),
        ({"band_d": (*HARROW, Precept("Parish", D("-1")))}, "band_d[1].amount"),
        ({"liability_start": date(2025, 3, 31)}, "liability_start"),
        ({"liability_end": date(2026, 4, 1)}, "liability_end"),
        ({"liability_start": date(2025, 9, 1), "liability_end": date(2025, 8, 1)}, "liability_end"),
        ({"discounts": ("students",)}, "discounts"),
        ({"premium_percent": D("-1")}, "premium_percent"),
        ({"council_tax_reduction": D("-1")}, "council_tax_reduction"),
        ({"instalments": 11}, "instalments"),
        ({"first_instalment_date": date(2026, 4, 1)}, "first_instalment_date"),
    ],
)
def test_bad_input_names_the_field(fields, field):
    base = {"band": "D", "band_d": HARROW}
    with pytest.raises(InputError) as error:
        calc(**(base | fields))
    assert error.value.field == field
    assert error.value.message
