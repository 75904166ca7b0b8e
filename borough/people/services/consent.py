"""Consent given or withdrawn, kept as a history: the newest record of a purpose is the one in force."""

from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, current_actor
from borough.people.models import Channel, Consent, Person
from borough.people.services.common import Errors, lock_active
from borough.people.services.people import new_person_key
from borough.tenancy.scope import scope_memo_forget, scope_noted


@transaction.atomic
def consent_record(*, person: Person, purpose: str, granted: bool, channel: str, note: str = "") -> Consent:
    """Record a consent given or withdrawn (the newest record for a purpose is the one in force)."""
    errors = Errors()
    person = lock_active(person, errors)
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
    scope_memo_forget(new_person_key(person))  # from now on, read what is recorded
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
    if scope_noted(new_person_key(person)) is not None:
        return {}  # created in this request, with no consent recorded since
    in_force: dict[str, bool] = {}
    for consent in Consent.objects.filter(tenant_id=person.tenant_id, person=person).order_by("-recorded_at", "-id"):
        in_force.setdefault(consent.purpose, consent.granted)
    return in_force
