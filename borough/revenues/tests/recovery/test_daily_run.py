"""The daily recovery run against real bills and payments: each stage on its day, nothing twice."""

import csv
from datetime import date, timedelta
from decimal import Decimal

import pytest

from borough.core.models import AuditEvent, Run
from borough.core.runs import run_file
from borough.revenues.models import Arrangement, LedgerEntry, RecoveryAction, RevenuesSettings
from borough.revenues.recovery.services import arrangement_make, recovery_hold_place, recovery_hold_release
from borough.revenues.tests.recovery.conftest import bill_account, pay, run_on, stages

pytestmark = pytest.mark.django_db

R, R2, F, S = "reminder", "second_reminder", "final_notice", "summons"
ISSUED, PAID = "issued", "paid"


def test_a_missed_instalment_gets_a_reminder_after_the_set_days(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 7))
    assert stages(account) == []
    run = run_on(council, date(2026, 4, 8))
    assert run.status == Run.Status.SUCCEEDED, run.errors
    reminder = RecoveryAction.objects.get(account=account)
    assert (reminder.stage, reminder.amount, reminder.pay_by) == (R, Decimal("150.00"), date(2026, 4, 14))
    assert reminder.detail["account_number"] == account.number
    assert any("£150.00" in line for line in reminder.detail["lines"])
    assert reminder.detail["steps"]
    assert run.result["reminder"] == 1
    event = AuditEvent.objects.get(action="revenues.recovery_reminder")
    assert (event.object_type, event.object_id) == ("revenues.account", str(account.pk))


def test_the_run_twice_the_same_day_issues_nothing_twice(council, media):
    accounts = [bill_account(council) for _ in range(3)]
    pay(accounts[0], date(2026, 4, 1), "150")
    first = run_on(council, date(2026, 4, 8))
    second = run_on(council, date(2026, 4, 8))
    assert first.result["reminder"] == 2
    assert second.result["reminder"] == 0
    assert RecoveryAction.objects.count() == 2
    assert [stages(a) for a in accounts] == [[], [(R, ISSUED)], [(R, ISSUED)]]


def test_paid_within_seven_days_nothing_more_and_the_reminder_is_marked_paid(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    pay(account, date(2026, 4, 12), "150")
    run_on(council, date(2026, 4, 22))
    assert stages(account) == [(R, PAID)]


def test_not_paid_instalments_lost_then_final_notice_then_summons(council, media):
    RevenuesSettings.objects.create(tenant=council, summons_costs=Decimal("70.00"))
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    run_on(council, date(2026, 4, 21))
    assert stages(account) == [(R, ISSUED)]
    run_on(council, date(2026, 4, 22))
    final = RecoveryAction.objects.get(account=account, stage=F)
    assert (final.amount, final.pay_by) == (Decimal("1500.00"), date(2026, 4, 28))
    run_on(council, date(2026, 4, 28))
    assert stages(account) == [(R, ISSUED), (F, ISSUED)]
    run = run_on(council, date(2026, 4, 29), hearing_date="2026-05-20")
    summons = RecoveryAction.objects.get(account=account, stage=S)
    assert (summons.amount, summons.costs, summons.hearing_date) == (
        Decimal("1500.00"),
        Decimal("70.00"),
        date(2026, 5, 20),
    )
    costs = LedgerEntry.objects.get(account=account, kind=LedgerEntry.Kind.COSTS)
    assert costs.amount == Decimal("70.00")
    path = run_file(run)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [(row["account_number"], row["amount"], row["costs"], row["total"]) for row in rows] == [
        (account.number, "1500.00", "70.00", "1570.00")
    ]
    # Nothing more from the run once summonsed.
    run_on(council, date(2026, 5, 5))
    assert len(stages(account)) == 3


def test_third_late_instalment_gets_a_final_notice_not_a_third_reminder(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    pay(account, date(2026, 4, 10), "150")
    pay(account, date(2026, 5, 1), "150")
    run_on(council, date(2026, 6, 8))
    pay(account, date(2026, 6, 10), "150")
    pay(account, date(2026, 7, 1), "150")
    run_on(council, date(2026, 8, 8))
    assert stages(account) == [(R, PAID), (R2, PAID), (F, ISSUED)]
    assert RecoveryAction.objects.get(stage=F).amount == Decimal("900.00")


def test_a_hold_stops_everything_until_released(council, media):
    account = bill_account(council)
    hold = recovery_hold_place(account=account, reason="Disputed liability", today=date(2026, 4, 1))
    for day in (date(2026, 4, 8), date(2026, 4, 22), date(2026, 5, 1)):
        run = run_on(council, day)
    assert stages(account) == []
    assert run.result["held"] == 1
    recovery_hold_release(hold=hold)
    run_on(council, date(2026, 5, 8))
    assert stages(account) == [(R, ISSUED)]
    assert RecoveryAction.objects.get().amount == Decimal("300.00")


def test_a_hold_with_an_end_date_runs_out(council, media):
    account = bill_account(council)
    recovery_hold_place(
        account=account, reason="Awaiting benefit claim", until=date(2026, 4, 10), today=date(2026, 4, 1)
    )
    run_on(council, date(2026, 4, 10))
    assert stages(account) == []
    run_on(council, date(2026, 4, 11))
    assert stages(account) == [(R, ISSUED)]


def _lost(council):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8))
    run_on(council, date(2026, 4, 22))
    assert stages(account) == [(R, ISSUED), (F, ISSUED)]
    return account


