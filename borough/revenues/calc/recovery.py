"""Recovery of unpaid council tax and business rates: given one account's year, the next step and why.

Council tax, the Council Tax (Administration and Enforcement) Regulations 1992 (SI 1992/613):
- reg. 23(1): an instalment not paid as the bill asked gets a reminder notice, asking for the unpaid instalments
  and those falling due within the 7 days beginning with the day it is issued (para (1)(i), as amended);
- reg. 23(3): not paid within those 7 days, the unpaid balance of the year becomes payable at the expiry of a
  further 7 days beginning with the day of the failure (the right to pay by instalments is lost);
- reg. 23(1)(iv) and (4): at most two reminders in a year; after paying the second, a later instalment not paid
  on its due date makes the balance payable the day after the failure, without another reminder;
- reg. 23(2)(a): no reminder is needed once all the instalments have fallen due;
- reg. 33 and 34(1)-(2): a final notice states the amount; if it is unpaid at the expiry of the 7 days beginning
  with the day it was issued, the council may complain to a justice of the peace for a summons (the summons list);
- reg. 35(2A): "No liability order shall be made in pursuance of a summons issued under regulation 34(2) unless
  14 days have elapsed since the day on which the summons was served" (see `earliest_hearing`); reg. 34(7): the
  order is for the sum outstanding and the costs reasonably incurred; reg. 34(5): paid with costs before the
  hearing, it stops.
Business rates, the Non-Domestic Rating (Collection and Enforcement) (Local Lists) Regulations 1989 (SI 1989/1058):
- reg. 8(1): one further notice (the reminder) when an instalment is not paid;
- reg. 8(2): the balance becomes payable at the expiry of a further 7 days beginning with the day of the failure,
  if the notice is not paid within 7 days (8(2)(a)) or any later instalment is not paid on its day (8(2)(b));
- regs. 11-12: the final notice and the application for a liability order, as for council tax.

"The day of the failure" is read as the first day after the day allowed has passed: the failure is complete only
then. Counting this way never makes a balance payable early (a reminder issued on the 1st: pay by the 7th, the
balance payable from the 15th).

Council practice (how many days after a missed instalment the reminder goes, how long after the final notice's
7 days the summons is sought, when the hearing is) is a setting (RecoveryRules) with a default; each default says
where it comes from. Payments are spread over the instalments oldest first, as the ledger does
(borough.revenues.payments.balances.allocate).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from borough.core.calc.working_days import add_working_days, is_working_day
from borough.revenues.calc.instalments import monthly_due_dates

ZERO = Decimal("0.00")

COUNCIL_TAX = "council_tax"
BUSINESS_RATES = "business_rates"

REMINDER = "reminder"
SECOND_REMINDER = "second_reminder"
FINAL_NOTICE = "final_notice"
SUMMONS = "summons"
LIABILITY_ORDER = "liability_order"
NOTHING = "none"
REMINDERS = (REMINDER, SECOND_REMINDER)


@dataclass(frozen=True)
class RecoveryRules:
    tax: str = COUNCIL_TAX
    # Statutory: CT reg. 23(1)(iv) and (4) allow two reminders a year; NNDR reg. 8(1)-(2) one.
    reminders_per_year: int = 2
    # Statutory: "the period of 7 days beginning with the day on which [the notice] is issued" (CT regs. 23(3),
    # 34(1); NNDR reg. 8(2)(a)); and the "further period of 7 days beginning with the day of the failure".
    notice_days: int = 7
    further_days: int = 7
    # Statutory: after the last reminder a missed instalment makes the balance payable "on the day following the
    # day of the failure" (CT reg. 23(4): 1 day) or at the expiry of a further 7 days (NNDR reg. 8(2)(b): 7).
    after_last_reminder_days: int = 1
    # Statutory: no liability order until 14 days have elapsed since the day the summons was served (CT reg. 35(2A)).
    summons_service_days: int = 14
    # Deemed service by first class post: the second business day after posting (Practice Direction [1985] 1 All
    # ER 889 on Interpretation Act 1978 s. 7; second class would be the fourth). Summonses are posted, at the
    # earliest, on the day they are issued.
    summons_post_days: int = 2
    # Council practice: the reminder goes this many days after the missed due date, so payments already on their
    # way (bank transfers, Post Office and PayPoint files of the next working days) are posted first. Councils
    # publish timetables, not a figure (e.g. Newcastle-under-Lyme's recovery policy: "reminders are timetabled
    # monthly"); 7 days is a middle course and any value from 1 may be set.
    reminder_after_days: int = 7
    # Council practice: days after the final notice's 7 days before the summons is sought (0: the next run).
    summons_after_days: int = 0
    # Council practice: the hearing booked this many days after the summons is issued: service by post (up to 6
    # days over Easter or Christmas) and the 14 clear days of reg. 35(2A), whatever the day (least_hearing_days).
    hearing_after_days: int = 21
    # Council practice: days of grace before a missed arrangement payment breaks the arrangement.
    arrangement_grace_days: int = 7
    # Council practice: no reminder (nor a first final notice) asks for less than this; 0: any amount.
    minimum_reminder: Decimal = ZERO

    @classmethod
    def for_tax(cls, tax: str, **settings: Any) -> "RecoveryRules":
        if tax not in (COUNCIL_TAX, BUSINESS_RATES):
            raise ValueError(f"tax: {tax!r} is neither {COUNCIL_TAX} nor {BUSINESS_RATES}")
        rules = cls(tax=tax) if tax == COUNCIL_TAX else cls(tax=tax, reminders_per_year=1, after_last_reminder_days=7)
        return replace(rules, **settings)

    @property
    def cite(self) -> str:
        return "CT (A&E) Regs 1992" if self.tax == COUNCIL_TAX else "NNDR (C&E) (Local Lists) Regs 1989"


@dataclass(frozen=True)
class Instalment:
    due: date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    """Money paid towards the year's charge on a day; negative when it was taken back (refund, returned debit)."""

    on: date
    amount: Decimal


