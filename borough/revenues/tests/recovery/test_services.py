"""Liability orders, holds and arrangements: what they write and the field-level errors for bad input."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.revenues.models import Arrangement, LedgerEntry, RecoveryAction, RecoveryHold, RevenuesSettings
from borough.revenues.recovery.services import (
    arrangement_make,
    arrangement_proposal,
    liability_order_record,
    recovery_hold_place,
    recovery_hold_release,
)
from borough.revenues.tests.recovery.conftest import bill_account, pay, run_on

pytestmark = pytest.mark.django_db
HEARING = date(2026, 5, 20)


def _summonsed(council):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    run_on(council, date(2026, 4, 29), hearing_date=HEARING.isoformat())
    return account, RecoveryAction.objects.get(account=account, stage="summons")


def test_liability_order_with_costs(council, media):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account, summons = _summonsed(council)
    pay(account, date(2026, 5, 2), "100")
    [order] = liability_order_record(summonses=[summons], hearing_date=HEARING, costs=Decimal("15.00"), today=HEARING)
    # Unpaid: 1,500 + 70 summons costs - 100 paid = 1,470; the order adds the court's 15 costs.
    assert (order.stage, order.amount, order.costs, order.hearing_date) == (
        "liability_order",
        Decimal("1485.00"),
        Decimal("15.00"),
        HEARING,
    )
    costs = LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.COSTS).order_by("pk")
    assert [(c.amount, c.source_key) for c in costs] == [
        (Decimal("70.00"), f"recovery:summons:{summons.pk}"),
        (Decimal("15.00"), f"recovery:liability_order:{order.pk}"),
    ]
    assert AuditEvent.objects.filter(action="revenues.recovery_liability_order", object_id=str(account.pk)).exists()
    assert any("liability order" in line for line in order.detail["lines"])


def test_liability_order_uses_the_councils_costs_by_default(council, media):
    RevenuesSettings.objects.create(tenant=council, liability_order_costs=Decimal("40.00"))
    _account, summons = _summonsed(council)
    [order] = liability_order_record(summonses=[summons], hearing_date=HEARING, today=HEARING)
    assert order.costs == Decimal("40.00")


def test_liability_order_twice_is_refused(council, media):
    _account, summons = _summonsed(council)
    liability_order_record(summonses=[summons], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)
    with pytest.raises(ValidationError) as caught:
        liability_order_record(summonses=[summons], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)
    assert "already recorded" in str(caught.value.message_dict["summonses"])


@pytest.mark.parametrize(
    ("hearing", "costs", "field"),
    [
        (date(2026, 5, 12), Decimal("10"), "hearing_date"),  # 13 days after the summons: reg. 35(2A)
        (date(2099, 1, 1), Decimal("10"), "hearing_date"),  # in the future
        (HEARING, Decimal("-1"), "costs"),
        (HEARING, Decimal("1.234"), "costs"),
        (HEARING, "lots", "costs"),
    ],
)
def test_liability_order_bad_input_names_the_field_and_writes_nothing(council, media, hearing, costs, field):
    _account, summons = _summonsed(council)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        liability_order_record(summonses=[summons], hearing_date=hearing, costs=costs, today=HEARING)
    assert field in caught.value.message_dict
    assert not RecoveryAction.objects.filter(stage="liability_order").exists()
    assert LedgerEntry.objects.count() == entries


def test_liability_order_refused_when_paid(council, media):
    account, summons = _summonsed(council)
    pay(account, date(2026, 5, 2), "1500")
    with pytest.raises(ValidationError, match="paid"):
        liability_order_record(summonses=[summons], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)


def test_liability_order_needs_a_summons(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    reminder = RecoveryAction.objects.get(account=account)
    with pytest.raises(ValidationError, match="not a summons"):
        liability_order_record(summonses=[reminder], hearing_date=HEARING, costs=Decimal("0"), today=HEARING)
    with pytest.raises(ValidationError) as caught:
        liability_order_record(summonses=[], hearing_date=HEARING, today=HEARING)
    assert "summonses" in caught.value.message_dict


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"reason": "Bad\x00"}, "reason"),
        ({"reason": "Dispute", "until": date(2026, 3, 31)}, "until"),
    ],
)
def test_hold_bad_input(council, values, field):
    account = bill_account(council)
    with pytest.raises(ValidationError) as caught:
        recovery_hold_place(account=account, today=date(2026, 4, 1), **values)
    assert field in caught.value.message_dict
    assert not RecoveryHold.objects.exists()


def test_one_live_hold_at_a_time_and_release_once(council):
    account = bill_account(council)
    hold = recovery_hold_place(account=account, reason="Dispute", today=date(2026, 4, 1))
    with pytest.raises(ValidationError) as caught:
        recovery_hold_place(account=account, reason="Again", today=date(2026, 4, 1))
    assert "account" in caught.value.message_dict
    recovery_hold_release(hold=hold)
    with pytest.raises(ValidationError):
        recovery_hold_release(hold=hold)
    actions = set(AuditEvent.objects.filter(object_id=str(account.pk)).values_list("action", flat=True))
    assert {"revenues.recovery_hold", "revenues.recovery_hold_release"} <= actions


def test_arrangement_must_clear_what_is_owed(council, media):
    account = bill_account(council)
    made_on = date(2026, 4, 25)
    with pytest.raises(ValidationError) as caught:
        arrangement_make(
            account=account, financial_year="2026-27", instalments=[(date(2026, 5, 1), Decimal("100"))], made_on=made_on
        )
    assert "£1,500.00" in str(caught.value.message_dict["instalments"])
    plan = arrangement_proposal(
        account=account, financial_year="2026-27", first=date(2026, 5, 1), count=4, today=made_on
    )
    assert sum(amount for _day, amount in plan) == Decimal("1500.00")
    arrangement = arrangement_make(account=account, financial_year="2026-27", instalments=plan, made_on=made_on)
    assert (arrangement.status, arrangement.total, len(arrangement.instalments)) == ("live", Decimal("1500.00"), 4)
    with pytest.raises(ValidationError) as caught:
        arrangement_make(account=account, financial_year="2026-27", instalments=plan, made_on=made_on)
    assert "financial_year" in caught.value.message_dict


@pytest.mark.parametrize(
    ("year", "instalments", "field"),
    [
        ("2026-28", [(date(2026, 5, 1), Decimal("1500"))], "financial_year"),
        ("2026-27", [], "instalments"),
        ("2026-27", [(date(2026, 4, 1), Decimal("1500"))], "instalments"),  # before the day it is made
        ("2026-27", [(date(2026, 6, 1), Decimal("750")), (date(2026, 5, 1), Decimal("750"))], "instalments"),
        ("2026-27", [(date(2026, 5, 1), Decimal("0")), (date(2026, 6, 1), Decimal("1500"))], "instalments"),
        ("2026-27", [(date(2026, 5, 1), Decimal("1499.999"))], "instalments"),
        ("2026-27", [("soon", Decimal("1500"))], "instalments"),
    ],
)
def test_arrangement_bad_input(council, year, instalments, field):
    account = bill_account(council)
    with pytest.raises(ValidationError) as caught:
        arrangement_make(account=account, financial_year=year, instalments=instalments, made_on=date(2026, 4, 25))
    assert field in caught.value.message_dict
    assert not Arrangement.objects.exists()


def test_nothing_owed_no_arrangement(council):
    account = bill_account(council)
    pay(account, date(2026, 4, 1), "1500")
    with pytest.raises(ValidationError, match="Nothing is owed"):
        arrangement_proposal(
            account=account, financial_year="2026-27", first=date(2026, 5, 1), count=2, today=date(2026, 4, 25)
        )
