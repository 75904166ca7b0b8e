"""Writes to people: creating, finding by a contact, contact points and addresses, consent, updates.

Every write validates first (a ValidationError names each bad field), then writes in one transaction with an audit
event on the person, so a person's history is one list. Merge and unmerge live in borough.people.merge, erasure in
borough.people.erasure.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, current_actor, snapshot
from borough.people.models import Address, Channel, Consent, ContactPoint, Person
from borough.people.normalise import (
    full_search_name,
    normalise_email,
    normalise_phone,
    normalise_postcode,
)

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


class Errors:
    """Field messages gathered while validating, raised together so a form shows them all at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def _check_choice_and_length(model, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
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


def _check_person_fields(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    cleaned = _check_choice_and_length(Person, values, errors)
    kind = cleaned.get("kind", Person.Kind.PERSON)
    if kind == Person.Kind.ORGANISATION and "organisation_name" in cleaned and not cleaned["organisation_name"]:
        errors.add("organisation_name", "Enter the organisation's name")
    return cleaned


def _normalised_contact(kind: str, value: str, field: str, errors: Errors) -> str:
    try:
        return NORMALISERS[kind](value)
    except ValueError as error:
        errors.add(field, str(error))
        return ""


def _check_address(address: dict[str, Any], errors: Errors, prefix: str = "") -> dict[str, str]:
    unknown = sorted(set(address) - set(ADDRESS_FIELDS))
    for name in unknown:
        errors.add(f"{prefix}{name}", "Not a part of an address")
    values = {name: address.get(name, "") for name in ADDRESS_FIELDS}
    inner = Errors()
    cleaned = _check_choice_and_length(Address, values, inner)
    if not cleaned.get("line_1") and "line_1" not in inner.messages:
        inner.add("line_1", "Enter the first line of the address")
    if "postcode" not in inner.messages:
        try:
            cleaned["postcode"] = normalise_postcode(cleaned.get("postcode", ""))
        except ValueError as error:
            inner.add("postcode", str(error))
    uprn = cleaned.get("uprn", "")
    if uprn and not uprn.isdigit() and "uprn" not in inner.messages:
        inner.add("uprn", "A UPRN is a number of up to 12 digits")
    for name, messages in inner.messages.items():
        for message in messages:
            errors.add(f"{prefix}{name}", message)
    return cleaned


def _refuse_inactive(person: Person, errors: Errors) -> None:
    if person.merged_into_id is not None:
        errors.add("person", "This record was merged into another: change the record it was merged into")
    elif person.anonymised_at is not None:
        errors.add("person", "This record has been anonymised and cannot be changed")


def _set_search_name(person: Person) -> None:
    person.search_name = full_search_name(person.given_name, person.family_name, person.organisation_name)


def _person_snapshot(person: Person) -> dict[str, Any]:
    return snapshot(person, PERSON_FIELDS)


def _make_primary_if_first(model, person: Person, is_primary: bool, **same_kind) -> bool:
    """The first contact point of a kind (or address) is primary; a new primary replaces the old one."""
    siblings = model.objects.filter(tenant=person.tenant, person=person, **same_kind)
    if is_primary:
        siblings.filter(is_primary=True).update(is_primary=False)
        return True
    return not siblings.filter(is_primary=True).exists()


@transaction.atomic
def person_create(
    *,
    tenant,
    kind: str = "person",
    given_name: str = "",
    family_name: str = "",
    organisation_name: str = "",
    email: str = "",
    phone: str = "",
    address: dict[str, Any] | None = None,
    preferred_channel: str = "email",
    preferred_language: str = "en",
    title: str = "",
    needs: str = "",
) -> Person:
    """A new person or organisation, with an email, a phone number and an address where given."""
    errors = Errors()
    values = _check_person_fields(
        {
            "kind": kind,
            "title": title,
            "given_name": given_name,
            "family_name": family_name,
            "organisation_name": organisation_name,
            "preferred_channel": preferred_channel,
            "preferred_language": preferred_language,
            "needs": needs,
        },
        errors,
    )
    email, phone = (email or "").strip(), (phone or "").strip()
    normalised_email = _normalised_contact(ContactPoint.Kind.EMAIL, email, "email", errors) if email else ""
    normalised_phone = _normalised_contact(ContactPoint.Kind.PHONE, phone, "phone", errors) if phone else ""
    if values.get("kind") == Person.Kind.PERSON and not any(
        (values.get("given_name"), values.get("family_name"), email, phone)
    ):
        errors.add("family_name", "Enter a name, an email address or a phone number")
    cleaned_address = _check_address(address, errors, "address.") if address else None
    errors.raise_any()

    person = Person(tenant=tenant, **values)
    _set_search_name(person)
    person.save()
    contacts = [(ContactPoint.Kind.EMAIL, email, normalised_email), (ContactPoint.Kind.PHONE, phone, normalised_phone)]
    for contact_kind, value, normalised in contacts:
        if value:
            ContactPoint.objects.create(
                tenant=tenant, person=person, kind=contact_kind, value=value, normalised=normalised, is_primary=True
            )
    if cleaned_address:
        Address.objects.create(tenant=tenant, person=person, is_primary=True, **cleaned_address)
    after = {**_person_snapshot(person), "email": normalised_email, "phone": normalised_phone}
    if cleaned_address:
        after["address"] = ", ".join(v for v in cleaned_address.values() if v)
    audit_record(tenant=tenant, action="person.create", obj=person, after=after)
    return person


def person_find(*, tenant, email: str = "", phone: str = "") -> Person | None:
    """The active person holding this email address, else this phone number (oldest record first)."""
    for contact_kind, value in ((ContactPoint.Kind.EMAIL, email), (ContactPoint.Kind.PHONE, phone)):
        if not value:
            continue
        try:
            normalised = NORMALISERS[contact_kind](value)
        except ValueError:
            continue
        match = (
            ContactPoint.objects.filter(
                tenant=tenant,
                kind=contact_kind,
                normalised=normalised,
                person__merged_into__isnull=True,
                person__anonymised_at__isnull=True,
            )
            .select_related("person")
            .order_by("person__created_at", "person_id")
            .first()
        )
        if match is not None:
            return match.person
    return None


@transaction.atomic
def person_find_or_create(
    *, tenant, email: str = "", phone: str = "", given_name: str = "", family_name: str = "", channel: str = "web"
) -> Person:
    """The active person with this email or phone number, or a new one. A contact on any channel calls this.

    A found person with no name yet takes the name given; their other contact details are never overwritten.
    """
    errors = Errors()
    if channel not in Channel.values:
        errors.add("channel", f"{channel!r} is not one of: {', '.join(Channel.values)}")
    if email:
        _normalised_contact(ContactPoint.Kind.EMAIL, email, "email", errors)
    if phone:
        _normalised_contact(ContactPoint.Kind.PHONE, phone, "phone", errors)
    if not (email or phone):
        errors.add("email", "Enter an email address or a phone number")
    errors.raise_any()

    person = person_find(tenant=tenant, email=email, phone=phone)
    if person is None:
        preferred = channel if channel in (Channel.SMS, Channel.PHONE, Channel.POST) else Channel.EMAIL
        if preferred == Channel.EMAIL and not email:
            preferred = Channel.PHONE
        return person_create(
            tenant=tenant,
            given_name=given_name,
            family_name=family_name,
            email=email,
            phone=phone,
            preferred_channel=preferred,
        )
    named = {"given_name": given_name, "family_name": family_name}
    if person.kind == Person.Kind.PERSON and not (person.given_name or person.family_name) and any(named.values()):
        person = person_update(person=person, **named)
    return person


@transaction.atomic
def person_update(*, person: Person, **fields: Any) -> Person:
    """Change a person's names, preferences, needs or legal hold (PERSON_FIELDS)."""
    errors = Errors()
    _refuse_inactive(person, errors)
    for name in sorted(set(fields) - set(PERSON_FIELDS)):
        errors.add(name, "This cannot be changed here")
        fields.pop(name)
    values = _check_person_fields(fields, errors)
    merged = {**_person_snapshot(person), **values}
    if merged["kind"] == Person.Kind.ORGANISATION and not merged["organisation_name"]:
        errors.add("organisation_name", "Enter the organisation's name")
    errors.raise_any()

    person = Person.objects.select_for_update().get(tenant=person.tenant, pk=person.pk)
    before = _person_snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    _set_search_name(person)
    person.save()
    after = _person_snapshot(person)
    audit_record(tenant=person.tenant, action="person.update", obj=person, before=before, after=after)
    return person


@transaction.atomic
def contact_point_add(*, person: Person, kind: str, value: str, is_primary: bool = False) -> ContactPoint:
    """Add an email address or phone number to a person (the first of its kind is primary)."""
    errors = Errors()
    _refuse_inactive(person, errors)
    value = (value or "").strip()
    if kind not in ContactPoint.Kind.values:
        errors.add("kind", f"{kind!r} is not one of: {', '.join(ContactPoint.Kind.values)}")
        normalised = ""
    else:
        normalised = _normalised_contact(kind, value, "value", errors)
    if len(value) > ContactPoint._meta.get_field("value").max_length:
        errors.add("value", "Use 254 characters or fewer")
    if (
        normalised
        and ContactPoint.objects.filter(tenant=person.tenant, person=person, kind=kind, normalised=normalised).exists()
    ):
        errors.add("value", f"{person.display_name} already has {normalised}")
    errors.raise_any()

    primary = _make_primary_if_first(ContactPoint, person, is_primary, kind=kind)
    point = ContactPoint.objects.create(
        tenant=person.tenant, person=person, kind=kind, value=value, normalised=normalised, is_primary=primary
    )
    audit_record(
        tenant=person.tenant,
        action="person.contact_point_add",
        obj=person,
        after={kind: normalised, "primary": primary},
        detail={"contact_point_id": point.pk},
    )
    return point


@transaction.atomic
def address_add(
    *,
    person: Person,
    line_1: str,
    line_2: str = "",
    town: str = "",
    postcode: str,
    uprn: str = "",
    is_primary: bool = False,
) -> Address:
    """Add an address to a person (the first one is primary)."""
    errors = Errors()
    _refuse_inactive(person, errors)
    values = _check_address(
        {"line_1": line_1, "line_2": line_2, "town": town, "postcode": postcode, "uprn": uprn}, errors
    )
    errors.raise_any()

    primary = _make_primary_if_first(Address, person, is_primary)
    address = Address.objects.create(tenant=person.tenant, person=person, is_primary=primary, **values)
    audit_record(
        tenant=person.tenant,
        action="person.address_add",
        obj=person,
        after={"address": str(address), "primary": primary},
        detail={"address_id": address.pk},
    )
    return address


@transaction.atomic
def consent_record(*, person: Person, purpose: str, granted: bool, channel: str, note: str = "") -> Consent:
    """Record a consent given or withdrawn (the newest record for a purpose is the one in force)."""
    errors = Errors()
    _refuse_inactive(person, errors)
    if purpose not in Consent.Purpose.values:
        errors.add("purpose", f"{purpose!r} is not one of: {', '.join(Consent.Purpose.values)}")
    if not isinstance(granted, bool):
        errors.add("granted", "Say whether consent is given (true) or withdrawn (false)")
    if channel not in Channel.values:
        errors.add("channel", f"{channel!r} is not one of: {', '.join(Channel.values)}")
    note = (note or "").strip()
    if len(note) > Consent._meta.get_field("note").max_length:
        errors.add("note", "Use 300 characters or fewer")
    errors.raise_any()

    actor = current_actor.get()
    recorded_by = actor.user if actor is not None else None
    before = person_consents_in_force(person=person).get(purpose)
    consent = Consent.objects.create(
        tenant=person.tenant,
        person=person,
        purpose=purpose,
        granted=granted,
        channel=channel,
        note=note,
        recorded_at=timezone.now(),
        recorded_by=recorded_by,
    )
    audit_record(
        tenant=person.tenant,
        action="person.consent",
        obj=person,
        before={purpose: before} if before is not None else None,
        after={purpose: granted},
        detail={"consent_id": consent.pk, "channel": channel},
    )
    return consent


def person_consents_in_force(*, person: Person) -> dict[str, bool]:
    """Purpose -> granted, from the newest record of each purpose."""
    in_force: dict[str, bool] = {}
    for consent in Consent.objects.filter(tenant=person.tenant, person=person).order_by("-recorded_at", "-id"):
        in_force.setdefault(consent.purpose, consent.granted)
    return in_force