@dataclass(frozen=True)
class IssuedStage:
    stage: str
    issued_on: date
    pay_by: date | None = None
    amount: Decimal = ZERO


@dataclass(frozen=True)
class Decision:
    action: str  # NOTHING or the stage to issue today
    amount: Decimal  # what the notice asks for
    pay_by: date | None
    balance: Decimal  # the year's unpaid charge (costs apart)
    arrears: Decimal  # what is payable today and unpaid, costs included
    instalments_lost_on: date | None
    settled: bool  # nothing payable is unpaid: stages still open can be marked paid
    steps: tuple[str, ...]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _gbp(value: Decimal) -> str:
    return f"£{value:,.2f}"


class _Year:
    """One account's year: what was due when, and what had been paid by any day."""

    def __init__(self, instalments: Sequence[Instalment], payments: Sequence[Payment]) -> None:
        self.instalments = sorted(instalments, key=lambda i: i.due)
        self.payments = list(payments)
        self.total = sum((i.amount for i in self.instalments), ZERO)

    def paid_by(self, day: date) -> Decimal:
        return max(sum((p.amount for p in self.payments if p.on <= day), ZERO), ZERO)

    def unpaid_due_by(self, last_due: date, as_of: date) -> Decimal:
        """Of the instalments due on or before `last_due`, what payments made by `as_of` left unpaid."""
        due = sum((i.amount for i in self.instalments if i.due <= last_due), ZERO)
        return max(due - self.paid_by(as_of), ZERO)

    def balance(self, as_of: date) -> Decimal:
        return max(self.total - self.paid_by(as_of), ZERO)

    def unpaid_costs(self, costs: Decimal, as_of: date) -> Decimal:
        """Costs are paid after the charge (balances.allocate): what is paid beyond the charge goes to them."""
        return max(costs - max(self.paid_by(as_of) - self.total, ZERO), ZERO)


def year_owed(
    *, instalments: Sequence[Instalment], payments: Sequence[Payment], costs: Decimal, as_of: date
) -> Decimal:
    """The year's unpaid charge and costs as at `as_of`, due or not (what an arrangement must clear)."""
    year = _Year(instalments, payments)
    return year.balance(as_of) + year.unpaid_costs(costs, as_of)


def stage_cleared(
    stage: IssuedStage,
    *,
    instalments: Sequence[Instalment],
    payments: Sequence[Payment],
    costs: Decimal,
    today: date,
    rules: RecoveryRules,
) -> bool:
    """Whether a stage needs nothing more: a reminder paid within its 7 days, or everything for the year paid."""
    year = _Year(instalments, payments)
    if year.balance(today) + year.unpaid_costs(costs, today) == 0:
        return True
    if stage.stage not in REMINDERS:
        return False
    pay_by = _pay_by(stage, rules)
    checked_on = min(today, pay_by)
    return year.unpaid_due_by(pay_by, checked_on) == 0 and year.unpaid_due_by(checked_on, today) == 0


