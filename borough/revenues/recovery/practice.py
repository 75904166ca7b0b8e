"""The council's recovery practice, kept on RevenuesSettings and read by the daily run (recovery.position.practice_of):
how many days after a missed instalment the reminder goes, how many days from the summons to the hearing, the grace
days on an arrangement payment, and the least amount a reminder asks for.

Values that would breach the regulations are refused with the regulation in the message: no reminder before an
instalment is missed (CT reg. 23(1), NNDR reg. 8(1)), and no hearing before the earliest lawful day for a summons
issued on any day of the coming year (calc.recovery.least_hearing_days: posted, served on the second business day,
then 14 whole days, CT reg. 35(2A); 21 days, because of Easter and Christmas). The upper limits are good practice, so
a typing slip cannot stall recovery for a year.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.core.calendars import bank_holidays
from borough.revenues.calc import recovery as calc
from borough.revenues.models import RevenuesSettings
from borough.revenues.services.common import Errors

FIELDS = {
    "reminder_after_days": "recovery_reminder_after_days",
    "hearing_after_days": "recovery_hearing_after_days",
    "arrangement_grace_days": "recovery_arrangement_grace_days",
    "minimum_reminder": "recovery_minimum_reminder",
}
REMINDER_DAYS = (1, 60)
HEARING_MOST_DAYS = 90
# "Business day" as CT reg. 1(2) defines it: bank holidays in England and Wales, whatever the tenant's nation.
SERVICE_HOLIDAYS = "england-and-wales"
GRACE_DAYS = (0, 31)
MINIMUM_REMINDER = (Decimal("0.00"), Decimal("500.00"))
MESSAGES = {
    "reminder_after_days": {
        "low": "A reminder may only go once an instalment is unpaid after its due date (CT (A&E) Regs 1992 "
        "reg. 23(1); NNDR (C&E) Regs 1989 reg. 8(1)): enter 1 day or more",
        "high": "Enter at most 60 days: later than that, the year's instalments run out before recovery starts",
    },
    "hearing_after_days": {"high": "Enter at most 90 days"},
    "arrangement_grace_days": {"low": "Enter 0 days or more", "high": "Enter at most 31 days"},
    "minimum_reminder": {"low": "Enter £0.00 or more", "high": "Enter at most £500.00"},
}


def _whole(name: str, value: Any, limits: tuple[int, int], errors: Errors, low: str = "") -> int | None:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        errors.add(name, "Enter a whole number of days")
        return None
    if number < limits[0]:
        errors.add(name, low or MESSAGES[name]["low"])
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


def hearing_days_limits(today: date | None = None) -> tuple[tuple[int, int], str]:
    """The least and most days from summons to hearing, and why the least: the days a summons issued on the worst
    day of the coming year needs (calc.recovery.least_hearing_days)."""
    least, worst = calc.least_hearing_days(
        holidays=bank_holidays(SERVICE_HOLIDAYS), start=today or timezone.localdate()
    )
    why = (
        f"Enter {least} days or more: no liability order may be made until 14 days have elapsed since the day the "
        f"summons was served (CT (A&E) Regs 1992 reg. 35(2A)), and a summons posted on {worst.issued_on:%A} "
        f"{worst.issued_on.day} {worst.issued_on:%B %Y} is deemed served on {worst.served_on:%A} "
        f"{worst.served_on.day} {worst.served_on:%B}, so its hearing can be no earlier than {worst.earliest:%A} "
        f"{worst.earliest.day} {worst.earliest:%B %Y}, {least} days after it"
    )
    return (least, HEARING_MOST_DAYS), why


@transaction.atomic
def recovery_settings_update(
    *,
    tenant,
    reminder_after_days: Any,
    hearing_after_days: Any,
    arrangement_grace_days: Any,
    minimum_reminder: Any,
    today: date | None = None,
) -> RevenuesSettings:
    """Set the council's recovery practice (creating its revenues settings if it has none). All or nothing. The
    hearing days must be lawful for a summons issued on any day of the year from `today`."""
    errors = Errors()
    hearing_limits, hearing_low = hearing_days_limits(today)
    values = {
        "reminder_after_days": _whole("reminder_after_days", reminder_after_days, REMINDER_DAYS, errors),
        "hearing_after_days": _whole("hearing_after_days", hearing_after_days, hearing_limits, errors, hearing_low),
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
