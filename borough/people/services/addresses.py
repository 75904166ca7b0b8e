"""A person's addresses: add, correct, make one the main one, remove."""

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.people.models import Address, Person
from borough.people.services.common import (
    ADDRESS_FIELDS,
    ADDRESS_GONE,
    Errors,
    check_address,
    lock_active,
    locked_part,
    make_primary_if_first,
    promote_oldest,
)


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
    person = lock_active(person, errors)
    values = check_address(
        {"line_1": line_1, "line_2": line_2, "town": town, "postcode": postcode, "uprn": uprn}, errors
    )
    errors.raise_any()

    primary = make_primary_if_first(Address, person, is_primary)
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
def address_update(
    *, address: Address, line_1: str, line_2: str = "", town: str = "", postcode: str, uprn: str = ""
) -> Address:
    """Correct an address (every part is given: a part left out is cleared). A change that changes nothing writes
    nothing."""
    errors = Errors()
    values = check_address(
        {"line_1": line_1, "line_2": line_2, "town": town, "postcode": postcode, "uprn": uprn}, errors
    )
    person, address = locked_part(address, "address", ADDRESS_GONE, errors)
    before = snapshot(address, ADDRESS_FIELDS)
    if values == before:
        return address
    for name, value in values.items():
        setattr(address, name, value)
    address.save(update_fields=list(ADDRESS_FIELDS))
    audit_record(
        tenant=person.tenant,
        action="person.address_update",
        obj=person,
        before=before,
        after=snapshot(address, ADDRESS_FIELDS),
        detail={"address_id": address.pk},
    )
    return address


@transaction.atomic
def address_make_primary(*, address: Address) -> Address:
    """Make an address the person's main one; the old main one stays, not main."""
    errors = Errors()
    person, address = locked_part(address, "address", ADDRESS_GONE, errors)
    if address.is_primary:
        return address
    siblings = Address.objects.filter(tenant=person.tenant, person=person, is_primary=True)
    previous = siblings.first()
    siblings.update(is_primary=False)
    address.is_primary = True
    address.save(update_fields=["is_primary"])
    audit_record(
        tenant=person.tenant,
        action="person.address_primary",
        obj=person,
        before={"main_address": str(previous) if previous else None},
        after={"main_address": str(address)},
        detail={"address_id": address.pk, "previous_address_id": previous.pk if previous else None},
    )
    return address


@transaction.atomic
def address_remove(*, address: Address) -> Address | None:
    """Remove an address, even the last one. When it was the main one, the oldest other becomes main: returns
    that one (None when it was not main or none remain)."""
    errors = Errors()
    person, address = locked_part(address, "address", ADDRESS_GONE, errors)
    address_id, text, was_primary = address.pk, str(address), address.is_primary
    address.delete()
    successor = promote_oldest(Address, person) if was_primary else None
    audit_record(
        tenant=person.tenant,
        action="person.address_remove",
        obj=person,
        before={"address": text},
        after={"address": None, **({"main_address": str(successor)} if successor else {})},
        detail={
            "address_id": address_id,
            "was_primary": was_primary,
            "new_primary_address_id": successor.pk if successor else None,
            "addresses_remaining": Address.objects.filter(tenant=person.tenant, person=person).count(),
        },
    )
    return successor