def _pay_by(stage: IssuedStage, rules: RecoveryRules) -> date:
    return stage.pay_by or stage.issued_on + timedelta(days=rules.notice_days - 1)


def _lost_on(
    year: _Year, reminders: list[IssuedStage], today: date, rules: RecoveryRules, steps: list[str]
) -> date | None:
    """The day the balance became (or will become) payable in full, if a failure has already made it so."""
    for number, reminder in enumerate(reminders, start=1):
        pay_by = _pay_by(reminder, rules)
        if today <= pay_by:
            steps.append(f"Reminder {number} of {_day(reminder.issued_on)}: the taxpayer has until {_day(pay_by)}.")
            return None
        unpaid = year.unpaid_due_by(pay_by, pay_by)
        if unpaid > 0:
            lost_on = pay_by + timedelta(days=1 + rules.further_days)
            rule = "reg. 23(3)" if rules.tax == COUNCIL_TAX else "reg. 8(2)(a)"
            steps.append(
                f"Reminder {number} of {_day(reminder.issued_on)} was not paid by {_day(pay_by)} ({_gbp(unpaid)} "
                f"unpaid): the balance became payable on {_day(lost_on)}, the right to instalments lost "
                f"({rules.cite} {rule})."
            )
            return lost_on
        steps.append(f"Reminder {number} of {_day(reminder.issued_on)} was paid by {_day(pay_by)}.")
    if len(reminders) < rules.reminders_per_year or not reminders:
        return None
    after = _pay_by(reminders[-1], rules)
    for instalment in year.instalments:
        if after < instalment.due < today and year.unpaid_due_by(instalment.due, instalment.due) > 0:
            lost_on = instalment.due + timedelta(days=1 + rules.after_last_reminder_days)
            rule = "reg. 23(4)" if rules.tax == COUNCIL_TAX else "reg. 8(2)(b)"
            steps.append(
                f"After the last reminder allowed in the year ({rules.reminders_per_year}), the instalment due "
                f"{_day(instalment.due)} was not paid on time: no further reminder; the balance became payable on "
                f"{_day(lost_on)} ({rules.cite} {rule})."
            )
            return lost_on
    return None


