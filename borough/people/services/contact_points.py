"""A person's email addresses and phone numbers: add, make one the main one of its kind, remove."""

from django.db import transaction

from borough.core.audit import audit_record
from borough.people.models import ContactPoint, Person
from borough.people.services.common import (
    CONTACT_POINT_GONE,
    Errors,
    lock_active,
    locked_part,
    make_primary_if_first,
    normalised_contact,
    promote_oldest,
)
from borough.people.services.people import new_person_key
from borough.tenancy.scope import scope_memo_forget


@transaction.atomic
def contact_point_add(*, person: Person, kind: str, value: str, is_primary: bool = False) -> ContactPoint:
    """Add an email address or phone number to a person (the first of its kind is primary)."""
    errors = Errors()
    person = lock_active(person, errors)
    value = (value or "").strip()
    if kind not in ContactPoint.Kind.values:
        errors.add("kind", f"{kind!r} is not one of: {', '.join(ContactPoint.Kind.values)}")
        normalised = ""
    else:
        normalised = normalised_contact(kind, value, "value", errors)
    if len(value) > ContactPoint._meta.get_field("value").max_length:
        errors.add("value", "Use 254 characters or fewer")
    if (
        normalised
        and ContactPoint.objects.filter(tenant=person.tenant, person=person, kind=kind, normalised=normalised).exists()
    ):
        errors.add("value", f"{person.display_name} already has {normalised}")
    errors.raise_any()

    scope_memo_forget(new_person_key(person))  # from now on, read what is recorded
    primary = make_primary_if_first(ContactPoint, person, is_primary, kind=kind)
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
def contact_point_make_primary(*, contact_point: ContactPoint) -> ContactPoint:
    """Make an email address or phone number the main one of its kind; the old main one stays, not main."""
    errors = Errors()
    person, point = locked_part(contact_point, "contact_point", CONTACT_POINT_GONE, errors)
    if point.is_primary:
        return point
    siblings = ContactPoint.objects.filter(tenant=person.tenant, person=person, kind=point.kind, is_primary=True)
    previous = siblings.first()
    siblings.update(is_primary=False)
    point.is_primary = True
    point.save(update_fields=["is_primary"])
    audit_record(
        tenant=person.tenant,
        action="person.contact_point_primary",
        obj=person,
        before={f"main_{point.kind}": previous.normalised if previous else None},
        after={f"main_{point.kind}": point.normalised},
        detail={"contact_point_id": point.pk, "previous_contact_point_id": previous.pk if previous else None},
    )
    return point


@transaction.atomic
def contact_point_remove(*, contact_point: ContactPoint) -> ContactPoint | None:
    """Remove an email address or phone number, even the last one. When it was the main one of its kind, the
    oldest other of that kind becomes main: returns that one (None when it was not main or none remain)."""
    errors = Errors()
    person, point = locked_part(contact_point, "contact_point", CONTACT_POINT_GONE, errors)
    point_id, kind, normalised, was_primary = point.pk, point.kind, point.normalised, point.is_primary
    point.delete()
    successor = promote_oldest(ContactPoint, person, kind=kind) if was_primary else None
    remaining = ContactPoint.objects.filter(tenant=person.tenant, person=person).count()
    audit_record(
        tenant=person.tenant,
        action="person.contact_point_remove",
        obj=person,
        before={kind: normalised},
        after={kind: None, **({f"main_{kind}": successor.normalised} if successor else {})},
        detail={
            "contact_point_id": point_id,
            "was_primary": was_primary,
            "new_primary_contact_point_id": successor.pk if successor else None,
            "contact_points_remaining": remaining,
        },
    )
    return successor
