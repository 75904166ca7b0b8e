"""The recovery engine's timings, case by case (borough.revenues.calc.recovery cites each rule).

A council tax year of ten £150 instalments on the 1st of each month from April 2026, £1,500 in all."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from borough.revenues.calc import recovery as r

D = Decimal
PLAN = tuple(r.Instalment(date(2026, 4 + n, 1) if n < 9 else date(2027, 1, 1), D("150.00")) for n in range(10))
CT = r.RecoveryRules.for_tax(r.COUNCIL_TAX)
NNDR = r.RecoveryRules.for_tax(r.BUSINESS_RATES)


def pay(*pairs):
    return tuple(r.Payment(date.fromisoformat(day), D(amount)) for day, amount in pairs)


def stage(name, issued, amount="0"):
    return r.IssuedStage(name, date.fromisoformat(issued), None, D(amount))


ON_TIME_TO_JULY = pay(("2026-04-01", "150"), ("2026-05-01", "150"), ("2026-06-01", "150"), ("2026-07-01", "150"))

# (name, payments, issued stages, today, expected action, expected amount, expected pay_by)
CASES = [
    ("paid on time: nothing", ON_TIME_TO_JULY, (), "2026-07-20", r.NOTHING, "0", None),
    ("missed April, 6 days on: not yet", (), (), "2026-04-07", r.NOTHING, "0", None),
    ("missed April, 7 days on: reminder", (), (), "2026-04-08", r.REMINDER, "150.00", "2026-04-14"),
    # The reminder asks too for instalments falling due within its 7 days (reg. 23(1)(i)).
    ("reminder late in the month includes May", (), (), "2026-04-28", r.REMINDER, "300.00", "2026-05-04"),
    (
        "reminder paid within 7 days: nothing more",
        pay(("2026-04-12", "150")),
        (stage(r.REMINDER, "2026-04-08"),),
        "2026-04-25",
        r.NOTHING,
        "0",
        None,
    ),
    (
        "reminder unpaid, balance not yet payable",
        (),
        (stage(r.REMINDER, "2026-04-08"),),
        "2026-04-21",
        r.NOTHING,
        "0",
        None,
    ),
    (
        "reminder unpaid: instalments lost, final notice",
        (),
        (stage(r.REMINDER, "2026-04-08"),),
        "2026-04-22",
        r.FINAL_NOTICE,
        "1500.00",
        "2026-04-28",
    ),
    (
        "reminder paid late (day 8): still lost",
        pay(("2026-04-15", "150")),
        (stage(r.REMINDER, "2026-04-08"),),
        "2026-04-22",
        r.FINAL_NOTICE,
        "1350.00",
        "2026-04-28",
    ),
    (
        "final notice within its 7 days: wait",
        (),
        (stage(r.REMINDER, "2026-04-08"), stage(r.FINAL_NOTICE, "2026-04-22")),
        "2026-04-28",
        r.NOTHING,
        "0",
        None,
    ),
    (
        "final notice unpaid after 7 days: summons",
        (),
        (stage(r.REMINDER, "2026-04-08"), stage(r.FINAL_NOTICE, "2026-04-22")),
        "2026-04-29",
        r.SUMMONS,
        "1500.00",
        None,
    ),
    (
        "final notice paid: nothing",
        pay(("2026-04-25", "1500")),
        (stage(r.REMINDER, "2026-04-08"), stage(r.FINAL_NOTICE, "2026-04-22")),
        "2026-05-10",
        r.NOTHING,
        "0",
        None,
    ),
    (
        "second late instalment: second reminder",
        pay(("2026-04-10", "150"), ("2026-05-01", "150")),
        (stage(r.REMINDER, "2026-04-08"),),
        "2026-06-08",
        r.SECOND_REMINDER,
        "150.00",
        "2026-06-14",
    ),
    # Third late instalment after two reminders paid: no third reminder; the balance payable the day after the
    # failure (reg. 23(4)), so a final notice.
    (
        "third late instalment: final notice, not a third reminder",
        pay(("2026-04-10", "150"), ("2026-05-01", "150"), ("2026-06-10", "150"), ("2026-07-01", "150")),
        (stage(r.REMINDER, "2026-04-08"), stage(r.SECOND_REMINDER, "2026-06-08")),
        "2026-08-08",
        r.FINAL_NOTICE,
        "900.00",
        "2026-08-14",
    ),
    (
        "summons issued: the run does nothing more",
        (),
        (stage(r.REMINDER, "2026-04-08"), stage(r.FINAL_NOTICE, "2026-04-22"), stage(r.SUMMONS, "2026-04-29")),
        "2026-05-20",
        r.NOTHING,
        "0",
        None,
    ),
]


@pytest.mark.parametrize(
    ("payments", "issued", "today", "action", "amount", "pay_by"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_council_tax_timings(payments, issued, today, action, amount, pay_by):
    decision = r.next_action(
        instalments=PLAN, payments=payments, issued=issued, today=date.fromisoformat(today), rules=CT
    )
    assert (decision.action, decision.amount) == (action, D(amount)), decision.steps
    assert decision.pay_by == (date.fromisoformat(pay_by) if pay_by else None)
    assert decision.steps  # it always says why


def test_reminder_days_are_a_setting():
    later = r.RecoveryRules.for_tax(r.COUNCIL_TAX, reminder_after_days=14)
    decide = lambda day: r.next_action(instalments=PLAN, payments=(), issued=(), today=day, rules=later)  # noqa: E731
    assert decide(date(2026, 4, 14)).action == r.NOTHING
    assert decide(date(2026, 4, 15)).action == r.REMINDER


def test_instalments_lost_on_day_is_explained():
    decision = r.next_action(
        instalments=PLAN, payments=(), issued=(stage(r.REMINDER, "2026-04-08"),), today=date(2026, 4, 22), rules=CT
    )
    assert decision.instalments_lost_on == date(2026, 4, 22)
    assert any("reg. 23(3)" in step for step in decision.steps)


def test_third_failure_cites_regulation_23_4():
    decision = r.next_action(
        instalments=PLAN,
        payments=pay(("2026-04-10", "150"), ("2026-05-01", "150"), ("2026-06-10", "150"), ("2026-07-01", "150")),
        issued=(stage(r.REMINDER, "2026-04-08"), stage(r.SECOND_REMINDER, "2026-06-08")),
        today=date(2026, 8, 3),
        rules=CT,
    )
    assert decision.action == r.FINAL_NOTICE
    assert decision.instalments_lost_on == date(2026, 8, 3)  # missed on the 1st: payable the day after the failure
    assert any("reg. 23(4)" in step for step in decision.steps)


def test_settled_when_the_arrears_are_paid():
    issued = (stage(r.REMINDER, "2026-04-08"),)
    unpaid = r.next_action(instalments=PLAN, payments=(), issued=issued, today=date(2026, 4, 10), rules=CT)
    paid = r.next_action(
        instalments=PLAN, payments=pay(("2026-04-10", "150")), issued=issued, today=date(2026, 4, 10), rules=CT
    )
    assert (unpaid.settled, paid.settled) == (False, True)


def test_costs_must_be_paid_too_after_a_summons():
    issued = (stage(r.REMINDER, "2026-04-08"), stage(r.FINAL_NOTICE, "2026-04-22"), stage(r.SUMMONS, "2026-04-29"))
    only_tax = r.next_action(
        instalments=PLAN,
        payments=pay(("2026-05-05", "1500")),
        issued=issued,
        today=date(2026, 5, 6),
        rules=CT,
        costs=D("80.00"),
    )
    with_costs = r.next_action(
        instalments=PLAN,
        payments=pay(("2026-05-05", "1580")),
        issued=issued,
        today=date(2026, 5, 6),
        rules=CT,
        costs=D("80.00"),
    )
    assert (only_tax.settled, only_tax.arrears) == (False, D("80.00"))
    assert with_costs.settled


def test_all_instalments_fallen_due_goes_straight_to_a_final_notice():
    single = (r.Instalment(date(2027, 1, 15), D("420.00")),)
    decision = r.next_action(instalments=single, payments=(), issued=(), today=date(2027, 1, 22), rules=CT)
    assert (decision.action, decision.amount) == (r.FINAL_NOTICE, D("420.00"))
    assert any("reg. 23(2)(a)" in step for step in decision.steps)


def test_business_rates_one_reminder_then_the_balance_after_seven_days():
    payments = pay(("2026-04-10", "150"), ("2026-05-01", "150"))
    issued = (stage(r.REMINDER, "2026-04-08"),)
    # June missed after the one reminder: no second reminder (reg. 8(1)); payable at the expiry of 7 days
    # beginning with the day of the failure (reg. 8(2)(b)): failure 2 June, payable 9 June.
    waiting = r.next_action(instalments=PLAN, payments=payments, issued=issued, today=date(2026, 6, 8), rules=NNDR)
    final = r.next_action(instalments=PLAN, payments=payments, issued=issued, today=date(2026, 6, 9), rules=NNDR)
    assert waiting.action == r.NOTHING
    assert (final.action, final.amount, final.instalments_lost_on) == (r.FINAL_NOTICE, D("1200.00"), date(2026, 6, 9))
    assert any("reg. 8(2)(b)" in step for step in final.steps)


def test_a_returned_payment_counts_as_unpaid():
    payments = pay(("2026-04-01", "150"), ("2026-04-06", "-150"))  # the direct debit came back
    decision = r.next_action(instalments=PLAN, payments=payments, issued=(), today=date(2026, 4, 8), rules=CT)
    assert (decision.action, decision.amount) == (r.REMINDER, D("150.00"))


ARRANGEMENT = (r.Instalment(date(2026, 6, 1), D("100.00")), r.Instalment(date(2026, 7, 1), D("100.00")))


@pytest.mark.parametrize(
    ("paid", "today", "status"),
    [
        ("0", "2026-06-07", r.KEPT),  # within the grace days
        ("0", "2026-06-08", r.BROKEN),
        ("100", "2026-07-07", r.KEPT),
        ("100", "2026-07-08", r.BROKEN),
        ("200", "2026-06-02", r.COMPLETE),
    ],
)
def test_arrangement_kept_or_broken(paid, today, status):
    check = r.arrangement_check(plan=ARRANGEMENT, paid=D(paid), today=date.fromisoformat(today), rules=CT)
    assert check.status == status, check.steps


@pytest.mark.parametrize(("total", "count"), [("100.00", 3), ("0.05", 5), ("1234.57", 12), ("10.00", 1)])
def test_arrangement_plan_clears_the_total(total, count):
    plan = r.arrangement_plan(D(total), first=date(2026, 1, 31), count=count)
    assert sum(i.amount for i in plan) == D(total)
    assert len(plan) == count
    assert plan[1:] == () or plan[1].due == date(2026, 2, 28)
    assert all(i.amount >= 0 for i in plan)


def test_rules_for_an_unknown_tax_are_refused():
    with pytest.raises(ValueError, match="tax"):
        r.RecoveryRules.for_tax("dog_licence")


def test_reminder_unpaid_the_day_before_loss_gives_the_day_in_the_steps():
    decision = r.next_action(
        instalments=PLAN,
        payments=(),
        issued=(stage(r.REMINDER, "2026-04-08"),),
        today=date(2026, 4, 22) - timedelta(days=1),
        rules=CT,
    )
    assert decision.instalments_lost_on == date(2026, 4, 22)
    assert "Nothing to issue until 22 April 2026." in decision.steps
