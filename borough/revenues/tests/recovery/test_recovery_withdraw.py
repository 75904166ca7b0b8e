"""Withdrawing a recovery stage issued in error, or a summons paid before the hearing: costs taken off by a ledger
entry when issued in error, audited, and not issued again for the same instalments unless they fall due again."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.revenues.models import Bill, LedgerEntry, RecoveryAction, RevenuesSettings
from borough.revenues.recovery.withdrawal import recovery_withdraw
from borough.revenues.tests.recovery.conftest import bill_account, pay, run_on, stages

pytestmark = pytest.mark.django_db
R, F, S = "reminder", "final_notice", "summons"
BASE = "/staff/revenues/recovery/"


def stage(account, name):
    return RecoveryAction.objects.get(account=account, stage=name)


def to_summons(council, account):
    for day in (date(2026, 4, 8), date(2026, 4, 22), date(2026, 4, 29)):
        run_on(council, day)
    return stage(account, S)


def test_a_reminder_withdrawn_in_error_is_not_issued_again_for_the_same_instalment(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    withdrawn = recovery_withdraw(
        action=stage(account, R), grounds="error", reason="Direct debit was set up late", today=date(2026, 4, 9)
    )
    assert (withdrawn.status, withdrawn.withdrawn_on, withdrawn.withdrawal_grounds) == (
        "withdrawn",
        date(2026, 4, 9),
        "error",
    )
    assert withdrawn.withdrawal_reason == "Direct debit was set up late"
    event = AuditEvent.objects.get(action="revenues.recovery_withdraw")
    assert event.object_id == str(account.pk) and event.changes["status"] == ["issued", "withdrawn"]
    for day in (date(2026, 4, 10), date(2026, 4, 22), date(2026, 4, 30)):
        run_on(council, day)
    assert stages(account) == [(R, "withdrawn")]
    # A later instalment missed is recovered as usual.
    run_on(council, date(2026, 5, 8))
    assert stages(account) == [(R, "withdrawn"), (R, "issued")]


def test_instalments_that_fall_due_again_on_a_new_bill_are_reminded(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    recovery_withdraw(action=stage(account, R), grounds="error", reason="Wrong band", today=date(2026, 4, 9))
    Bill.objects.filter(account=account).update(superseded_on=date(2026, 4, 10))
    Bill.objects.create(
        tenant=council,
        account=account,
        financial_year="2026-27",
        kind=Bill.Kind.AMENDED,
        number=f"2026-27/{account.number}/2",
        issued_on=date(2026, 4, 10),
        charge=Decimal("1350.00"),
        balance=Decimal("1350.00"),
        instalments=[[date(2026, 4 + n, 12).isoformat(), "150.00"] for n in range(9)],
    )
    # 12 April falls within the withdrawn reminder's days (to 14 April), but on a bill issued after it.
    run_on(council, date(2026, 4, 19))
    assert stages(account) == [(R, "withdrawn"), (R, "issued")]


def test_a_summons_withdrawn_in_error_has_its_costs_taken_off_and_is_not_sought_again(council, media):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account = bill_account(council)
    summons = to_summons(council, account)
    recovery_withdraw(action=summons, grounds="error", reason="Payment misposted", today=date(2026, 4, 30))
    charge, reversal = LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.COSTS).order_by("pk")
    assert (charge.amount, reversal.amount, reversal.reverses_id) == (Decimal("70.00"), Decimal("-70.00"), charge.pk)
    assert reversal.posted_on == date(2026, 4, 30)
    assert AuditEvent.objects.filter(action="revenues.costs_reverse").count() == 1
    run_on(council, date(2026, 5, 1))
    assert stages(account) == [(R, "issued"), (F, "issued"), (S, "withdrawn")]
    # The summons is off the hearing list.
    page_summonses = RecoveryAction.objects.filter(stage=S, status="issued")
    assert not page_summonses.exists()


def test_a_summons_paid_before_the_hearing_is_withdrawn_and_the_costs_stay(council, media):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account = bill_account(council)
    summons = to_summons(council, account)
    with pytest.raises(ValidationError) as error:
        recovery_withdraw(action=summons, grounds="paid", reason="Paid in full", today=date(2026, 4, 30))
    assert "£1,570.00 is still owed" in error.value.message_dict["grounds"][0]
    assert "reg. 34(5)" in error.value.message_dict["grounds"][0]
    pay(account, date(2026, 4, 30), "1570.00")
    withdrawn = recovery_withdraw(action=summons, grounds="paid", reason="Paid in full", today=date(2026, 4, 30))
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawal_grounds == "paid"
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.COSTS).count() == 1  # costs stay


def test_a_summons_cannot_be_withdrawn_as_paid_after_its_hearing(council, media):
    account = bill_account(council)
    summons = to_summons(council, account)
    with pytest.raises(ValidationError) as error:
        recovery_withdraw(action=summons, grounds="paid", reason="Paid", today=summons.hearing_date.replace(day=28))
    assert "The hearing was on" in error.value.message_dict["grounds"][0]


def test_refusals_name_the_field(council, media):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22)):
        run_on(council, day)
    reminder, final = stage(account, R), stage(account, F)
    cases = [
        ({"action": reminder, "grounds": "error", "reason": "x"}, "action", "withdraw it first"),
        ({"action": final, "grounds": "paid", "reason": "x"}, "grounds", "Only a summons"),
        ({"action": final, "grounds": "oops", "reason": "x"}, "grounds", "Choose why"),
        ({"action": final, "grounds": "error", "reason": "   "}, "reason", "Enter a value"),
        ({"action": final, "grounds": "error", "reason": "x" * 301}, "reason", "at most 300"),
    ]
    for arguments, field, message in cases:
        with pytest.raises(ValidationError) as error:
            recovery_withdraw(**arguments, today=date(2026, 4, 23))
        assert message in " ".join(error.value.message_dict[field]), arguments
    assert stages(account) == [(R, "issued"), (F, "issued")]
    recovery_withdraw(action=final, grounds="error", reason="Sent in error", today=date(2026, 4, 23))
    with pytest.raises(ValidationError) as error:
        recovery_withdraw(action=final, grounds="error", reason="Again", today=date(2026, 4, 23))
    assert "already withdrawn" in error.value.message_dict["action"][0]
    # With the final notice gone, the reminder may be withdrawn too.
    recovery_withdraw(action=reminder, grounds="error", reason="Sent in error", today=date(2026, 4, 23))
    run_on(council, date(2026, 4, 24))
    assert stages(account) == [(R, "withdrawn"), (F, "withdrawn")]


@pytest.fixture
def officer(council, make_staff, client_for):
    return client_for(council, make_staff(council, roles=("revenues.officer",)))


def test_the_withdraw_page(council, officer, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    reminder = stage(account, R)
    recovery = officer.get(f"{BASE}account/", {"number": account.number}).content.decode()
    assert f"{BASE}withdraw/?id={reminder.pk}" in recovery
    page = officer.get(f"{BASE}withdraw/", {"id": reminder.pk})
    assert page.status_code == 200 and "Withdraw the reminder" in page.content.decode()
    bad = officer.post(f"{BASE}withdraw/", {"action": reminder.pk, "grounds": "paid", "reason": "Paid"})
    assert bad.status_code == 400 and "Only a summons" in bad.content.decode()
    empty = officer.post(f"{BASE}withdraw/", {"action": reminder.pk, "grounds": "", "reason": ""})
    assert empty.status_code == 400 and "Say why the stage is withdrawn" in empty.content.decode()
    assert stage(account, R).status == "issued"
    done = officer.post(f"{BASE}withdraw/", {"action": reminder.pk, "grounds": "error", "reason": "Wrong account"})
    assert done.status_code == 302
    assert stage(account, R).status == "withdrawn"
    after = officer.get(f"{BASE}account/", {"number": account.number}).content.decode()
    assert "Withdrawn: Wrong account" in after
    assert officer.get(f"{BASE}withdraw/", {"id": 999999}).status_code == 404
