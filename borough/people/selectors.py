"""Reads about people: duplicate candidates, search, a person's timeline and history."""

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Prefetch, Q

from borough.core.audit import audit_history
from borough.core.models import AuditEvent
from borough.crm.models import Case, Interaction
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.normalise import (
    full_search_name,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    search_name,
)

SAME_EMAIL = "same email"
SAME_PHONE = "same phone"
SIMILAR_NAME_AT_POSTCODE = "similar name at the same postcode"
NAME_SIMILARITY = 0.85
# People at one postcode compared by name in Python: a postcode has a few dozen addresses at most.
MAX_PEOPLE_AT_POSTCODE = 500
_LOOKS_LIKE_PHONE = re.compile(r"^\+?[\d\s\-()]{7,}$")


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    reasons: tuple[str, ...]


def names_similar(a: str, b: str) -> bool:
    """Two search names that are probably one person: nearly the same, or the same surname and first initial."""
    if not a or not b:
        return False
    if SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY:
        return True
    a_words, b_words = a.split(), b.split()
    if len(a_words) < 2 or len(b_words) < 2:
        return False
    return a_words[-1] == b_words[-1] and a_words[0][0] == b_words[0][0]


def _active(queryset, prefix: str = ""):
    return queryset.filter(**{f"{prefix}merged_into__isnull": True, f"{prefix}anonymised_at__isnull": True})


def _normalised_or_blank(normalise, value: str) -> str:
    try:
        return normalise(value) if value else ""
    except ValueError:
        return ""


def person_duplicates(
    *,
    tenant,
    given_name: str = "",
    family_name: str = "",
    email: str = "",
    phone: str = "",
    postcode: str = "",
    exclude: Person | None = None,
) -> list[DuplicateCandidate]:
    """Active people who may be the one described, each with why: same email, same phone, or a similar name at
    the same postcode. Values that cannot be normalised are ignored (the form reports them)."""
    return people_matching(
        tenant=tenant,
        name=full_search_name(given_name, family_name),
        emails=[e for e in [_normalised_or_blank(normalise_email, email)] if e],
        phones=[p for p in [_normalised_or_blank(normalise_phone, phone)] if p],
        postcodes=[p for p in [_normalised_or_blank(normalise_postcode, postcode)] if p],
        exclude=exclude,
    )


def person_duplicates_of(*, person: Person) -> list[DuplicateCandidate]:
    """Other active people who may be the same as `person` (by all of their contact points and addresses)."""
    points = list(ContactPoint.objects.filter(tenant=person.tenant, person=person))
    return people_matching(
        tenant=person.tenant,
        name=person.search_name,
        emails=[p.normalised for p in points if p.kind == ContactPoint.Kind.EMAIL],
        phones=[p.normalised for p in points if p.kind == ContactPoint.Kind.PHONE],
        postcodes=list(Address.objects.filter(tenant=person.tenant, person=person).values_list("postcode", flat=True)),
        exclude=person,
    )


def people_matching(*, tenant, name: str, emails, phones, postcodes, exclude=None) -> list[DuplicateCandidate]:
    reasons: dict[int, list[str]] = {}

    def note(person_id: int, reason: str) -> None:
        found = reasons.setdefault(person_id, [])
        if reason not in found:
            found.append(reason)

    for kind, values, reason in (
        (ContactPoint.Kind.EMAIL, emails, SAME_EMAIL),
        (ContactPoint.Kind.PHONE, phones, SAME_PHONE),
    ):
        if values:
            points = _active(ContactPoint.objects.filter(tenant=tenant, kind=kind, normalised__in=values), "person__")
            for person_id in points.values_list("person_id", flat=True):
                note(person_id, reason)
    if name and postcodes:
        addresses = _active(Address.objects.filter(tenant=tenant, postcode__in=postcodes), "person__")
        for person_id, other_name in addresses.values_list("person_id", "person__search_name")[:MAX_PEOPLE_AT_POSTCODE]:
            if names_similar(name, other_name):
                note(person_id, SIMILAR_NAME_AT_POSTCODE)
    if exclude is not None:
        reasons.pop(exclude.pk, None)
    people = _with_contacts(Person.objects.filter(tenant=tenant, pk__in=reasons)).in_bulk()
    candidates = [DuplicateCandidate(people[pk], tuple(found)) for pk, found in reasons.items() if pk in people]
    return sorted(candidates, key=lambda c: (-len(c.reasons), c.person.pk))


