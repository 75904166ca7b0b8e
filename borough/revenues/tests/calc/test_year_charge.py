"""A year cut into pieces: the pieces cover exactly the days liable, awards are spread to the penny, and the year's
charge is the sum of the pieces' (charged by the day, LGFA 1992 s.10)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from borough.revenues.calc.council_tax import CouncilTaxInput, Precept, council_tax_charge
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.calc.pieces import ReductionFact, dwelling_pieces, hereditament_pieces, spread_award
from borough.revenues.calc.year_charge import ChargePiece, year_charge

YEAR = "2026-27"
FY = FinancialYear.parse(YEAR)
BAND_D = (Precept("Northfield DC", Decimal("365.00")), Precept("Midshire CC", Decimal("1460.00")))
D = Decimal
days_in_year = st.integers(min_value=0, max_value=FY.days - 1).map(lambda n: FY.start + timedelta(days=n))


def pieces(**values):
    facts = {"financial_year": YEAR, "country": "england", "bands": [(date(1993, 4, 1), "D")], "band_d": BAND_D,
             "liability": [(date(2020, 1, 1), None)]}  # fmt: skip
    facts.update(values)
    return dwelling_pieces(**facts)


@st.composite
def accounts(draw):
    """Liability periods (non-overlapping), band changes and reductions of one dwelling's year, at random."""
    cuts = sorted(set(draw(st.lists(days_in_year, min_size=2, max_size=6))))
    periods = [(cuts[i], cuts[i + 1] - timedelta(days=1)) for i in range(0, len(cuts) - 1, 2)]
    bands = [(date(1993, 4, 1), "C")] + [(day, band) for day, band in
             sorted(draw(st.dictionaries(days_in_year, st.sampled_from("ABDEH"), max_size=2)).items())]  # fmt: skip
    reductions = []
    if draw(st.booleans()):
        start = draw(days_in_year)
        end = draw(st.one_of(st.none(), days_in_year.filter(lambda d: d >= start)))
        reductions.append(ReductionFact("discount", start, end, "single_person"))
    for _ in range(draw(st.integers(0, 2))):
        start = draw(days_in_year)
        end = draw(days_in_year.filter(lambda d: d >= start))
        amount = D(draw(st.integers(0, 200_000))) / 100
        reductions.append(ReductionFact("council_tax_reduction", start, end, amount=amount))
    if draw(st.booleans()):
        reductions.append(ReductionFact("disabled_band", draw(days_in_year)))
    return periods, bands, reductions


@settings(max_examples=150, deadline=None)
@given(accounts())
def test_pieces_cover_the_liable_days_and_add_up_to_the_charge(account):
    periods, bands, reductions = account
    cut = pieces(liability=periods, bands=bands, reductions=reductions)
    liable = {p[0] + timedelta(days=n) for p in periods for n in range((p[1] - p[0]).days + 1)}
    covered = [piece.start + timedelta(days=n) for piece in cut for n in range(piece.days)]
    assert len(covered) == len(set(covered)) and set(covered) == liable  # no gaps, no overlaps
    assert all((p.given.liability_start, p.given.liability_end) == (p.start, p.end) for p in cut)
    total = year_charge(YEAR, cut)
    assert total.charge == sum((item.charge for item in total.pieces), D("0.00"))
    assert total.charge >= 0
    # Each award reaches the pieces it covers exactly: its days in them × amount ÷ its days, to the penny.
    given_ctr = sum((p.given.council_tax_reduction for p in cut), D("0"))
    expected = D("0")
    for award in (r for r in reductions if r.kind == "council_tax_reduction"):
        assert award.end is not None and award.amount is not None
        inside = sum(1 for day in liable if award.start <= day <= award.end)
        expected += (award.amount * inside / ((award.end - award.start).days + 1)).quantize(D("0.01"))
    assert abs(given_ctr - expected) <= D("0.01") * len(reductions)


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(days_in_year, max_size=8))
def test_cutting_a_year_changes_its_charge_by_at_most_half_a_penny_a_piece(cuts):
    """With nothing changing at the cuts, the pieces charge what the whole period would, within rounding."""
    bands = [(date(1993, 4, 1), "B")] + [(day, "B") for day in sorted(set(cuts))]  # the same band again
    whole = council_tax_charge(CouncilTaxInput(YEAR, "england", "B", BAND_D)).charge
    cut = dwelling_pieces(financial_year=YEAR, country="england", bands=bands, band_d=BAND_D,
                          liability=[(FY.start, None)])  # fmt: skip
    pieces_of_the_year = year_charge(YEAR, cut)
    assert abs(pieces_of_the_year.charge - whole) <= D("0.005") * len(cut)


