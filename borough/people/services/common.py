"""What the people services share: gathering field errors, checking values, and locking a person (or a part of
their record) while it changes, refusing records that are merged away or anonymised."""

from typing import Any

from django.core.exceptions import ValidationError

from borough.people.models import Address, ContactPoint, Person
from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode

# The fields of a person that staff may change, and that every person audit event snapshots.
PERSON_FIELDS = (
    "kind",
    "title",
    "given_name",
    "family_name",
    "organisation_name",
    "preferred_channel",
    "preferred_language",
    "needs",
    "legal_hold_reason",
)
ADDRESS_FIELDS = ("line_1", "line_2", "town", "postcode", "uprn")
NORMALISERS = {ContactPoint.Kind.EMAIL: normalise_email, ContactPoint.Kind.PHONE: normalise_phone}
# Said when a contact point or address was removed (or moved by a merge) after the page showing it was read.
CONTACT_POINT_GONE = "This email address or phone number is no longer on this record"
ADDRESS_GONE = "This address is no longer on this record"


class Errors:
    """Field messages gathered while validating, raised together so a form shows them all at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def check_choice_and_length(model, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Strip text values and check them against the model field's length and choices."""
    cleaned = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.add(name, "Enter text")
            continue
        value = value.strip()
        if field.choices and value not in {choice for choice, _ in field.choices}:
            allowed = ", ".join(str(choice) for choice, _ in field.choices)
            errors.add(name, f"{value!r} is not one of: {allowed}")
        elif field.max_length and len(value) > field.max_length:
            errors.add(name, f"Use {field.max_length} characters or fewer (this has {len(value)})")
        cleaned[name] = value
    return cleaned


def normalised_contact(kind: str, value: str, field: str, errors: Errors) -> str:
    try:
        return NORMALISERS[kind](value)
    except ValueError as error:
        errors.add(field, str(error))
        return ""


def check_address(address: dict[str, Any], errors: Errors, prefix: str = "") -> dict[str, str]:
    unknown = sorted(set(address) - set(ADDRESS_FIELDS))
    for name in unknown:
        errors.add(f"{prefix}{name}", "Not a part of an address")
    values = {name: address.get(name, "") for name in ADDRESS_FIELDS}
    inner = Errors()
    cleaned = check_choice_and_length(Address, values, inner)
    if not cleaned.get("line_1") and "line_1" not in inner.messages:
        inner.add("line_1", "Enter the first line of the address")
    if "postcode" not in inner.messages:
        try:
            cleaned["postcode"] = normalise_postcode(cleaned.get("postcode", ""))
        except ValueError as error:
            inner.add("postcode", str(error))
    uprn = cleaned.get("uprn", "")
    if uprn and not (uprn.isascii() and uprn.isdigit()) and "uprn" not in inner.messages:
        inner.add("uprn", "A UPRN is a number of up to 12 digits")
    for name, messages in inner.messages.items():
        for message in messages:
            errors.add(f"{prefix}{name}", message)
    return cleaned


def inactive_reason(person: Person) -> str:
    """Why `person` cannot be changed, or "" while they can: merged-away and anonymised records are closed."""
    if person.merged_into_id is not None:
        return "This record was merged into another: change the record it was merged into"
    if person.anonymised_at is not None:
        return "This record has been anonymised and cannot be changed"
    return ""


def refuse_inactive(person: Person, errors: Errors) -> None:
    reason = inactive_reason(person)
    if reason:
        errors.add("person", reason)


def locked_person(tenant_id: int, person_id: int) -> Person:
    """A person's row, locked until the transaction ends (another tenant's person is not found)."""
    person = Person.objects.select_for_update().filter(tenant=tenant_id, pk=person_id).first()
    if person is None:
        raise ValidationError({"person": "There is no such record"})
    return person


def lock_active(person: Person, errors: Errors) -> Person:
    """The person's row, locked; refused (in errors) when it, or the copy the caller holds, is no longer active."""
    locked = locked_person(person.tenant_id, person.pk)
    refuse_inactive(locked if person.is_active else person, errors)
    return locked


def make_primary_if_first(model, person: Person, is_primary: bool, **same_kind) -> bool:
    """The first contact point of a kind (or address) is primary; a new primary replaces the old one."""
    siblings = model.objects.filter(tenant=person.tenant, person=person, **same_kind)
    if is_primary:
        siblings.filter(is_primary=True).update(is_primary=False)
        return True
    return not siblings.filter(is_primary=True).exists()


def locked_part(part: ContactPoint | Address, field: str, gone: str, errors: Errors) -> tuple[Person, Any]:
    """The person a contact point or address belongs to and the part itself, both locked, for changing the part.

    Raises (with any errors gathered before) when the person is no longer active, or the part has left them since
    it was read."""
    person = locked_person(part.tenant_id, part.person_id)
    refuse_inactive(person, errors)
    locked = type(part).objects.select_for_update().filter(tenant=person.tenant, person=person, pk=part.pk).first()
    if locked is None and "person" not in errors.messages:
        errors.add(field, gone)
    errors.raise_any()
    return person, locked


def promote_oldest(model, person: Person, **same_kind):
    """After the main one is removed, the oldest remaining of its kind becomes main (None when none remain)."""
    remaining = model.objects.filter(tenant=person.tenant, person=person, **same_kind)
    successor = remaining.order_by("created_at", "pk").first()
    if successor is not None:
        successor.is_primary = True
        successor.save(update_fields=["is_primary"])
    return successor
