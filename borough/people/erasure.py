"""Erasure (the right to be forgotten): anonymise a person while keeping what case statistics need.

Kept: the person row (anonymised), their cases' service, channel, dates, status, priority, team, service level and
feedback rating, and the shape of every timeline (kinds and times). Removed: names, contact points, addresses,
consents, everything the resident wrote or was told, answers, attachments, the emails they sent and their calls and
call-backs (borough/people/erasure_channels.py), and exact locations (a case keeps its postcode district, "NF1", so
statistics by area still work).

The audit log keeps who did what to the record and when, but the personal values in those events (the name, before
and after values, detail other than ids) are redacted, the one change the append-only log allows (docs/adr/0017).

Refused while a legal hold applies: the person's `legal_hold_reason` (e.g. an open debt), an open case of theirs,
which is treated as a hold because the council still has to act on it and answer them, or liability on a council tax
or business rates account, whose records the council must keep.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, audit_redact
from borough.core.models import AuditEvent
from borough.crm.models import Case, CaseAttachment, CaseEvent, Interaction
from borough.people.erasure_channels import erase_calls, erase_inbound_email
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.normalise import normalise_postcode, postcode_outward
from borough.revenues.models import AccountParty

ERASED = "[erased]"
MIN_REASON_LENGTH = 10
# Timeline entries whose data is about the case's handling, not about the resident: kept for statistics.
EVENT_KINDS_WITH_KEPT_DATA = {
    CaseEvent.Kind.STATUS,
    CaseEvent.Kind.ASSIGNED,
    CaseEvent.Kind.SLA,
    CaseEvent.Kind.LINK,
    CaseEvent.Kind.REFERRAL,
}


def erasure_problems(person: Person) -> list[str]:
    """Why `person` may not be erased now (empty when they may)."""
    if person.anonymised_at is not None:
        return ["This record has already been anonymised"]
    if person.merged_into_id is not None:
        return ["This record was merged into another: erase the record it was merged into"]
    problems = []
    if person.legal_hold_reason:
        problems.append(f"A legal hold applies: {person.legal_hold_reason}. Remove the hold before erasing")
    records = _merged_chain(person)
    holds = [p for p in records[1:] if p.legal_hold_reason]
    if holds:
        problems.append(f"A record merged into this one has a legal hold: {holds[0].legal_hold_reason}")
    accounts = sorted(
        set(
            AccountParty.objects.filter(tenant=person.tenant, person__in=records).values_list(
                "account__number", flat=True
            )
        )
    )
    if accounts:
        problems.append(
            f"Liable on {len(accounts)} council tax or business rates account{'s' if len(accounts) != 1 else ''} "
            f"({', '.join(accounts[:10])}): revenues records are kept for as long as the law requires, which counts "
            "as a legal hold"
        )
    open_cases = [
        case.reference
        for case in Case.objects.filter(tenant=person.tenant, requester__in=records).order_by("created_at")
        if case.is_open
    ]
    if open_cases:
        problems.append(
            f"{len(open_cases)} open case{'s' if len(open_cases) != 1 else ''} ({', '.join(open_cases[:10])}) "
            "still need action, which counts as a legal hold: resolve or close them first"
        )
    return problems


def _merged_chain(person: Person) -> list[Person]:
    """The person and every record merged into them, directly or through another merged record."""
    found, frontier = [person], [person]
    while frontier:
        frontier = list(Person.objects.filter(tenant=person.tenant, merged_into__in=frontier))
        found.extend(frontier)
    return found


@transaction.atomic
def person_erase(*, person: Person, reason: str) -> Person:
    """Anonymise `person` (and records merged into them). The audit event records counts, never the values."""
    person = Person.objects.select_for_update().get(tenant=person.tenant, pk=person.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = [f"Say why the record is erased (at least {MIN_REASON_LENGTH} characters)"]
    problems = erasure_problems(person)
    if problems:
        errors["person"] = problems
    if errors:
        raise ValidationError(errors)

    tenant, now = person.tenant, timezone.now()
    records = _merged_chain(person)
    cases = Case.objects.filter(tenant=tenant, requester__in=records)
    points = ContactPoint.objects.filter(tenant=tenant, person__in=records)
    emails = set(points.filter(kind=ContactPoint.Kind.EMAIL).values_list("normalised", flat=True))
    phones = set(points.filter(kind=ContactPoint.Kind.PHONE).values_list("normalised", flat=True))
    counts = {
        "emails": erase_inbound_email(tenant, records, cases, emails),
        "calls": erase_calls(tenant, records, cases, phones),
        "records": len(records),
        "contact_points": ContactPoint.objects.filter(tenant=tenant, person__in=records).delete()[0],
        "addresses": Address.objects.filter(tenant=tenant, person__in=records).delete()[0],
        "consents": Consent.objects.filter(tenant=tenant, person__in=records).delete()[0],
        "interactions": _erase_interactions(tenant, records, cases),
        "cases": _erase_cases(tenant, cases),
        "attachments": _erase_attachments(tenant, cases),
        "audit_events_redacted": audit_redact(
            tenant=tenant,
            events=AuditEvent.objects.filter(
                tenant=tenant, object_type=Person._meta.label_lower, object_id__in=[str(r.pk) for r in records]
            ),
        ),
    }
    for record in records:
        for name in ("title", "given_name", "family_name", "organisation_name", "search_name", "needs"):
            setattr(record, name, "")
        record.anonymised_at = now
        record.save()
    audit_record(
        tenant=tenant,
        action="person.erase",
        obj=person,
        before={"anonymised": False},
        after={"anonymised": True},
        detail={"reason": reason, "erased": counts, "merged_records": [r.pk for r in records[1:]]},
    )
    return person


def _erase_interactions(tenant, records, cases) -> int:
    interactions = Interaction.objects.filter(tenant=tenant, person__in=records) | Interaction.objects.filter(
        tenant=tenant, case__in=cases
    )
    return Interaction.objects.filter(tenant=tenant, pk__in=interactions.values("pk")).update(
        summary=ERASED, body=ERASED, data={}
    )


def _erase_cases(tenant, cases) -> int:
    count = 0
    for case in cases.only("pk", "answers", "postcode", "feedback_comment"):
        case.description = ERASED
        case.answers = dict.fromkeys(case.answers or {}, ERASED)
        case.address, case.uprn, case.latitude, case.longitude = "", "", None, None
        case.postcode = _district(case.postcode)
        case.feedback_comment = ERASED if case.feedback_comment else ""
        case.save(
            update_fields=[
                "description",
                "answers",
                "address",
                "uprn",
                "latitude",
                "longitude",
                "postcode",
                "feedback_comment",
                "updated_at",
            ]
        )
        count += 1
    events = CaseEvent.objects.filter(tenant=tenant, case__in=cases)
    events.exclude(body="").update(body=ERASED)
    events.exclude(kind__in=EVENT_KINDS_WITH_KEPT_DATA).update(data={})
    return count


def _district(postcode: str) -> str:
    try:
        return postcode_outward(normalise_postcode(postcode))
    except ValueError:
        return ""


def _erase_attachments(tenant, cases) -> int:
    attachments = list(CaseAttachment.objects.filter(tenant=tenant, case__in=cases))
    for attachment in attachments:
        # The file goes after the commit: a rolled back erasure must not have lost it.
        name, storage = attachment.file.name, attachment.file.storage
        if name:
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        attachment.delete()
    return len(attachments)
