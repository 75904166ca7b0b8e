"""Recording reductions on accounts: each field checked with a message naming it, nothing written on bad input,
audited, and a change reaching back into a billed year re-bills it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import Actor
from borough.core.models import AuditEvent
from borough.revenues.billing.services import bill_issue
from borough.revenues.calc.year_charge import year_charge
from borough.revenues.models import Bill, Reduction
from borough.revenues.selectors import charge_pieces
from borough.revenues.services import council_tax_reduction_award, reduction_add, reduction_end
from borough.revenues.tests.factories import make_account
from borough.revenues.tests.reductions.helpers import make_business_account

YEAR = "2026-27"
D = Decimal


def errors_of(call, **values):
    with pytest.raises(ValidationError) as caught:
        call(**values)
    return caught.value.message_dict


@pytest.fixture
def account(council):
    return make_account(council, start=date(2026, 4, 1))


def test_a_discount_is_recorded_audited_and_charged(council, band_d, account):
    reduction = reduction_add(
        account=account,
        kind="discount",
        code="single_person",
        start=date(2026, 6, 14),
        reason="Lives alone",
        actor=Actor.system("officer 7"),
    )
    assert (reduction.code, reduction.end) == ("single_person", None)
    event = AuditEvent.objects.get(action="revenues.reduction_add")
    assert event.actor_label == "officer 7"
    assert event.changes["code"] == [None, "single_person"]
    # 74 days at £5, then 291 days at 75%: 1,368.75 × 291/365 = 1,091.25.
    assert year_charge(YEAR, charge_pieces(account=account, financial_year=YEAR)).charge == D("370.00") + D("1091.25")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kind": "rebate"}, "kind", "Choose one of"),
        ({"kind": "small_business"}, "kind", "business properties only"),
        ({"kind": "discount", "code": "two_cats"}, "code", "not one of"),
        ({"kind": "exemption", "code": "A"}, "code", "not one of"),  # class A was abolished in England in 2013
        ({"kind": "discount", "code": "single_person", "percent": "25"}, "percent", "Only a premium"),
        ({"kind": "disabled_band", "amount": "10"}, "amount", "Only a council tax reduction"),
        ({"kind": "council_tax_reduction", "amount": "-1", "end": date(2026, 9, 30)}, "amount", "0 or more"),
        ({"kind": "council_tax_reduction", "amount": "1.234", "end": date(2026, 9, 30)}, "amount", "decimal places"),
        ({"kind": "council_tax_reduction", "amount": "10"}, "end", "Enter a date"),
        ({"kind": "disabled_band", "end": date(2026, 4, 30)}, "end", "before the start"),
        ({"kind": "premium", "code": "long_term_empty", "percent": "100"}, "empty_since", "became empty"),
        ({"kind": "premium", "code": "second_home", "percent": "150"}, "percent", "at most 100%"),
        (
            {"kind": "premium", "code": "long_term_empty", "percent": "400", "empty_since": date(2020, 1, 1)},
            "percent",
            "at most 300%",
        ),
        (
            {
                "kind": "premium",
                "code": "long_term_empty",
                "percent": "300",
                "empty_since": date(2020, 1, 1),
                "end": date(2027, 3, 31),
            },
            "percent",
            "empty 7 years, at most 200%",
        ),
        (
            {
                "kind": "premium",
                "code": "long_term_empty",
                "percent": "100",
                "empty_since": date(2026, 4, 1),
                "end": date(2026, 12, 31),
            },
            "percent",
            "not have been empty a year",
        ),
        ({"kind": "disabled_band", "start": date(2026, 3, 1)}, "start", "liability periods"),
        ({"kind": "disabled_band", "reason": "x" * 301}, "reason", "at most 300"),
        ({"kind": "disabled_band", "empty_since": date(2026, 1, 1)}, "empty_since", "Only a premium"),
        ({"kind": "disabled_band", "start": "2026-05-01"}, "start", "Enter a date"),
        ({"kind": "premium", "code": "second_home", "percent": "lots"}, "percent", "Enter a number"),
        ({"kind": "council_tax_reduction", "amount": True, "end": date(2026, 9, 30)}, "amount", "Enter a number"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(council, account, values, field, words):
    given = {"account": account, "start": date(2026, 5, 1), **values}
    messages = errors_of(reduction_add, **given)
    assert field in messages, messages
    assert words in " ".join(messages[field])
    assert not Reduction.objects.exists()
    assert not AuditEvent.objects.filter(action="revenues.reduction_add").exists()


def test_a_premium_at_300_is_accepted_where_it_could_apply(council, account):
    premium = reduction_add(
        account=account,
        kind="premium",
        code="long_term_empty",
        percent="300",
        start=date(2026, 5, 1),
        empty_since=date(2016, 1, 1),
    )
    assert premium.percent == D("300")


def test_exemption_classes_follow_the_councils_country(welsh_council):
    account = make_account(welsh_council, start=date(2026, 4, 1))
    # Class A (structural repair) still exists in Wales (SI 1992/558 art. 3 as it applies in Wales).
    exemption = reduction_add(account=account, kind="exemption", code="a", start=date(2026, 5, 1))
    assert exemption.code == "A"
    assert (
        "not one of"
        in errors_of(reduction_add, account=account, kind="discount", code="A", start=date(2026, 5, 1))["code"][0]
    )


def test_relief_kinds_fit_the_property(council):
    shop = make_business_account(council)
    assert "kind" in errors_of(
        reduction_add, account=shop, kind="discount", code="single_person", start=date(2026, 5, 1)
    )
    relief = reduction_add(account=shop, kind="small_business", start=date(2026, 4, 1))
    assert relief.kind == "small_business"
    messages = errors_of(reduction_add, account=shop, kind="empty_property", code="vacant", start=date(2026, 5, 1))
    assert "ordinary" in messages["code"][0]
    assert "amount" in errors_of(reduction_add, account=shop, kind="transitional", start=date(2026, 4, 1))


def test_the_same_kind_may_not_overlap_and_discounts_and_premiums_never_meet(council, account):
    reduction_add(account=account, kind="discount", code="single_person", start=date(2026, 5, 1), end=date(2026, 8, 31))
    messages = errors_of(
        reduction_add, account=account, kind="discount", code="all_disregarded", start=date(2026, 8, 1)
    )
    assert "overlaps" in messages["start"][0]
    messages = errors_of(
        reduction_add, account=account, kind="premium", code="second_home", percent="100", start=date(2026, 8, 31)
    )
    assert "discount and a premium" in messages["kind"][0]
    # The day after the discount ends, either may start.
    reduction_add(account=account, kind="discount", code="all_disregarded", start=date(2026, 9, 1))
    assert Reduction.objects.count() == 2


def test_ending_a_reduction(council, account):
    discount = reduction_add(account=account, kind="discount", code="single_person", start=date(2026, 5, 1))
    assert (
        "before the reduction's start" in errors_of(reduction_end, reduction=discount, end=date(2026, 4, 30))["end"][0]
    )
    ended = reduction_end(reduction=discount, end=date(2026, 10, 31))
    assert ended.end == date(2026, 10, 31)
    assert "brought forward" in errors_of(reduction_end, reduction=ended, end=date(2026, 11, 30))["end"][0]
    event = AuditEvent.objects.get(action="revenues.reduction_end")
    assert event.changes["end"] == [None, "2026-10-31"]


def test_the_benefits_module_hands_over_an_award(council, band_d, account):
    award = council_tax_reduction_award(
        account=account, start=date(2026, 4, 1), end=date(2027, 3, 31), amount="365.00", reference="CTR-0042/1"
    )
    assert (award.kind, award.amount, award.reason) == (
        "council_tax_reduction",
        D("365.00"),
        "Council tax reduction award CTR-0042/1",
    )
    assert year_charge(YEAR, charge_pieces(account=account, financial_year=YEAR)).charge == D("1460.00")
    assert "reference" in errors_of(
        council_tax_reduction_award,
        account=account,
        start=date(2027, 1, 1),
        end=date(2027, 3, 31),
        amount="10",
        reference="  ",
    )
    assert "benefits module" in errors_of(reduction_end, reduction=award, end=date(2026, 9, 30))["end"][0]
    # A revised award from 1 January: the first is cut to 275 days, 365.00 × 275/365 = 275.00, and the new one
    # (45.00 for January to March) added: 1,825.00 − 275.00 − 45.00 = 1,505.00.
    revised = council_tax_reduction_award(
        account=account, start=date(2027, 1, 1), end=date(2027, 3, 31), amount="45.00", reference="CTR-0042/2"
    )
    award.refresh_from_db()
    assert (award.end, award.amount, revised.amount) == (date(2026, 12, 31), D("275.00"), D("45.00"))
    assert year_charge(YEAR, charge_pieces(account=account, financial_year=YEAR)).charge == D("1505.00")
    # Another award from the same day overlaps the revised one: refused, nothing changed.
    messages = errors_of(council_tax_reduction_award, account=account, start=date(2027, 1, 1), end=date(2027, 2, 28),
                         amount="10", reference="CTR-0042/3")  # fmt: skip
    assert "overlaps" in messages["start"][0]
    assert Reduction.objects.count() == 2


def test_a_revised_award_amends_the_bill_once(council, band_d, account):
    bill_issue(account=account, financial_year=YEAR, issued_on=date(2026, 3, 10))
    council_tax_reduction_award(account=account, start=date(2026, 4, 1), end=date(2027, 3, 31), amount="365.00",
                                reference="CTR-7/1")  # fmt: skip
    council_tax_reduction_award(account=account, start=date(2026, 10, 1), end=date(2026, 12, 31), amount="92.00",
                                reference="CTR-7/2")  # fmt: skip
    # 1 April to 30 September keeps 183 days of the first award (183.00); October to December gets 92.00; January to
    # March has none: 1,825.00 − 183.00 − 92.00 = 1,550.00. Two changes, two amended bills, not three.
    current = Bill.objects.get(account=account, superseded_on__isnull=True)
    assert current.charge == D("1550.00")
    assert Bill.objects.filter(account=account).count() == 3


def test_a_change_reaching_into_a_billed_year_amends_its_bill(council, band_d, account):
    annual = bill_issue(account=account, financial_year=YEAR, issued_on=date(2026, 3, 10))
    assert annual.charge == D("1825.00")
    reduction_add(account=account, kind="discount", code="single_person", start=date(2026, 6, 14))
    current = Bill.objects.get(account=account, superseded_on__isnull=True)
    assert (current.kind, current.charge) == (Bill.Kind.AMENDED, D("1461.25"))
    assert "single person" in current.steps[0]
    # A reduction wholly in a year not yet billed leaves the bills alone.
    reduction_end(reduction=Reduction.objects.get(), end=date(2027, 3, 31))
    assert Bill.objects.count() == 2
