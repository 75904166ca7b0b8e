"""Writes to people: creating, finding by a contact, contact points and addresses, consent, updates.

Every write validates first (a ValidationError names each bad field), then writes in one transaction with an audit
event on the person, so a person's history is one list. A change to an existing person locks the person's row
first, so it cannot race a merge or an erasure, and is refused once the record is merged away or anonymised.
Merge and unmerge live in borough.people.merge, erasure in borough.people.erasure.
"""

from borough.people.services.addresses import address_add, address_make_primary, address_remove, address_update
from borough.people.services.common import Errors, inactive_reason
from borough.people.services.consent import consent_record, person_consents_in_force
from borough.people.services.contact_points import contact_point_add, contact_point_make_primary, contact_point_remove
from borough.people.services.people import person_create, person_find, person_find_or_create, person_update

__all__ = [
    "Errors",
    "address_add",
    "address_make_primary",
    "address_remove",
    "address_update",
    "consent_record",
    "contact_point_add",
    "contact_point_make_primary",
    "contact_point_remove",
    "inactive_reason",
    "person_consents_in_force",
    "person_create",
    "person_find",
    "person_find_or_create",
    "person_update",
]