def _with_contacts(queryset):
    return queryset.prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("-is_primary", "kind", "id")),
        Prefetch("addresses", queryset=Address.objects.order_by("-is_primary", "id")),
    )


def person_search(*, tenant, query: str, limit: int = 50) -> list[Person]:
    """Active people by email, phone number, postcode or name (every word of the query in the name)."""
    query = (query or "").strip()
    if not query:
        return []
    people = _active(Person.objects.filter(tenant=tenant))
    email = _normalised_or_blank(normalise_email, query) if "@" in query else ""
    phone = _normalised_or_blank(normalise_phone, query) if _LOOKS_LIKE_PHONE.match(query) else ""
    postcode = _normalised_or_blank(normalise_postcode, query) if len(query) <= 8 else ""
    if email or phone:
        kind, value = (ContactPoint.Kind.EMAIL, email) if email else (ContactPoint.Kind.PHONE, phone)
        matched = ContactPoint.objects.filter(tenant=tenant, kind=kind, normalised=value).values("person_id")
        people = people.filter(pk__in=matched)
    elif postcode:
        matched = Address.objects.filter(tenant=tenant, postcode=postcode).values("person_id")
        people = people.filter(pk__in=matched)
    else:
        words = search_name(query).split()
        if not words:
            return []
        people = people.filter(*[Q(search_name__contains=word) for word in words])
    return list(_with_contacts(people.order_by("family_name", "given_name", "organisation_name", "pk"))[:limit])


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    kind: str  # "interaction" or "case"
    item: Any


def person_timeline(*, person: Person, limit: int = 200) -> list[TimelineEntry]:
    """The person's interactions and cases, newest first."""
    interactions = Interaction.objects.filter(tenant=person.tenant, person=person).select_related("case")
    cases = Case.objects.filter(tenant=person.tenant, requester=person).select_related("service", "team")
    entries = [TimelineEntry(i.occurred_at, "interaction", i) for i in interactions.order_by("-occurred_at")[:limit]]
    entries += [TimelineEntry(c.created_at, "case", c) for c in cases.order_by("-created_at")[:limit]]
    return sorted(entries, key=lambda e: e.occurred_at, reverse=True)[:limit]


def person_cases(*, person: Person):
    return Case.objects.filter(tenant=person.tenant, requester=person).select_related("service", "team")


ACTION_LABELS = {
    "person.create": "Record created",
    "person.update": "Details changed",
    "person.contact_point_add": "Contact details added",
    "person.contact_point_primary": "Main contact details changed",
    "person.contact_point_remove": "Contact details removed",
    "person.address_add": "Address added",
    "person.address_update": "Address changed",
    "person.address_primary": "Main address changed",
    "person.address_remove": "Address removed",
    "person.consent": "Consent recorded",
    "person.merge": "Another record merged into this one",
    "person.merged_into": "Merged into another record",
    "person.unmerge": "Merge undone",
    "person.unmerged": "Merge undone: this record is separate again",
    "person.export": "Subject access export",
    "person.erase": "Erased (anonymised)",
}


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    label: str
    may_undo_merge: bool


def person_history(*, person: Person) -> list[HistoryEntry]:
    """The person's audit events, newest first, each merge saying whether it may still be undone."""
    events = list(audit_history(person)[:200])
    merges = [e.pk for e in events if e.action == "person.merge"]
    undone = set()
    if merges:
        unmerges = audit_history(person).filter(action="person.unmerge")
        undone = {e.detail.get("merge_event_id") for e in unmerges}
    return [
        HistoryEntry(
            e,
            ACTION_LABELS.get(e.action, e.action),
            e.action == "person.merge" and e.pk not in undone and person.anonymised_at is None,
        )
        for e in events
    ]


def consent_records_in_force(*, person: Person) -> dict[str, Consent]:
    """Purpose -> the newest consent record of that purpose: the one in force, with who recorded it and how."""
    in_force: dict[str, Consent] = {}
    consents = Consent.objects.filter(tenant=person.tenant, person=person).select_related("recorded_by")
    for consent in consents.order_by("-recorded_at", "-id"):
        in_force.setdefault(consent.purpose, consent)
    return in_force


def people_merged_into(*, person: Person):
    return Person.objects.filter(tenant=person.tenant, merged_into=person).order_by("-merged_at")