def next_action(
    *,
    instalments: Sequence[Instalment],
    payments: Sequence[Payment],
    issued: Sequence[IssuedStage],
    today: date,
    rules: RecoveryRules,
    costs: Decimal = ZERO,
    withdrawn: Sequence[IssuedStage] = (),
) -> Decision:
    """What the daily run does today for one account's year, with the steps that decided it.

    `issued` are the stages already issued for the year (withdrawn ones left out); `costs` the costs charged;
    `withdrawn` the stages withdrawn for the instalments as they stand: none is issued again for the same
    instalments (a withdrawn reminder's instalments get no reminder, a withdrawn final notice or summons is not
    repeated), though later instalments are recovered as usual."""
    year = _Year(instalments, payments)
    stages = sorted(issued, key=lambda s: (s.issued_on, s.stage))
    steps = [
        f"Year's instalments {_gbp(year.total)}, paid by {_day(today)} {_gbp(year.paid_by(today))}, "
        f"unpaid balance {_gbp(year.balance(today))}."
    ]
    balance = year.balance(today)
    owed_now = balance + year.unpaid_costs(costs, today)

    def decision(
        action: str, *, amount: Decimal = ZERO, pay_by: date | None = None, lost: date | None = None, arrears: Decimal
    ) -> Decision:
        return Decision(action, amount, pay_by, balance, arrears, lost, arrears == 0, tuple(steps))

    court = [s for s in stages if s.stage in (SUMMONS, LIABILITY_ORDER)]
    if court:
        last = court[-1]
        name = "A liability order was made" if last.stage == LIABILITY_ORDER else "A summons was issued"
        steps.append(
            f"{name} on {_day(last.issued_on)}: the daily run issues nothing more; "
            + ("the balance and costs are paid." if owed_now == 0 else f"{_gbp(owed_now)} with costs is unpaid.")
        )
        return decision(NOTHING, arrears=owed_now)

    reminders = [s for s in stages if s.stage in REMINDERS]
    lost_on = _lost_on(year, reminders, today, rules, steps)
    finals = [s for s in stages if s.stage == FINAL_NOTICE]
    if finals:
        final = finals[-1]
        pay_by = _pay_by(final, rules)
        if owed_now == 0:
            steps.append(f"The final notice of {_day(final.issued_on)} is paid.")
            return decision(NOTHING, arrears=ZERO)
        pulled = [w for w in withdrawn if w.stage == SUMMONS and w.issued_on >= final.issued_on]
        if pulled:
            steps.append(
                f"The summons of {_day(pulled[-1].issued_on)} was withdrawn: no summons is sought again on the final "
                f"notice of {_day(final.issued_on)}."
            )
            return decision(NOTHING, arrears=owed_now)
        summons_from = pay_by + timedelta(days=1 + rules.summons_after_days)
        if today < summons_from:
            steps.append(
                f"Final notice of {_day(final.issued_on)}: waiting; a summons may be sought from {_day(summons_from)}."
            )
            return decision(NOTHING, arrears=owed_now)
        steps.append(
            f"The final notice of {_day(final.issued_on)} was not paid within 7 days ({_gbp(balance)} unpaid): "
            f"the council applies to the magistrates' court for a liability order and a summons "
            f"({rules.cite} {'reg. 34(1)-(2)' if rules.tax == COUNCIL_TAX else 'reg. 12'})."
        )
        return decision(SUMMONS, amount=balance, arrears=owed_now, lost=lost_on)

    if lost_on is not None:
        if today < lost_on:
            steps.append(f"Nothing to issue until {_day(lost_on)}.")
            return decision(NOTHING, arrears=year.unpaid_due_by(today, today), lost=lost_on)
        if balance == 0:
            steps.append("The balance is paid: nothing more.")
            return decision(NOTHING, arrears=ZERO, lost=lost_on)
        if _withdrawn_final(withdrawn, steps):
            return decision(NOTHING, arrears=owed_now, lost=lost_on)
        pay_by = today + timedelta(days=rules.notice_days - 1)
        steps.append(f"Final notice: the whole balance {_gbp(balance)} is payable; pay by {_day(pay_by)}.")
        return decision(FINAL_NOTICE, amount=balance, pay_by=pay_by, arrears=owed_now, lost=lost_on)

    arrears = year.unpaid_due_by(today, today)
    covered_until = _pay_by(reminders[-1], rules) if reminders else None
    withdrawn_reminders = [w for w in withdrawn if w.stage in REMINDERS]
    if withdrawn_reminders:
        last = max(withdrawn_reminders, key=lambda w: _pay_by(w, rules))
        steps.append(
            f"The reminder of {_day(last.issued_on)} was withdrawn: the instalments it asked for (due by "
            f"{_day(_pay_by(last, rules))}) get no reminder again."
        )
        covered_until = max(filter(None, (covered_until, _pay_by(last, rules))))
    missed = [
        i
        for i in year.instalments
        if (covered_until is None or i.due > covered_until)
        and i.due + timedelta(days=rules.reminder_after_days) <= today
        and year.unpaid_due_by(i.due, today) > 0
    ]
    if not missed:
        if arrears:
            steps.append(f"{_gbp(arrears)} is overdue, not yet {rules.reminder_after_days} days: no notice yet.")
        else:
            steps.append("Nothing is overdue.")
        return decision(NOTHING, arrears=arrears)
    first = missed[0]
    steps.append(f"The instalment due {_day(first.due)} is unpaid {(today - first.due).days} days later.")
    pay_by = today + timedelta(days=rules.notice_days - 1)
    if all(i.due < today for i in year.instalments):
        if _withdrawn_final(withdrawn, steps):
            return decision(NOTHING, arrears=owed_now)
        if _below_minimum(balance, rules, steps):
            return decision(NOTHING, arrears=owed_now)
        steps.append(
            "All the instalments have fallen due, so no reminder is required "
            f"({'reg. 23(2)(a)' if rules.tax == COUNCIL_TAX else 'reg. 8(1)'}): a final notice for the unpaid "
            f"{_gbp(balance)}, pay by {_day(pay_by)} "
            f"({rules.cite} {'reg. 33' if rules.tax == COUNCIL_TAX else 'reg. 11'})."
        )
        return decision(FINAL_NOTICE, amount=balance, pay_by=pay_by, arrears=owed_now)
    if len(reminders) >= rules.reminders_per_year:
        steps.append("The reminders allowed this year are used: the balance falls due instead (see above).")
        return decision(NOTHING, arrears=arrears)
    amount = year.unpaid_due_by(pay_by, today)
    if _below_minimum(amount, rules, steps):
        return decision(NOTHING, arrears=arrears)
    stage = REMINDER if not reminders else SECOND_REMINDER
    steps.append(
        f"{'Reminder' if stage == REMINDER else 'Second reminder'}: pay {_gbp(amount)} (unpaid instalments and any "
        f"falling due within 7 days) by {_day(pay_by)}, or the balance becomes payable on "
        f"{_day(pay_by + timedelta(days=1 + rules.further_days))} "
        f"({rules.cite} {'reg. 23(1), (3)' if rules.tax == COUNCIL_TAX else 'reg. 8(1)-(2)'})."
    )
    return decision(stage, amount=amount, pay_by=pay_by, arrears=arrears)


