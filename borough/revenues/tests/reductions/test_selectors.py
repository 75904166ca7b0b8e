"""The pieces an account's year is charged in, read in bulk: cut at liability, reductions, band changes and the
long-term empty premium's thresholds, and charged by year_charge."""

from datetime import date
from decimal import Decimal

from borough.revenues.calc.year_charge import year_charge
from borough.revenues.selectors import charge_pieces, charge_pieces_for_accounts
from borough.revenues.services import dwelling_update, hereditament_save, reduction_add
from borough.revenues.tests.factories import make_account, make_dwelling
from borough.revenues.tests.reductions.helpers import make_business_account

YEAR = "2026-27"
D = Decimal


def reduce(account, kind, start, end=None, **values):
    return reduction_add(account=account, kind=kind, start=start, end=end, **values)


def spans(pieces):
    return [(piece.start, piece.end) for piece in pieces]


def test_a_whole_year_at_one_band_is_one_piece(council, band_d):
    account = make_account(council, make_dwelling(council, band="D"), start=date(2020, 1, 1))
    [piece] = charge_pieces(account=account, financial_year=YEAR)
    assert (piece.start, piece.end, piece.notes) == (date(2026, 4, 1), date(2027, 3, 31), ("Band D",))
    assert [p.authority for p in piece.given.band_d] == ["Northfield DC", "Midshire CC"]
    assert year_charge(YEAR, [piece]).charge == D("1825.00")


def test_not_liable_in_the_year_has_no_pieces(council, band_d):
    later = make_account(council, start=date(2027, 4, 1))
    assert charge_pieces(account=later, financial_year=YEAR) == []
    assert year_charge(YEAR, []).charge == D("0.00")


def test_band_change_in_the_year_cuts_the_year(council, band_d):
    dwelling = make_dwelling(council, band="D", band_effective_from=date(1993, 4, 1))
    account = make_account(council, dwelling, start=date(2026, 4, 1))
    dwelling_update(dwelling=dwelling, band="E", band_effective_from=date(2026, 10, 1))
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert spans(pieces) == [(date(2026, 4, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2027, 3, 31))]
    assert [p.given.band for p in pieces] == ["D", "E"]
    # 183 days at £5 a day, then 182 days at 11/9 of band D: £2,230.56 a year × 182/365.
    assert [c.charge for c in year_charge(YEAR, pieces).pieces] == [D("915.00"), D("1112.22")]


def test_discount_start_and_end_cut_the_year(council, band_d):
    account = make_account(council, start=date(2026, 4, 1))
    reduce(account, "discount", date(2026, 6, 14), date(2026, 12, 31), code="single_person")
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert spans(pieces) == [
        (date(2026, 4, 1), date(2026, 6, 13)),
        (date(2026, 6, 14), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]
    assert [p.given.discounts for p in pieces] == [(), ("single_person",), ()]
    assert "Single person discount (one adult resident) (25%)" in pieces[1].notes
    # 74 days at £5, 201 days at £3.75 (1,368.75 a year), 90 days at £5.
    assert year_charge(YEAR, pieces).charge == D("370.00") + D("753.75") + D("450.00")


def test_long_term_empty_premium_rises_at_five_years(council, band_d):
    account = make_account(council, start=date(2026, 4, 1))
    reduce(account, "premium", date(2026, 4, 1), code="long_term_empty", percent=D("200"), empty_since=date(2021, 9, 1))
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert spans(pieces) == [(date(2026, 4, 1), date(2026, 8, 31)), (date(2026, 9, 1), date(2027, 3, 31))]
    assert [p.given.premium_percent for p in pieces] == [D("100"), D("200")]  # capped at 100% before 5 years
    assert "Long-term empty premium (200%, empty 5 years or more)" in pieces[1].notes


def test_premium_waits_for_a_year_empty(council, band_d):
    account = make_account(council, start=date(2026, 4, 1))
    reduce(
        account, "premium", date(2026, 4, 1), code="long_term_empty", percent=D("100"), empty_since=date(2025, 11, 1)
    )
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert [(p.start, p.given.premium_percent) for p in pieces] == [
        (date(2026, 4, 1), D("0")),
        (date(2026, 11, 1), D("100")),
    ]


def test_council_tax_reduction_award_is_spread_by_days_to_the_penny(council, band_d):
    account = make_account(council, start=date(2026, 4, 1))
    reduce(account, "discount", date(2026, 7, 1), code="single_person")
    reduce(account, "council_tax_reduction", date(2026, 5, 1), date(2026, 8, 31), amount=D("100.00"))
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert spans(pieces) == [
        (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2027, 3, 31)),
    ]
    # 61 + 62 days of a 123-day award of £100: 49.59 and the rest, 50.41.
    assert [p.given.council_tax_reduction for p in pieces] == [D("0"), D("49.59"), D("50.41"), D("0")]


def test_business_rates_pieces_cut_at_a_value_change(council):
    account = make_business_account(council, rateable_value=20000)
    hereditament_save(
        tenant=council,
        values={
            "voa_reference": "B1",
            "address_line_1": "1 Mill Lane",
            "rateable_value": 25000,
            "value_effective_from": date(2027, 1, 1),
        },
    )
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert [(p.start, p.given.rateable_value) for p in pieces] == [
        (date(2026, 4, 1), D("20000")),
        (date(2027, 1, 1), D("25000")),
    ]
    assert pieces[0].notes == ("Rateable value £20,000",)


def test_queries_do_not_grow_with_accounts(council, band_d, django_assert_max_num_queries):
    accounts = [make_account(council, start=date(2026, 4, 1) if n % 2 else date(2026, 9, 1)) for n in range(50)]
    for account in accounts[::5]:
        reduce(account, "discount", date(2026, 10, 1), code="single_person")
    ids = [account.pk for account in accounts] + [10**9]  # an id that is no account is left out
    with django_assert_max_num_queries(8):
        pieces = charge_pieces_for_accounts(tenant=council, financial_year=YEAR, account_ids=ids)
    assert sorted(pieces) == sorted(account.pk for account in accounts)
    assert sum(len(p) for p in pieces.values()) == 60


def test_business_rates_reliefs_and_empty_free_months_through_the_selector(council):
    account = make_business_account(council, rateable_value=30000)
    reduce(account, "transitional", date(2026, 4, 1), amount=D("10000.00"))
    reduce(account, "empty_property", date(2026, 9, 1), code="ordinary")
    pieces = charge_pieces(account=account, financial_year=YEAR)
    assert [(p.start, p.end) for p in pieces] == [
        (date(2026, 4, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2027, 3, 31)),
    ]
    assert [p.given.empty for p in pieces] == [None, "ordinary", "ordinary"]
    assert all(p.given.transitional_base == D("10000.00") for p in pieces)
    charged = year_charge(YEAR, pieces)
    # Capped at 10,000 × 115% = 11,500.00 a year: 153 days 4,820.55; 91 free days 0; 121 days 3,812.33.
    assert [item.charge for item in charged.pieces] == [D("4820.55"), D("0.00"), D("3812.33")]
