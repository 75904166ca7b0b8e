"""Creating people, finding them by a contact, and changing their details."""

from typing import Any

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.core.inserts import fetch_prepared, insert_later, insert_row, model_columns
from borough.people.models import Address, Channel, ContactPoint, Person
from borough.people.models import new_person_key as person_noted_key
from borough.people.normalise import full_search_name
from borough.people.services.common import (
    NORMALISERS,
    PERSON_FIELDS,
    Errors,
    check_address,
    check_choice_and_length,
    lock_active,
    normalised_contact,
)
from borough.tenancy.scope import reads_of_tenant_allowed, scope_note


def _check_person_fields(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    cleaned = check_choice_and_length(Person, values, errors)
    kind = cleaned.get("kind", Person.Kind.PERSON)
    if kind == Person.Kind.ORGANISATION and "organisation_name" in cleaned and not cleaned["organisation_name"]:
        errors.add("organisation_name", "Enter the organisation's name")
    return cleaned


def _set_search_name(person: Person) -> None:
    person.search_name = full_search_name(person.given_name, person.family_name, person.organisation_name)


def new_person_key(person: Person) -> tuple:
    """Under this key a person created in the current request is noted with its contact points (and no consents);
    saving a contact point or consent of theirs drops the note (borough.people.models.ChangesWhatIsNoted)."""
    return person_noted_key(person.tenant_id, person.pk)


def _person_snapshot(person: Person) -> dict[str, Any]:
    return snapshot(person, PERSON_FIELDS)


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
    normalised_email = normalised_contact(ContactPoint.Kind.EMAIL, email, "email", errors) if email else ""
    normalised_phone = normalised_contact(ContactPoint.Kind.PHONE, phone, "phone", errors) if phone else ""
    if values.get("kind") == Person.Kind.PERSON and not any(
        (values.get("given_name"), values.get("family_name"), email, phone)
    ):
        errors.add("family_name", "Enter a name, an email address or a phone number")
    cleaned_address = check_address(address, errors, "address.") if address else None
    errors.raise_any()

    # Everything is checked above; inside a caller's transaction the writes need no savepoint of their own.
    with transaction.atomic(savepoint=False):
        person = Person(tenant=tenant, **values)
        _set_search_name(person)
        insert_row(person)  # ADR 0020: every new resident's first contact writes these
        contacts = [
            (ContactPoint.Kind.EMAIL, email, normalised_email),
            (ContactPoint.Kind.PHONE, phone, normalised_phone),
        ]
        points = [
            insert_later(
                ContactPoint(
                    tenant=tenant, person=person, kind=contact_kind, value=value, normalised=normalised, is_primary=True
                )
            )
            for contact_kind, value, normalised in contacts
            if value
        ]
        # What a new person has is known: the acknowledgement of their first contact need not read it back.
        scope_note(new_person_key(person), {"contact_points": points})
        if cleaned_address:
            Address.objects.create(tenant=tenant, person=person, is_primary=True, **cleaned_address)
        after = {**_person_snapshot(person), "email": normalised_email, "phone": normalised_phone}
        if cleaned_address:
            after["address"] = ", ".join(v for v in cleaned_address.values() if v)
        audit_record(tenant=tenant, action="person.create", obj=person, after=after)
        return person


def _by_contact_sql() -> str:
    # Every contact arriving on any channel asks this: a fixed statement, prepared once per connection (ADR 0020).
    return (
        f"SELECT {model_columns(Person)} FROM people_contactpoint "  # noqa: S608 - names from the models
        "JOIN people_person ON people_person.id = people_contactpoint.person_id "
        "AND people_person.tenant_id = people_contactpoint.tenant_id "
        "WHERE people_contactpoint.tenant_id = %s AND people_contactpoint.kind = %s "
        "AND people_contactpoint.normalised = %s "
        "AND people_person.merged_into_id IS NULL AND people_person.anonymised_at IS NULL "
        "ORDER BY people_person.created_at, people_person.id LIMIT 1"
    )


def person_find(*, tenant, email: str = "", phone: str = "") -> Person | None:
    """The active person holding this email address, else this phone number (oldest record first)."""
    for contact_kind, value in ((ContactPoint.Kind.EMAIL, email), (ContactPoint.Kind.PHONE, phone)):
        if not value:
            continue
        try:
            normalised = NORMALISERS[contact_kind](value)
        except ValueError:
            continue
        if not reads_of_tenant_allowed(tenant.pk):
            return None
        person = fetch_prepared(Person, _by_contact_sql(), [tenant.pk, str(contact_kind), normalised])
        if person is not None:
            return person
    return None


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
        normalised_contact(ContactPoint.Kind.EMAIL, email, "email", errors)
    if phone:
        normalised_contact(ContactPoint.Kind.PHONE, phone, "phone", errors)
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
    """Change a person's names, preferences, needs or legal hold (PERSON_FIELDS). A change that changes nothing
    writes nothing. A person who has a name keeps one: a record is found by it."""
    errors = Errors()
    locked = lock_active(person, errors)
    for name in sorted(set(fields) - set(PERSON_FIELDS)):
        errors.add(name, "This cannot be changed here")
        fields.pop(name)
    values = _check_person_fields(fields, errors)
    before = _person_snapshot(locked)
    merged = {**before, **values}
    organisation_unnamed = merged["kind"] == Person.Kind.ORGANISATION and not merged["organisation_name"]
    if organisation_unnamed and "organisation_name" not in errors.messages:
        errors.add("organisation_name", "Enter the organisation's name")
    named_before = before["kind"] != Person.Kind.PERSON or before["given_name"] or before["family_name"]
    if merged["kind"] == Person.Kind.PERSON and named_before and not (merged["given_name"] or merged["family_name"]):
        errors.add("family_name", "Enter their first name or last name")
    errors.raise_any()

    if merged == before:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    _set_search_name(locked)
    locked.save()
    after = _person_snapshot(locked)
    audit_record(tenant=locked.tenant, action="person.update", obj=locked, before=before, after=after)
    return locked