def _withdrawn_final(withdrawn: Sequence[IssuedStage], steps: list[str]) -> bool:
    finals = [w for w in withdrawn if w.stage == FINAL_NOTICE]
    if finals:
        steps.append(
            f"The final notice of {_day(finals[-1].issued_on)} was withdrawn: it is not issued again for the same "
            "instalments."
        )
    return bool(finals)


def _below_minimum(amount: Decimal, rules: RecoveryRules, steps: list[str]) -> bool:
    if amount >= rules.minimum_reminder:
        return False
    steps.append(
        f"{_gbp(amount)} is less than the council's minimum of {_gbp(rules.minimum_reminder)} for a notice: "
        "none is sent."
    )
    return True


# The hearing: reg. 35(2A) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hearing:
    """When a summons issued on `issued_on` is served, the earliest lawful hearing, and a proposed day checked."""

    issued_on: date
    served_on: date  # deemed served: the post's second business day after posting on the day of issue
    earliest: date  # the first day on which 14 whole days have elapsed since the day of service
    day: date | None  # the hearing day proposed, if any
    lawful: bool  # the proposed day is on or after `earliest` (True when none is proposed)
    steps: tuple[str, ...]


def earliest_hearing(
    issued_on: date, *, holidays: frozenset[date], rules: RecoveryRules | None = None, hearing: date | None = None
) -> Hearing:
    """The one rule for the hearing of a summons (CT reg. 35(2A); NNDR reg. 12 is read the same way).

    1. The summons is posted, at the earliest, on the day it is issued (the run day).
    2. Posted, it is deemed served on the second business day after posting: a day that is not a Saturday, Sunday
       or bank holiday in England and Wales (`holidays`: GOV.UK's list, which includes Christmas Day and Good
       Friday; "business day" as CT reg. 1(2) defines it). The day of posting is not counted.
    3. No order until 14 days have elapsed since the day of service: the day of service is not counted, and the
       14 days must be over before the hearing day begins, so the earliest hearing is the 15th day after service.
    `hearing`, if given, is checked against that day."""
    rules = rules or RecoveryRules()
    served_on = add_working_days(issued_on, rules.summons_post_days, holidays=holidays)
    earliest = served_on + timedelta(days=rules.summons_service_days + 1)
    steps = [
        f"The summons issued on {_weekday(issued_on)} and posted that day is deemed served on {_weekday(served_on)}, "
        f"the {'second' if rules.summons_post_days == 2 else _nth(rules.summons_post_days)} business day after "
        "posting (weekends and bank holidays not counted).",
        f"No liability order until {rules.summons_service_days} days have elapsed since the day of service "
        f"(CT (A&E) Regs 1992 reg. 35(2A)): the earliest hearing is {_weekday(earliest)}.",
    ]
    lawful = hearing is None or hearing >= earliest
    if hearing is not None:
        steps.append(
            f"The hearing on {_weekday(hearing)} is "
            + (
                f"lawful ({(hearing - served_on).days - 1} whole days after service)."
                if lawful
                else f"too early: only {max((hearing - served_on).days - 1, 0)} whole days after service."
            )
        )
    return Hearing(issued_on, served_on, earliest, hearing, lawful, tuple(steps))


