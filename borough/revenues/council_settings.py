"""What a council sets about itself for revenues, on RevenuesSettings (the recovery practice has its own page,
recovery.practice): which country's bands apply, the name, address and phone its bills print, Greater London for the
business rates transitional bands, its BACS originator details, and the summons and liability order costs.

`revenues_settings_update` checks every field and answers all the problems at once, each on its field; it writes all
or nothing, audited with the fields' before and after. The country cannot change once the council has issued a bill:
the bills were worked out on that country's bands (England A-H, Wales A-I).
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.people.normalise import normalise_phone
from borough.revenues.models import Bill, Country, RevenuesSettings
from borough.revenues.services.common import Errors

FIELDS = (
    "country",
    "billing_authority_name",
    "billing_address",
    "enquiries_phone",
    "greater_london",
    "bacs_service_user_number",
    "bacs_sort_code",
    "bacs_account_number",
    "bacs_account_name",
    "summons_costs",
    "liability_order_costs",
)
BACS_FIELDS = ("bacs_service_user_number", "bacs_sort_code", "bacs_account_number", "bacs_account_name")
LABELS = {
    "billing_authority_name": "name printed on bills",
    "billing_address": "postal address",
    "enquiries_phone": "enquiries phone number",
    "bacs_service_user_number": "service user number",
    "bacs_sort_code": "sort code",
    "bacs_account_number": "account number",
    "bacs_account_name": "account name",
    "summons_costs": "summons costs",
    "liability_order_costs": "liability order costs",
}
# Costs the council asks the magistrates for: a limit well above any court's award, so a typing slip is caught.
COSTS = (Decimal("0.00"), Decimal("500.00"))
ADDRESS_LINES = 8
ADDRESS_LINE_LENGTH = 100
# The characters a Bacs record may carry in a name (Bacs Standard 18): upper case letters, digits, . & / - and space.
BACS_NAME = re.compile(r"[A-Z0-9 .&/-]*")
_SEPARATORS = re.compile(r"[\s-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(name: str, value: Any, errors: Errors) -> str:
    """One line of text, its spaces tidied: blank is allowed (bills then print the tenant's name)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, "Enter text")
        return ""
    if _CONTROL.search(value):
        errors.add(name, "Remove the control characters (such as NUL) from this value")
        return ""
    text = " ".join(value.split())
    limit = RevenuesSettings._meta.get_field(name).max_length
    if len(text) > limit:
        errors.add(name, f"Use at most {limit} characters for the {LABELS[name]}")
        return ""
    return text


def _address(value: Any, errors: Errors) -> str:
    """The postal address as lines (one per line of the address on the bill), blank lines dropped."""
    name = "billing_address"
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, "Enter text")
        return ""
    if _CONTROL.search(value.replace("\r", "")):
        errors.add(name, "Remove the control characters (such as NUL) from the address")
        return ""
    lines = [" ".join(line.split()) for line in value.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > ADDRESS_LINES:
        errors.add(name, f"Use at most {ADDRESS_LINES} lines for the address")
    elif any(len(line) > ADDRESS_LINE_LENGTH for line in lines):
        errors.add(name, f"Use at most {ADDRESS_LINE_LENGTH} characters on each line of the address")
    else:
        return "\n".join(lines)
    return ""


def _phone(value: Any, errors: Errors) -> str:
    """A UK phone number, kept as the council writes it (spaces tidied) once the people normaliser accepts it."""
    name = "enquiries_phone"
    text = _text(name, value, errors)
    if not text:
        return ""
    try:
        normalised = normalise_phone(text)
    except ValueError as error:
        errors.add(name, str(error))
        return ""
    if not normalised.startswith("+44"):
        errors.add(name, f"{text!r} is not a UK phone number: enter the number residents call, like 01632 960001")
        return ""
    return text


def _digits(name: str, value: Any, width: int, errors: Errors, message: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, message)
        return ""
    digits = _SEPARATORS.sub("", value)
    if digits and not (len(digits) == width and digits.isascii() and digits.isdigit()):
        errors.add(name, message)
        return ""
    return digits


def _account_name(value: Any, errors: Errors) -> str:
    name = "bacs_account_name"
    text = _text(name, value, errors).upper()
    if not BACS_NAME.fullmatch(text):
        bad = "".join(sorted({ch for ch in text if not BACS_NAME.fullmatch(ch)}))
        errors.add(
            name,
            f"A Bacs account name may only use the letters A to Z, digits, full stops, &, / , - and spaces: "
            f"remove {bad}",
        )
        return ""
    limit = RevenuesSettings._meta.get_field(name).max_length
    if len(text) > limit:
        errors.add(name, f"Use at most {limit} characters: Bacs carries {limit} characters of the name")
        return ""
    return text


def _costs(name: str, value: Any, errors: Errors) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(name, f"Enter the {LABELS[name]}, or 0.00 if the council asks for none")
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().lstrip("£").replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(name, "Enter an amount in pounds, such as 70.00")
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors.add(name, "Enter an amount in pounds and pence, such as 70.00")
    elif amount < COSTS[0]:
        errors.add(name, f"Enter £{COSTS[0]} or more")
    elif amount > COSTS[1]:
        errors.add(name, f"Enter at most £{COSTS[1]}: costs are what the council reasonably incurred")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _check(tenant, current: RevenuesSettings, changes: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The changes checked and tidied, field by field, then the rules between fields on the settings they make."""
    for name in sorted(set(changes) - set(FIELDS)):
        errors.add(name, "This is not a revenues setting that can be changed here")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            continue
        if name == "country":
            if value not in Country.values:
                errors.add(name, "Choose England or Wales")
            else:
                values[name] = value
        elif name == "greater_london":
            if not isinstance(value, bool):
                errors.add(name, "Say whether the council is in Greater London")
            else:
                values[name] = value
        elif name == "billing_authority_name":
            values[name] = _text(name, value, errors)
        elif name == "billing_address":
            values[name] = _address(value, errors)
        elif name == "enquiries_phone":
            values[name] = _phone(value, errors)
        elif name == "bacs_service_user_number":
            values[name] = _digits(name, value, 6, errors, "Enter the service user number as 6 digits, like 123456")
        elif name == "bacs_sort_code":
            values[name] = _digits(name, value, 6, errors, "Enter the sort code as 6 digits, like 12-34-56")
        elif name == "bacs_account_number":
            message = "Enter the account number as 8 digits, like 12345678: the bank gives a shorter one padded to 8"
            values[name] = _digits(name, value, 8, errors, message)
        elif name == "bacs_account_name":
            values[name] = _account_name(value, errors)
        else:
            values[name] = _costs(name, value, errors)

    def final(name: str) -> Any:
        return values[name] if name in values else getattr(current, name)

    country = final("country")
    if "country" in values and values["country"] != current.country and Bill.objects.filter(tenant=tenant).exists():
        errors.add(
            "country",
            f"The country cannot change now: bills have been issued on {current.get_country_display()}'s council "
            "tax bands, and changing it would change the bands under those bills",
        )
    if country != Country.ENGLAND and final("greater_london") is True:
        errors.add("greater_london", "Only a council in England can be in Greater London: untick it for Wales")
    bacs = {name: final(name) for name in BACS_FIELDS}
    if any(bacs.values()):
        for name, value in bacs.items():
            if not value and name not in errors.messages:
                errors.add(name, f"Enter the {LABELS[name]} too: the BACS details are needed all together, or none")
    return values


@transaction.atomic
def revenues_settings_update(*, tenant, changes: dict[str, Any]) -> RevenuesSettings:
    """Set the council's revenues settings named in `changes` (field name to value; the others stay), creating its
    settings if it has none. All or nothing: every problem is raised at once, each on its field."""
    errors = Errors()
    settings, created = RevenuesSettings.objects.select_for_update().get_or_create(tenant=tenant)
    if created:
        settings.refresh_from_db()  # the defaults as stored (0.00, not 0), so the audit's before reads like its after
    values = _check(tenant, settings, changes, errors)
    errors.raise_any()  # the atomic block rolls back a row created only to be checked against
    before = snapshot(settings, list(FIELDS))
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(FIELDS))
    audit_record(
        tenant=tenant,
        action="revenues.settings_update",
        obj=settings,
        before=before,
        after=snapshot(settings, list(FIELDS)),
    )
    return settings


def current_settings(tenant) -> dict[str, Any]:
    """The council's settings as the form's initial values (the defaults if nothing is set)."""
    settings = RevenuesSettings.objects.filter(tenant=tenant).first() or RevenuesSettings(tenant=tenant)
    values = {name: getattr(settings, name) for name in FIELDS}
    for name in ("summons_costs", "liability_order_costs"):
        values[name] = Decimal(values[name]).quantize(Decimal("0.01"))
    return values


class CouncilSettingsForm(forms.Form):
    """The council settings page. It only gathers what was typed: the service checks it all, so every problem shows
    at once."""

    country = forms.CharField(
        label="Which country's council tax applies",
        required=False,
        widget=forms.RadioSelect(choices=Country.choices),
        help_text="England has bands A to H, Wales A to I. It cannot change once a bill has been issued.",
    )
    billing_authority_name = forms.CharField(
        label="Name printed on bills",
        required=False,
        strip=False,
        help_text="Leave empty to print the council's name.",
    )
    billing_address = forms.CharField(
        label="Postal address",
        required=False,
        strip=False,
        widget=forms.Textarea,
        help_text="Printed on bills and notices, one line of the address on each line.",
    )
    enquiries_phone = forms.CharField(
        label="Enquiries phone number",
        required=False,
        strip=False,
        help_text="A UK number, printed on bills and notices, like 01632 960001.",
    )
    greater_london = forms.BooleanField(
        label="The council is in Greater London",
        required=False,
        help_text="The 2026-27 transitional relief bands differ in London. England only.",
    )
    bacs_service_user_number = forms.CharField(
        label="Service user number",
        required=False,
        strip=False,
        help_text="6 digits, from the council's sponsoring bank.",
    )
    bacs_sort_code = forms.CharField(
        label="Sort code", required=False, strip=False, help_text="6 digits, like 12-34-56."
    )
    bacs_account_number = forms.CharField(label="Account number", required=False, strip=False, help_text="8 digits.")
    bacs_account_name = forms.CharField(
        label="Account name",
        required=False,
        strip=False,
        help_text="As Bacs files carry it: at most 18 letters, digits, spaces and . & / -",
    )
    summons_costs = forms.CharField(
        label="Summons costs",
        required=False,
        strip=False,
        help_text="In pounds: what the council asks the court to award when a summons is issued. 0.00: none.",
    )
    liability_order_costs = forms.CharField(
        label="Liability order costs",
        required=False,
        strip=False,
        help_text="In pounds: what the council asks the court to award with a liability order. 0.00: none.",
    )
