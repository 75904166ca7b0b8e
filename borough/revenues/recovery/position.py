"""Where an account's year stands, read in bulk for a run's chunk (a few queries whatever the number of accounts)
and turned into what the pure engine reads. Payments are spread as borough.revenues.payments.balances does."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from borough.revenues.calc import recovery as calc
from borough.revenues.models import (
    Account,
    Arrangement,
    Bill,
    LedgerEntry,
    RecoveryAction,
    RecoveryHold,
    RevenuesSettings,
)
from borough.revenues.payments.balances import PAYING_KINDS

ZERO = Decimal("0.00")


@dataclass
class AccountYear:
    account: Account
    financial_year: str
    bill: Bill | None = None
    entries: list[LedgerEntry] = field(default_factory=list)
    actions: list[RecoveryAction] = field(default_factory=list)  # not withdrawn, oldest first
    hold: RecoveryHold | None = None
    arrangement: Arrangement | None = None  # the live one
    # Withdrawn stages that still stand for the bill's instalments (issued on or after the bill): not repeated.
    withdrawn: list[RecoveryAction] = field(default_factory=list)
    practice: dict = field(default_factory=dict)  # the council's recovery settings (practice_of)

    @property
    def rules(self) -> calc.RecoveryRules:
        return rules_for(self.account, **self.practice)

    def instalments(self) -> list[calc.Instalment]:
        if self.bill is None:
            return []
        lines = [calc.Instalment(date.fromisoformat(due), Decimal(amount)) for due, amount in self.bill.instalments]
        credited = max(Decimal(self.bill.credited), ZERO)
        if credited:  # paid before this bill: the first payments cover it (balances.allocate)
            lines.insert(0, calc.Instalment(self.bill.issued_on, credited))
        return lines

    def payments(self, as_of: date | None = None) -> list[calc.Payment]:
        return [
            calc.Payment(entry.posted_on, -entry.amount)
            for entry in self.entries
            if entry.kind in PAYING_KINDS and (as_of is None or entry.posted_on <= as_of)
        ]

    def costs(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind == LedgerEntry.Kind.COSTS), ZERO)

    def issued(self) -> list[calc.IssuedStage]:
        return [calc.IssuedStage(a.stage, a.issued_on, a.pay_by, a.amount) for a in self.actions]

    def decide(self, today: date, rules: calc.RecoveryRules | None = None) -> calc.Decision:
        return calc.next_action(
            instalments=self.instalments(),
            payments=[p for p in self.payments() if p.on <= today],
            issued=[s for s in self.issued() if s.issued_on <= today],
            today=today,
            rules=rules or self.rules,
            costs=self.costs(),
            withdrawn=[
                calc.IssuedStage(a.stage, a.issued_on, a.pay_by, a.amount)
                for a in self.withdrawn
                if a.issued_on <= today
            ],
        )

    def cleared(self, action: RecoveryAction, today: date) -> bool:
        return calc.stage_cleared(
            calc.IssuedStage(action.stage, action.issued_on, action.pay_by, action.amount),
            instalments=self.instalments(),
            payments=self.payments(today),
            costs=self.costs(),
            today=today,
            rules=self.rules,
        )

    def owed(self, today: date) -> Decimal:
        """The year's unpaid charge and costs as at `today` (what an arrangement must clear)."""
        return calc.year_owed(
            instalments=self.instalments(), payments=self.payments(today), costs=self.costs(), as_of=today
        )


def rules_for(account: Account, **settings) -> calc.RecoveryRules:
    tax = calc.COUNCIL_TAX if account.dwelling_id else calc.BUSINESS_RATES
    return calc.RecoveryRules.for_tax(tax, **settings)


def practice_of(tenant_id: int) -> dict:
    """The council's recovery practice from its RevenuesSettings, as RecoveryRules fields (none: the defaults)."""
    settings = RevenuesSettings.objects.filter(tenant_id=tenant_id).first()
    if settings is None:
        return {}
    return {
        "reminder_after_days": settings.recovery_reminder_after_days,
        "hearing_after_days": settings.recovery_hearing_after_days,
        "arrangement_grace_days": settings.recovery_arrangement_grace_days,
        "minimum_reminder": settings.recovery_minimum_reminder,
    }


def live_holds(on: date):
    return RecoveryHold.objects.filter(released_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=on))


def account_years(*, account_ids: Sequence[int], financial_year: str, on: date) -> dict[int, AccountYear]:
    accounts = Account.objects.filter(pk__in=account_ids).select_related("tenant", "dwelling", "hereditament")
    accounts = list(accounts.prefetch_related("parties"))
    practice = practice_of(accounts[0].tenant_id) if accounts else {}
    years = {a.pk: AccountYear(account=a, financial_year=financial_year, practice=practice) for a in accounts}
    for bill in Bill.objects.filter(account_id__in=years, financial_year=financial_year, superseded_on__isnull=True):
        years[bill.account_id].bill = bill
    grouped: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(account_id__in=years, financial_year=financial_year).order_by(
        "posted_on", "pk"
    ):
        grouped[entry.account_id].append(entry)
    for account_id, entries in grouped.items():
        years[account_id].entries = entries
    actions = RecoveryAction.objects.filter(account_id__in=years, financial_year=financial_year)
    for action in actions.order_by("issued_on", "pk"):
        year = years[action.account_id]
        if action.status != RecoveryAction.Status.WITHDRAWN:
            year.actions.append(action)
        elif year.bill is None or action.issued_on >= year.bill.issued_on:
            # A bill issued after the stage makes its instalments fall due again: the withdrawal no longer stands.
            year.withdrawn.append(action)
    for hold in live_holds(on).filter(account_id__in=years).order_by("placed_at"):
        years[hold.account_id].hold = hold
    live = Arrangement.objects.filter(
        account_id__in=years, financial_year=financial_year, status=Arrangement.Status.LIVE
    )
    for arrangement in live:
        years[arrangement.account_id].arrangement = arrangement
    return years


def account_year(*, account: Account, financial_year: str, on: date) -> AccountYear:
    return account_years(account_ids=[account.pk], financial_year=financial_year, on=on)[account.pk]