@given(amount=st.integers(0, 10_000_00), cuts=st.lists(st.integers(1, 99), max_size=5))
@example(amount=62, cuts=[1, 76, 98, 99])  # rounding each share and giving the last the rest made it -£0.01
def test_an_award_spread_over_pieces_adds_up_exactly(amount, cuts):
    start = date(2026, 5, 1)
    days = sorted(set(cuts))
    bounds = [0, *days, 100]
    segments = [(start + timedelta(days=a), start + timedelta(days=b - 1)) for a, b in zip(bounds, bounds[1:])]
    shares = spread_award(D(amount) / 100, (start, start + timedelta(days=99)), segments)
    assert sum(shares) == D(amount) / 100
    assert all(share >= 0 for share in shares)
    exact = [D(amount) / 100 * ((end - begin).days + 1) / 100 for begin, end in segments]
    assert all(abs(share - part) < D("0.01") for share, part in zip(shares, exact, strict=True))


def test_a_premium_threshold_and_a_discount_end_cut_the_year():
    cut = pieces(reductions=[
        ReductionFact("premium", date(2026, 4, 1), None, "long_term_empty", percent=D("300"),
                      empty_since=date(2016, 7, 1)),
    ])  # fmt: skip
    assert [(p.start, p.given.premium_percent) for p in cut] == [
        (date(2026, 4, 1), D("200")),
        (date(2026, 7, 1), D("300")),
    ]
    # £1,825 band D: 91 days at 300% more is 1,825 × 3 × 91/365 = 1,365.00; 274 days at 4 × 1,825 × 274/365 = 5,480.00.
    assert [item.charge for item in year_charge(YEAR, cut).pieces] == [D("1365.00"), D("5480.00")]


def test_second_home_premium_is_capped_at_the_years_maximum():
    [piece] = pieces(reductions=[ReductionFact("premium", date(2026, 4, 1), None, "second_home", percent=D("150"))])
    assert piece.given.premium_percent == D("100")
    assert piece.notes == ("Band D", "Second home premium (100%)")


def test_exemption_and_disabled_band_reach_the_engine():
    cut = pieces(reductions=[
        ReductionFact("exemption", date(2026, 4, 1), date(2026, 6, 30), "F"),
        ReductionFact("disabled_band", date(2026, 7, 1)),
    ])  # fmt: skip
    assert [(p.given.exemption_class, p.given.disabled_band_reduction) for p in cut] == [("F", False), (None, True)]
    assert cut[0].notes[1].startswith("Exempt, class F (unoccupied, left by a person who has died")
    # Band C for 274 days: 1,825 × 8/9 = 1,622.22 a year × 274/365 = 1,217.78.
    assert year_charge(YEAR, cut).charge == D("1217.78")


def test_business_rates_pieces_cut_at_the_end_of_the_free_months():
    cut = hereditament_pieces(
        financial_year=YEAR, values=[(date(2023, 4, 1), D("30000"))], retail_hospitality_leisure=False,
        liability=[(date(2026, 4, 1), None)],
        reductions=[ReductionFact("empty_property", date(2026, 5, 1), None, "ordinary")],
    )  # fmt: skip
    assert [(p.start, p.end) for p in cut] == [
        (date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 5, 1), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2027, 3, 31)),
    ]  # fmt: skip
    charged = year_charge(YEAR, cut)
    assert charged.pieces[1].charge == D("0.00")
    # 12,960.00 a year: 30 days (1,065.21) and 243 days (8,628.16) are charged.
    assert charged.charge == D("1065.21") + D("8628.16")


def test_year_charge_refuses_pieces_that_do_not_fit():
    [piece] = pieces()
    with pytest.raises(InputError):
        year_charge("2025-26", [piece])
    shifted = ChargePiece(piece.start, piece.end - timedelta(days=1), piece.given, piece.notes)
    with pytest.raises(InputError):
        year_charge(YEAR, [shifted])
    assert year_charge(YEAR, []).steps == ("Not liable in 2026-27: nothing to pay.",)
