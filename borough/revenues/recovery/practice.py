"""The council's recovery practice, kept on RevenuesSettings and read by the daily run (recovery.position
.practice_of): how many days after a missed instalment the reminder goes, how many days from the summons to the
hearing, the grace days on an arrangement payment, and the least amount a reminder asks for.

Values that would breach the regulations are refused with the regulation in the message: no reminder before an
instalment is missed (CT reg. 23(1), NNDR reg. 8(1)), no hearing until 14 days after the summons is served (CT
reg. 35(2A)). The upper limits are good practice, so a typing slip cannot stall recovery for a year.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.revenues.models import RevenuesSettings
from borough.revenues.services.common import Errors

FIELDS = {
    "reminder_after_days": "recovery_reminder_after_days",
    "hearing_after_days": "recovery_hearing_after_days",
    "arrangement_grace_days": "recovery_arrangement_grace_days",
    "minimum_reminder": "recovery_minimum_reminder",
}
REMINDER_DAYS = (1, 60)
HEARING_DAYS = (15, 90)  # more than the 14 days of reg. 35(2A), so a summons issued today can be served in time
GRACE_DAYS = (0, 31)
MINIMUM_REMINDER = (Decimal("0.00"), Decimal("500.00"))
MESSAGES = {
    "reminder_after_days": {
        "low": "A reminder may only go once an instalment is unpaid after its due date (CT (A&E) Regs 1992 "
        "reg. 23(1); NNDR (C&E) Regs 1989 reg. 8(1)): enter 1 day or more",
        "high": "Enter at most 60 days: later than that, the year's instalments run out before recovery starts",
    },
    "hearing_after_days": {
        "low": "The hearing must be more than 14 days after the summons, so it can be served 14 days before "
        "(CT (A&E) Regs 1992 reg. 35(2A)): enter 15 days or more",
        "high": "Enter at most 90 days",
    },
    "arrangement_grace_days": {"low": "Enter 0 days or more", "high": "Enter at most 31 days"},
    "minimum_reminder": {"low": "Enter £0.00 or more", "high": "Enter at most £500.00"},
}


def _whole(name: str, value: Any, limits: tuple[int, int], errors: Errors) -> int | None:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        errors.add(name, "Enter a whole number of days")
        return None
    if number < limits[0]:
        errors.add(name, MESSAGES[name]["low"])
    elif number > limits[1]:
        errors.add(name, MESSAGES[name]["high"])
    else:
        return number
    return None


def _pounds(name: str, value: Any, limits: tuple[Decimal, Decimal], errors: Errors) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        errors.add(name, "Enter an amount in pounds, such as 5.00")
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors.add(name, "Enter an amount in pounds and pence, such as 5.00")
    elif amount < limits[0]:
        errors.add(name, MESSAGES[name]["low"])
    elif amount > limits[1]:
        errors.add(name, MESSAGES[name]["high"])
    else:
        return amount.quantize(Decimal("0.01"))
    return None


@transaction.atomic
def recovery_settings_update(
    *, tenant, reminder_after_days: Any, hearing_after_days: Any, arrangement_grace_days: Any, minimum_reminder: Any
) -> RevenuesSettings:
    """Set the council's recovery practice (creating its revenues settings if it has none). All or nothing."""
    errors = Errors()
    values = {
        "reminder_after_days": _whole("reminder_after_days", reminder_after_days, REMINDER_DAYS, errors),
        "hearing_after_days": _whole("hearing_after_days", hearing_after_days, HEARING_DAYS, errors),
        "arrangement_grace_days": _whole("arrangement_grace_days", arrangement_grace_days, GRACE_DAYS, errors),
        "minimum_reminder": _pounds("minimum_reminder", minimum_reminder, MINIMUM_REMINDER, errors),
    }
    errors.raise_any()
    settings, _created = RevenuesSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(settings, list(FIELDS.values()))
    for name, field in FIELDS.items():
        setattr(settings, field, values[name])
    settings.save(update_fields=list(FIELDS.values()))
    audit_record(
        tenant=tenant,
        action="revenues.recovery_settings_update",
        obj=settings,
        before=before,
        after=snapshot(settings, list(FIELDS.values())),
    )
    return settings


def current_practice(tenant) -> dict[str, Any]:
    """The council's practice as the settings form's initial values (the defaults if nothing is set)."""
    settings = RevenuesSettings.objects.filter(tenant=tenant).first() or RevenuesSettings(tenant=tenant)
    return {name: getattr(settings, field) for name, field in FIELDS.items()}