def hearing_for(
    issued_on: date, *, holidays: frozenset[date], rules: RecoveryRules, hearing: date | None = None
) -> Hearing:
    """The hearing the daily run books: the day given, or the council's `hearing_after_days` after the summons;
    a day that is too early (settings saved before this rule, a holiday the settings did not foresee) is moved to
    the earliest lawful day, with a step saying so. A day given by an officer is checked, never moved: use
    `earliest_hearing(..., hearing=)` to refuse it."""
    proposed = hearing or issued_on + timedelta(days=rules.hearing_after_days)
    checked = earliest_hearing(issued_on, holidays=holidays, rules=rules, hearing=proposed)
    if checked.lawful and (hearing is not None or is_working_day(proposed, holidays=holidays)):
        return checked
    # Magistrates' courts sit on business days: a day the run works out itself goes to the next one.
    lawful_day = proposed if checked.lawful else checked.earliest
    sitting = (
        lawful_day
        if is_working_day(lawful_day, holidays=holidays)
        else add_working_days(lawful_day, 1, holidays=holidays)
    )
    if not checked.lawful:
        step = f"The hearing is moved to {_weekday(sitting)}, the earliest lawful day"
        step += "." if sitting == lawful_day else " on which the court sits (not a weekend or bank holiday)."
    else:
        step = f"The hearing is moved to {_weekday(sitting)}: the court does not sit on {_weekday(proposed)}."
    return replace(checked, day=sitting, lawful=True, steps=(*checked.steps, step))


def least_hearing_days(
    *, holidays: frozenset[date], start: date, days: int = 366, rules: RecoveryRules | None = None
) -> tuple[int, Hearing]:
    """The fewest days from summons to hearing that are lawful for a summons issued on any of the `days` days from
    `start`, with the summons that needs the most (a Thursday before Good Friday and Easter Monday: served the
    next Wednesday, 6 days on, so 21)."""
    worst: Hearing | None = None
    for offset in range(days):
        hearing = earliest_hearing(start + timedelta(days=offset), holidays=holidays, rules=rules)
        if worst is None or (hearing.earliest - hearing.issued_on) > (worst.earliest - worst.issued_on):
            worst = hearing
    if worst is None:
        raise ValueError("days: at least one day")
    return (worst.earliest - worst.issued_on).days, worst


def _weekday(value: date) -> str:
    return f"{value:%A} {_day(value)}"


def _nth(number: int) -> str:
    return {1: "first", 3: "third", 4: "fourth"}.get(number, f"{number}th")


# Arrangements -----------------------------------------------------------------------------------------------------

KEPT = "kept"  # paid so far as it falls due
BROKEN = "broken"
COMPLETE = "complete"


@dataclass(frozen=True)
class ArrangementCheck:
    status: str
    due: Decimal  # what the plan asked for by today, less the grace days
    paid: Decimal
    steps: tuple[str, ...]


def arrangement_check(
    *, plan: Sequence[Instalment], paid: Decimal, today: date, rules: RecoveryRules
) -> ArrangementCheck:
    """Whether an arrangement is being kept: `paid` is what was paid since it was made."""
    total = sum((i.amount for i in plan), ZERO)
    cut_off = today - timedelta(days=rules.arrangement_grace_days)
    due = sum((i.amount for i in plan if i.due <= cut_off), ZERO)
    if paid >= total:
        return ArrangementCheck(COMPLETE, due, paid, (f"All {_gbp(total)} is paid: the arrangement is completed.",))
    if paid < due:
        return ArrangementCheck(
            BROKEN,
            due,
            paid,
            (
                f"{_gbp(due)} was due by {_day(cut_off)} ({rules.arrangement_grace_days} days' grace) and "
                f"{_gbp(paid)} is paid: the arrangement is broken and recovery resumes.",
            ),
        )
    return ArrangementCheck(KEPT, due, paid, (f"{_gbp(paid)} paid of {_gbp(total)}: the arrangement is kept.",))


def arrangement_plan(total: Decimal, *, first: date, count: int) -> tuple[Instalment, ...]:
    """`count` monthly payments from `first` clearing `total`: equal to the penny, the first taking the remainder."""
    if count < 1:
        raise ValueError("count: at least one payment")
    share = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    first_amount = total - share * (count - 1)
    dates = monthly_due_dates(first, count)
    return tuple(Instalment(day, first_amount if n == 0 else share) for n, day in enumerate(dates))
