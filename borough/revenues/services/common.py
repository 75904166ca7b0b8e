"""What the revenues services share: field checks, and marking accounts for re-billing."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from borough.core.audit import audit_record, snapshot
from borough.people.normalise import normalise_postcode
from borough.revenues.models import (
    Account,
    LiabilityPeriod,
    Parish,
    bands_for,
)
from borough.revenues.selectors import NotCouncilTaxNation, tenant_country
from borough.tenancy.models import Tenant

ACCOUNT_SEQUENCE = "revenues-account"
MAX_RATEABLE_VALUE = 10**14  # what the column holds (14 digits, no pence)
ADDRESS_FIELDS = ("uprn", "address_line_1", "address_line_2", "address_line_3", "town", "postcode")
DWELLING_FIELDS = ("voa_reference", *ADDRESS_FIELDS, "band", "band_effective_from", "parish", "status", "exists_from")
DWELLING_AUDITED = (*DWELLING_FIELDS, "deleted_from")


class Errors:
    """Field messages gathered while validating, raised together."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def text_value(model, name: str, value: Any, errors: Errors, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, "Enter text")
        return ""
    value = " ".join(value.split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        errors.add(name, "Remove the control characters (such as NUL) from this value")
        return ""
    limit = model._meta.get_field(name).max_length
    if required and not value:
        errors.add(name, "Enter a value")
    elif len(value) > limit:
        errors.add(name, f"Use at most {limit} characters")
    return value


def check_address(model, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    cleaned = {
        name: text_value(model, name, values.get(name), errors, required=name == "address_line_1")
        for name in ADDRESS_FIELDS
    }
    if cleaned["uprn"] and not (cleaned["uprn"].isascii() and cleaned["uprn"].isdigit()):
        errors.add("uprn", "A UPRN is a number of up to 12 digits")
    if cleaned["postcode"]:
        try:
            cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
        except ValueError as error:
            errors.add("postcode", str(error))
    return cleaned


def check_date(name: str, value: Any, errors: Errors, *, required: bool = True) -> date | None:
    if value is None and not required:
        return None
    if not isinstance(value, date):
        errors.add(name, "Enter a date")
        return None
    return value


def check_band(tenant: Tenant, band: Any, errors: Errors) -> str:
    try:
        bands = bands_for(tenant_country(tenant))
    except NotCouncilTaxNation as error:
        errors.add("band", str(error))
        return ""
    band = band.strip().upper() if isinstance(band, str) else band
    if band not in bands:
        errors.add("band", f"{band!r} is not a valuation band here: use {bands[0]} to {bands[-1]}")
    return band


def check_parish(tenant: Tenant, parish: Parish | None, errors: Errors) -> None:
    if parish is not None and parish.tenant_id != tenant.pk:
        errors.add("parish", "Choose a parish of this council")


def mark_rebill(*, property_field: str, prop, effective_from: date) -> int:
    """Ask billing to re-bill, from `effective_from`, every account liable on or after it; return how many."""
    liable = LiabilityPeriod.objects.filter(**{f"account__{property_field}": prop}).filter(
        Q(end__isnull=True) | Q(end__gte=effective_from)
    )
    accounts = Account.objects.filter(pk__in=liable.values("account_id")).order_by("pk")
    marked = 0
    for account in accounts.select_for_update():
        if account.rebill_from is None or account.rebill_from > effective_from:
            before = snapshot(account, ["rebill_from"])
            account.rebill_from = effective_from
            account.save(update_fields=["rebill_from"])
            audit_record(
                tenant=account.tenant,
                action="revenues.account_rebill",
                obj=account,
                before=before,
                after=snapshot(account, ["rebill_from"]),
            )
            marked += 1
    return marked


def end_liability_on_deletion(property_field: str, prop, deleted_from: date) -> None:
    """A property that ceases to exist ends the liability of whoever was liable for it the day before."""
    last_day = date.fromordinal(deleted_from.toordinal() - 1)
    open_periods = LiabilityPeriod.objects.filter(**{f"account__{property_field}": prop}).filter(
        Q(end__isnull=True) | Q(end__gte=deleted_from)
    )
    for period in open_periods.select_related("account"):
        period.end = max(last_day, period.start)
        period.end_reason = LiabilityPeriod.EndReason.PROPERTY_DELETED
        period.save(update_fields=["end", "end_reason"])
        audit_record(
            tenant=period.tenant,
            action="revenues.liability_end",
            obj=period.account,
            after={"end": period.end.isoformat(), "reason": period.end_reason},
        )
    mark_rebill(property_field=property_field, prop=prop, effective_from=deleted_from)