def test_a_kept_arrangement_holds_recovery_and_completes(council, media):
    account = _lost(council)
    plan = [(date(2026, 5, 1), Decimal("750.00")), (date(2026, 6, 1), Decimal("750.00"))]
    arrangement = arrangement_make(
        account=account, financial_year="2026-27", instalments=plan, made_on=date(2026, 4, 25)
    )
    pay(account, date(2026, 5, 1), "750")
    run_on(council, date(2026, 5, 20))
    assert len(stages(account)) == 2  # no summons while it is kept
    pay(account, date(2026, 6, 1), "750")
    run_on(council, date(2026, 6, 2))
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.ended_on) == (Arrangement.Status.KEPT, date(2026, 6, 2))
    assert stages(account) == [(R, PAID), (F, PAID)]


def test_a_broken_arrangement_resumes_recovery(council, media):
    account = _lost(council)
    plan = [(date(2026, 5, 1), Decimal("750.00")), (date(2026, 6, 1), Decimal("750.00"))]
    arrangement = arrangement_make(
        account=account, financial_year="2026-27", instalments=plan, made_on=date(2026, 4, 25)
    )
    run_on(council, date(2026, 5, 7))  # within the grace days
    assert len(stages(account)) == 2
    run_on(council, date(2026, 5, 8))
    arrangement.refresh_from_db()
    assert arrangement.status == Arrangement.Status.BROKEN
    assert Run.objects.latest("created_at").result["arrangements_broken"] == 1
    assert stages(account)[-1] == (S, ISSUED)
    assert AuditEvent.objects.filter(action="revenues.arrangement_broken", object_id=str(account.pk)).exists()


def test_business_rates_account_gets_one_reminder_only(council, media):
    from borough.revenues.models import Hereditament
    from borough.revenues.services import account_open, hereditament_save

    hereditament_save(
        tenant=council,
        values={
            "voa_reference": "BR-H5-1",
            "address_line_1": "1 Market Street",
            "town": "Northfield",
            "postcode": "NF1 2AB",
            "rateable_value": Decimal("20000"),
            "value_effective_from": date(2023, 4, 1),
        },
    )
    shop = Hereditament.objects.get(voa_reference="BR-H5-1")
    account = account_open(tenant=council, hereditament=shop, parties=[{"name": "Shop Ltd"}], start=date(2026, 4, 1))
    bill_account(council, account=account)
    run_on(council, date(2026, 4, 8))
    pay(account, date(2026, 4, 10), "150")
    pay(account, date(2026, 5, 1), "150")
    run_on(council, date(2026, 6, 8))
    assert stages(account) == [(R, PAID)]  # no second reminder: the balance falls due on 9 June (reg. 8(2)(b))
    run_on(council, date(2026, 6, 9))
    assert stages(account) == [(R, PAID), (F, ISSUED)]
    assert "business rates" in RecoveryAction.objects.get(stage=F).detail["title"].lower()


def test_last_years_unpaid_balance_gets_a_final_notice(council, media):
    dates = [date(2025, 4 + n, 1) if n < 9 else date(2026, 1, 1) for n in range(10)]
    account = bill_account(council, dates=dates, year="2025-26")
    run_on(council, date(2026, 4, 8))
    final = RecoveryAction.objects.get(account=account)
    assert (final.stage, final.financial_year, final.amount) == (F, "2025-26", Decimal("1500.00"))


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": (date.today() + timedelta(days=2)).isoformat()}, "date"),
        ({"date": "2026-04-29", "hearing_date": "2026-05-05"}, "hearing_date"),
        ({"date": "2026-04-29", "reminder_after_days": "0"}, "reminder_after_days"),
        ({"date": "2026-04-29", "colour": "red"}, "parameters"),
    ],
)
def test_bad_run_parameters_are_refused_by_field(council, parameters, field):
    from django.core.exceptions import ValidationError

    from borough.core.runs import run_start

    with pytest.raises(ValidationError) as caught:
        run_start(tenant=council, kind="revenues.recovery_daily", parameters=parameters, dispatch=False)
    assert field in caught.value.message_dict
    assert not Run.objects.exists()


def test_reminder_days_can_be_set_for_a_run(council, media):
    account = bill_account(council)
    run_on(council, date(2026, 4, 8), reminder_after_days="14")
    assert stages(account) == []
    run_on(council, date(2026, 4, 15), reminder_after_days="14")
    assert stages(account) == [(R, ISSUED)]


def test_the_engine_reads_arrears_as_the_ledger_does(council):
    """The run spreads payments as borough.revenues.payments.balances does: the same arrears on any day."""
    from borough.revenues.payments.balances import arrears, payment_record, reversal_record
    from borough.revenues.recovery.position import account_year

    account = bill_account(council)
    pay(account, date(2026, 4, 1), "100")
    returned = pay(account, date(2026, 5, 1), "150")
    reversal_record(entry=returned, posted_on=date(2026, 5, 6), reason="Returned", source_key="test-return-1")
    payment_record(
        account=account,
        financial_year="2026-27",
        amount=Decimal("20"),
        method="cash",
        posted_on=date(2026, 6, 3),
        source_key="test-cash-1",
    )
    for day in (date(2026, 4, 30), date(2026, 5, 3), date(2026, 5, 10), date(2026, 6, 2), date(2026, 7, 15)):
        position = account_year(account=account, financial_year="2026-27", on=day)
        assert position.decide(day).arrears == arrears(account=account, financial_year="2026-27", as_of=day), day


def test_summons_hearing_defaults_to_three_weeks(council, media):
    account = bill_account(council)
    for day in (date(2026, 4, 8), date(2026, 4, 22), date(2026, 4, 29)):
        run_on(council, day)
    summons = RecoveryAction.objects.get(account=account, stage=S)
    assert summons.hearing_date == date(2026, 5, 20)  # 14 days for service (reg. 35(2A)) and a week for the post
    assert summons.detail["hearing_date"] == "2026-05-20"
