"""Recovery writes: each stage issued by the daily run, liability orders, holds and arrangements. Every one is
audited on the account, so it shows as an event in the account's history."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.core.calendars import bank_holidays
from borough.revenues.calc import recovery as calc
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Account, Arrangement, LedgerEntry, RecoveryAction, RecoveryHold, RevenuesSettings
from borough.revenues.recovery.notices import notice_detail
from borough.revenues.recovery.position import AccountYear, account_year, live_holds
from borough.revenues.recovery.practice import SERVICE_HOLIDAYS
from borough.revenues.recovery.sending import recovery_notice_send
from borough.revenues.services.common import Errors, text_value

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")

# What the daily run did for one account's year.
HELD, KEPT_ARRANGEMENT, NOTHING, ALREADY = "held", "arrangement", "nothing", "already"


def _action_after(action: RecoveryAction) -> dict[str, Any]:
    return snapshot(
        action, ["financial_year", "stage", "issued_on", "amount", "pay_by", "costs", "hearing_date", "status"]
    )


def _audit_action(action: RecoveryAction, verb: str, before: dict[str, Any] | None = None, **detail: Any) -> None:
    audit_record(
        tenant=action.tenant,
        action=f"revenues.recovery_{verb}",
        obj=action.account,
        before=before,
        after=_action_after(action),
        detail={"recovery_action_id": action.pk, **detail},
    )


def _costs_entry(action: RecoveryAction, amount: Decimal, posted_on: date, note: str) -> LedgerEntry | None:
    if amount <= 0:
        return None
    entry = LedgerEntry.objects.create(
        tenant=action.tenant,
        account=action.account,
        financial_year=action.financial_year,
        kind=LedgerEntry.Kind.COSTS,
        amount=amount,
        posted_on=posted_on,
        source_key=f"recovery:{action.stage}:{action.pk}",
        note=note,
    )
    audit_record(
        tenant=action.tenant,
        action="revenues.costs_charge",
        obj=action.account,
        after={"kind": entry.kind, "amount": str(amount), "financial_year": entry.financial_year},
        detail={"entry_id": entry.pk, "source_key": entry.source_key, "recovery_action_id": action.pk},
    )
    return entry


def _mark_paid(actions: Sequence[RecoveryAction], year: AccountYear | None = None, today: date | None = None) -> int:
    """Mark issued stages paid: all of them, or (given the year) each whose demand is met."""
    marked = 0
    for action in actions:
        if action.status != RecoveryAction.Status.ISSUED:
            continue
        if year is not None and today is not None and not year.cleared(action, today):
            continue
        before = _action_after(action)
        action.status = RecoveryAction.Status.PAID
        action.save(update_fields=["status"])
        _audit_action(action, "paid", before)
        marked += 1
    return marked


def _check_arrangement(year: AccountYear, today: date) -> str | None:
    """A live arrangement: kept (recovery waits), completed, or broken (recovery resumes, None)."""
    arrangement = year.arrangement
    if arrangement is None:
        return None
    plan = [calc.Instalment(date.fromisoformat(d), Decimal(a)) for d, a in arrangement.instalments]
    paid = sum((p.amount for p in year.payments(today) if p.on >= arrangement.made_on), ZERO)
    check = calc.arrangement_check(plan=plan, paid=paid, today=today, rules=year.rules)
    if check.status == calc.KEPT:
        return KEPT_ARRANGEMENT
    before = snapshot(arrangement, ["status", "ended_on"])
    arrangement.status = Arrangement.Status.KEPT if check.status == calc.COMPLETE else Arrangement.Status.BROKEN
    arrangement.ended_on = today
    arrangement.save(update_fields=["status", "ended_on"])
    audit_record(
        tenant=arrangement.tenant,
        action="revenues.arrangement_" + ("complete" if check.status == calc.COMPLETE else "broken"),
        obj=year.account,
        before=before,
        after=snapshot(arrangement, ["status", "ended_on"]),
        detail={"arrangement_id": arrangement.pk, "financial_year": arrangement.financial_year, "steps": check.steps},
    )
    year.arrangement = None
    if check.status == calc.COMPLETE:
        _mark_paid(year.actions)
        return "arrangement_complete"
    return "arrangement_broken"


def recovery_account_process(
    *,
    year: AccountYear,
    today: date,
    hearing: calc.Hearing,
    rules: calc.RecoveryRules | None = None,
    run=None,
) -> list[str]:
    """The daily run's work for one account's year, in the caller's transaction. Returns what happened. `hearing`
    is the day a summons issued today is heard (calc.recovery.hearing_for), with its steps."""
    if year.hold is not None:
        return [HELD]
    outcomes = []
    arrangement = _check_arrangement(year, today)
    if arrangement == KEPT_ARRANGEMENT or arrangement == "arrangement_complete":
        return [arrangement]
    if arrangement:
        outcomes.append(arrangement)
    if year.bill is None:
        return outcomes or [NOTHING]
    decision = year.decide(today, rules)
    if _mark_paid(year.actions, year, today):
        outcomes.append("paid")
    if decision.action == calc.NOTHING:
        return outcomes or [NOTHING]
    return [*outcomes, _issue(year, decision, today=today, hearing=hearing, run=run)]


def _issue(year: AccountYear, decision: calc.Decision, *, today: date, hearing: calc.Hearing, run) -> str:
    account = year.account
    summons = decision.action == calc.SUMMONS
    costs = ZERO
    hearing_date = hearing.day if summons else None
    steps = (*decision.steps, *hearing.steps) if summons else decision.steps
    if summons:
        settings = RevenuesSettings.objects.filter(tenant_id=account.tenant_id).first()
        costs = settings.summons_costs if settings else ZERO
    action = RecoveryAction(
        tenant=account.tenant,
        account=account,
        financial_year=year.financial_year,
        stage=decision.action,
        issued_on=today,
        amount=decision.amount,
        pay_by=decision.pay_by,
        costs=costs,
        hearing_date=hearing_date,
        run=run,
        detail=notice_detail(
            year,
            stage=decision.action,
            issued_on=today,
            amount=decision.amount,
            balance=decision.balance,
            pay_by=decision.pay_by,
            costs=costs,
            hearing_date=hearing_date,
            steps=steps,
        ),
    )
    try:
        with transaction.atomic():  # the unique constraint is the backstop against a stage issued twice a day
            action.save()
    except IntegrityError:
        return ALREADY
    _costs_entry(action, costs, today, "Costs of the summons")
    _audit_action(action, decision.action, steps=list(steps), run_id=run.pk if run else None)
    year.actions.append(action)
    return decision.action


# Liability orders -------------------------------------------------------------------------------------------------


def _money(name: str, value: Any, errors: Errors, *, allow_zero: bool = True) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        errors.add(name, "Enter an amount in pounds, such as 85.00")
        return ZERO
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors.add(name, "Enter an amount in pounds and pence, such as 85.00")
    elif amount < 0 or (amount == 0 and not allow_zero):
        errors.add(name, "Enter an amount greater than zero")
    elif amount > MAX_AMOUNT:
        errors.add(name, "The amount is too large")
    else:
        return amount.quantize(Decimal("0.01"))
    return ZERO


EMAILED_WHILE_RECORDING = 20


@transaction.atomic
def liability_order_record(
    *, summonses: Sequence[RecoveryAction], hearing_date: date, costs: Decimal | None = None, today: date | None = None
) -> list[RecoveryAction]:
    """Record the liability orders the magistrates' court made at a hearing, one per summons, with the costs it
    allowed (reg. 34(7)) charged to each account. All or none: any problem names the account."""
    today = today or timezone.localdate()
    errors = Errors()
    if not summonses:
        errors.add("summonses", "Choose at least one summons")
    if not isinstance(hearing_date, date):
        errors.add("hearing_date", "Enter the date of the hearing")
    elif hearing_date > today:
        errors.add("hearing_date", "The hearing date must be today or in the past")
    amount_of_costs = None if costs is None else _money("costs", costs, errors)
    errors.raise_any()
    locked = list(
        RecoveryAction.objects.select_for_update(of=("self",))
        .select_related("account", "account__dwelling", "account__hereditament")
        .filter(pk__in=[s.pk for s in summonses])
        .order_by("pk")
    )
    settings = RevenuesSettings.objects.filter(tenant_id=locked[0].tenant_id).first() if locked else None
    if amount_of_costs is None:
        amount_of_costs = settings.liability_order_costs if settings else ZERO
    years = []
    holidays = bank_holidays(SERVICE_HOLIDAYS)
    for summons in locked:
        number = summons.account.number
        if summons.stage != RecoveryAction.Stage.SUMMONS:
            errors.add("summonses", f"{number}: this is not a summons")
            continue
        if summons.status != RecoveryAction.Status.ISSUED:
            errors.add("summonses", f"{number}: the summons is {summons.get_status_display().lower()}")
            continue
        if (
            RecoveryAction.objects.filter(
                account=summons.account,
                financial_year=summons.financial_year,
                stage=RecoveryAction.Stage.LIABILITY_ORDER,
            )
            .exclude(status=RecoveryAction.Status.WITHDRAWN)
            .exists()
        ):
            errors.add("summonses", f"{number}: a liability order is already recorded for {summons.financial_year}")
            continue
        checked = calc.earliest_hearing(summons.issued_on, holidays=holidays, hearing=hearing_date)
        if not checked.lawful:
            errors.add(
                "hearing_date",
                f"{number}: the summons was issued on {summons.issued_on.isoformat()} and deemed served by post on "
                f"{checked.served_on.isoformat()}; no order may be made until 14 days have elapsed since then, "
                f"so not before {checked.earliest.isoformat()} (reg. 35(2A))",
            )
            continue
        year = account_year(account=summons.account, financial_year=summons.financial_year, on=today)
        owed = year.owed(today)
        if owed <= 0:
            errors.add("summonses", f"{number}: the amount and costs are paid, so no order is needed")
            continue
        years.append((summons, year, owed))
    if len(years) != len(summonses) and not errors.messages:
        errors.add("summonses", "Choose summonses of this council")
    errors.raise_any()
    orders = []
    for summons, year, owed in years:
        order = RecoveryAction(
            tenant=summons.tenant,
            account=summons.account,
            financial_year=summons.financial_year,
            stage=RecoveryAction.Stage.LIABILITY_ORDER,
            issued_on=hearing_date,
            amount=owed + amount_of_costs,
            costs=amount_of_costs,
            hearing_date=hearing_date,
            detail=notice_detail(
                year,
                stage=calc.LIABILITY_ORDER,
                issued_on=hearing_date,
                amount=owed + amount_of_costs,
                balance=owed,
                costs=amount_of_costs,
                hearing_date=hearing_date,
                steps=[
                    f"Summons of {summons.issued_on.isoformat()}, hearing {hearing_date.isoformat()}.",
                    *calc.earliest_hearing(summons.issued_on, holidays=holidays, hearing=hearing_date).steps,
                ],
            ),
        )
        order.save()
        _costs_entry(order, amount_of_costs, hearing_date, "Costs of the liability order")
        _audit_action(order, "liability_order", summons_id=summons.pk)
        # Sent as every other notice is: emailed now (PDF attached) to an e-billing account, in the same
        # transaction; otherwise it waits for the print file of its hearing day. Each PDF costs about a quarter of a
        # second, so a large hearing recorded from the page emails its first orders here and leaves the rest to the
        # print run of the hearing day, which emails e-billing notices still waiting.
        if len(orders) < EMAILED_WHILE_RECORDING:
            recovery_notice_send(action=order)
        orders.append(order)
    return orders


# Holds ------------------------------------------------------------------------------------------------------------


@transaction.atomic
def recovery_hold_place(
    *, account: Account, reason: str, until: date | None = None, placed_by=None, today: date | None = None
) -> RecoveryHold:
    """Stop every recovery stage on the account until released (or until the day given, inclusive)."""
    today = today or timezone.localdate()
    errors = Errors()
    reason = text_value(RecoveryHold, "reason", reason, errors, required=True)
    if until is not None and (not isinstance(until, date) or until < today):
        errors.add("until", "The hold must last until today or a later date")
    if isinstance(account, Account) and live_holds(today).filter(account=account).exists():
        errors.add("account", "The account already has a hold: release it first")
    errors.raise_any()
    hold = RecoveryHold.objects.create(
        tenant=account.tenant, account=account, reason=reason, until=until, placed_by=placed_by
    )
    audit_record(
        tenant=account.tenant,
        action="revenues.recovery_hold",
        obj=account,
        after=snapshot(hold, ["reason", "until"]),
        detail={"hold_id": hold.pk},
    )
    return hold


@transaction.atomic
def recovery_hold_release(*, hold: RecoveryHold) -> RecoveryHold:
    hold = RecoveryHold.objects.select_for_update().select_related("account").get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError({"hold": "This hold is already released"})
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    audit_record(
        tenant=hold.tenant,
        action="revenues.recovery_hold_release",
        obj=hold.account,
        after={"released_at": hold.released_at.isoformat()},
        detail={"hold_id": hold.pk, "reason": hold.reason},
    )
    return hold


# Arrangements -----------------------------------------------------------------------------------------------------


@transaction.atomic
def arrangement_make(
    *,
    account: Account,
    financial_year: str,
    instalments: Sequence[tuple[date, Decimal]],
    made_on: date | None = None,
    made_by=None,
) -> Arrangement:
    """Agree payments that clear what the account owes for the year (charge and costs); recovery waits while
    they are kept and resumes if one is missed."""
    made_on = made_on or timezone.localdate()
    errors = Errors()
    try:
        FinancialYear.parse(financial_year)
    except InputError as error:
        errors.add("financial_year", error.message)
    if not instalments:
        errors.add("instalments", "Add at least one payment")
    plan: list[tuple[date, Decimal]] = []
    for index, pair in enumerate(instalments):
        day, amount = pair
        if not isinstance(day, date):
            errors.add("instalments", f"Payment {index + 1}: enter a date")
            continue
        if day < made_on:
            errors.add("instalments", f"Payment {index + 1}: the date must be on or after {made_on.isoformat()}")
        if plan and day <= plan[-1][0]:
            errors.add("instalments", f"Payment {index + 1}: each payment must fall after the one before")
        plan.append((day, _money("instalments", amount, errors, allow_zero=False)))
    errors.raise_any()
    Account.objects.select_for_update().get(pk=account.pk)
    if Arrangement.objects.filter(
        account=account, financial_year=financial_year, status=Arrangement.Status.LIVE
    ).exists():
        raise ValidationError({"financial_year": f"There is already a live arrangement for {financial_year}"})
    owed = account_year(account=account, financial_year=financial_year, on=made_on).owed(made_on)
    total = sum((amount for _day, amount in plan), ZERO)
    if owed <= 0:
        raise ValidationError({"financial_year": f"Nothing is owed for {financial_year}"})
    if total != owed:
        raise ValidationError(
            {"instalments": f"The payments add up to £{total:,.2f}; they must clear the £{owed:,.2f} owed"}
        )
    arrangement = Arrangement.objects.create(
        tenant=account.tenant,
        account=account,
        financial_year=financial_year,
        total=total,
        instalments=[[day.isoformat(), str(amount)] for day, amount in plan],
        made_by=made_by,
        made_on=made_on,
    )
    audit_record(
        tenant=account.tenant,
        action="revenues.arrangement_make",
        obj=account,
        after=snapshot(arrangement, ["financial_year", "total", "instalments", "made_on", "status"]),
        detail={"arrangement_id": arrangement.pk},
    )
    return arrangement


def arrangement_proposal(*, account: Account, financial_year: str, first: date, count: int, today: date | None = None):
    """Equal monthly payments from `first` that clear what is owed, for an officer to agree (arrangement_make)."""
    today = today or timezone.localdate()
    owed = account_year(account=account, financial_year=financial_year, on=today).owed(today)
    if owed <= 0:
        raise ValidationError({"financial_year": f"Nothing is owed for {financial_year}"})
    return [(i.due, i.amount) for i in calc.arrangement_plan(owed, first=first, count=count)]
