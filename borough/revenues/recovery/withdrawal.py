"""Withdrawing a recovery stage: one issued in error, or a summons paid (with its costs) before the hearing.

Issued in error, the costs charged for it are taken off by a `costs` ledger entry of the opposite sign (linked to the
charge by `reverses`). Paid before the hearing (CT reg. 34(5); NNDR reg. 12(5)), the costs were paid with the amount
and stay charged. Either way the stage is marked withdrawn, with when, on what grounds and why, and audited on the
account. A notice withdrawn before it went out is not sent; one the resident had gets a withdrawal letter
(recovery/letters.py), emailed at once to an e-billing account, otherwise posted with the next print file. The daily
run does not issue the stage again for the same instalments (recovery.position hands it the withdrawn stages that
still stand; a bill issued after the withdrawal makes the instalments fall due again).
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.revenues.models import LedgerEntry, RecoveryAction
from borough.revenues.recovery.letters import letter_make, letter_send_now
from borough.revenues.recovery.position import account_year
from borough.revenues.services.common import Errors, text_value

WITHDRAWAL_FIELDS = ["status", "withdrawn_on", "withdrawal_grounds", "withdrawal_reason"]


def _later_stage(action: RecoveryAction) -> RecoveryAction | None:
    """A stage of the same year issued after this one and still standing: it must be withdrawn first."""
    later = (
        RecoveryAction.objects.filter(account_id=action.account_id, financial_year=action.financial_year)
        .exclude(pk=action.pk)
        .exclude(status=RecoveryAction.Status.WITHDRAWN)
        .filter(issued_on__gte=action.issued_on)
        .order_by("-issued_on", "-pk")
    )
    return next((stage for stage in later if (stage.issued_on, stage.pk) > (action.issued_on, action.pk)), None)


def _reverse_costs(action: RecoveryAction, today: date, reason: str) -> LedgerEntry | None:
    charge = LedgerEntry.objects.filter(
        tenant_id=action.tenant_id, source_key=f"recovery:{action.stage}:{action.pk}", kind=LedgerEntry.Kind.COSTS
    ).first()
    if charge is None or charge.amount <= 0 or charge.reversals.exists():
        return None
    entry = LedgerEntry.objects.create(
        tenant=action.tenant,
        account=action.account,
        financial_year=action.financial_year,
        kind=LedgerEntry.Kind.COSTS,
        amount=-charge.amount,
        posted_on=today,
        source_key=f"recovery-withdraw:{action.pk}",
        reverses=charge,
        note=f"Costs taken off: the {action.get_stage_display().lower()} was withdrawn ({reason})"[:300],
    )
    audit_record(
        tenant=action.tenant,
        action="revenues.costs_reverse",
        obj=action.account,
        after={"kind": entry.kind, "amount": str(entry.amount), "financial_year": entry.financial_year},
        detail={"entry_id": entry.pk, "reverses": charge.pk, "recovery_action_id": action.pk},
    )
    return entry


@transaction.atomic
def recovery_withdraw(
    *, action: RecoveryAction, grounds: str, reason: str, today: date | None = None
) -> RecoveryAction:
    """Withdraw a recovery stage on `grounds` (RecoveryAction.Grounds: error, or paid before the hearing), saying
    why (who withdrew it is the audit event's actor). Refused, with the field's message, if the stage is already
    withdrawn, a later stage still stands on it, or a summons is withdrawn as paid when it is not (or after its
    hearing)."""
    today = today or timezone.localdate()
    errors = Errors()
    if not isinstance(action, RecoveryAction) or action.pk is None:
        raise ValidationError({"action": "Choose the stage to withdraw"})
    if grounds not in RecoveryAction.Grounds.values:
        errors.add("grounds", "Choose why the stage is withdrawn: issued in error, or paid before the hearing")
    reason = text_value(RecoveryAction, "withdrawal_reason", reason, errors, required=True)
    if "withdrawal_reason" in errors.messages:
        errors.messages["reason"] = errors.messages.pop("withdrawal_reason")
    errors.raise_any()
    action = (
        RecoveryAction.objects.select_for_update(of=("self",))
        .select_related("account", "account__dwelling", "account__hereditament", "tenant")
        .get(pk=action.pk)
    )
    stage = action.get_stage_display().lower()
    if action.status == RecoveryAction.Status.WITHDRAWN:
        raise ValidationError({"action": f"This {stage} is already withdrawn"})
    later = _later_stage(action)
    if later is not None:
        raise ValidationError(
            {
                "action": f"The {later.get_stage_display().lower()} of {later.issued_on.isoformat()} stands on this "
                f"{stage}: withdraw it first"
            }
        )
    if grounds == RecoveryAction.Grounds.PAID:
        if action.stage != RecoveryAction.Stage.SUMMONS:
            errors.add("grounds", "Only a summons is withdrawn as paid before the hearing; withdraw others as errors")
        elif action.hearing_date is not None and action.hearing_date < today:
            errors.add(
                "grounds",
                f"The hearing was on {action.hearing_date.isoformat()}: a summons paid before it is withdrawn by then",
            )
        else:
            owed = account_year(account=action.account, financial_year=action.financial_year, on=today).owed(today)
            if owed > 0:
                errors.add(
                    "grounds",
                    f"£{owed:,.2f} is still owed for {action.financial_year}, costs included: the application stops "
                    "only when the amount and the costs are paid (reg. 34(5))",
                )
        errors.raise_any()
    before = snapshot(action, WITHDRAWAL_FIELDS)
    reversal = _reverse_costs(action, today, reason) if grounds == RecoveryAction.Grounds.ERROR else None
    action.status = RecoveryAction.Status.WITHDRAWN
    action.withdrawn_on, action.withdrawal_grounds, action.withdrawal_reason = today, grounds, reason
    action.save(update_fields=WITHDRAWAL_FIELDS)
    audit_record(
        tenant=action.tenant,
        action="revenues.recovery_withdraw",
        obj=action.account,
        before=before,
        after=snapshot(action, WITHDRAWAL_FIELDS),
        detail={
            "recovery_action_id": action.pk,
            "stage": action.stage,
            "costs_reversed": str(-reversal.amount) if reversal else "0.00",
            "reversal_entry_id": reversal.pk if reversal else None,
        },
    )
    owed = account_year(account=action.account, financial_year=action.financial_year, on=today).owed(today)
    letter = letter_make(
        action=action, costs_off=-reversal.amount if reversal else Decimal("0.00"), owed=owed, today=today
    )
    if letter is not None:
        audit_record(
            tenant=action.tenant,
            action="revenues.recovery_withdrawal_letter",
            obj=action.account,
            after={"title": letter["title"], "lines": letter["lines"]},
            detail={"recovery_action_id": action.pk},
        )
        letter_send_now(action)
        action.refresh_from_db(fields=["detail"])
    return action
