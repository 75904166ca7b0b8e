"""Subject access: everything the organisation holds about a person, as JSON and as a readable PDF.

Both exports are audited ("person.export"): who took a copy of a person's data, and in which form.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime

from borough.core.audit import audit_record
from borough.crm.models import Case, CaseAttachment, CaseEvent, Interaction
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.selectors import people_merged_into


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "kind": person.get_kind_display(),
        "title": person.title,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "organisation_name": person.organisation_name,
        "preferred_channel": person.get_preferred_channel_display(),
        "preferred_language": person.get_preferred_language_display(),
        "needs": person.needs,
        "legal_hold_reason": person.legal_hold_reason,
        "created_at": _when(person.created_at),
        "updated_at": _when(person.updated_at),
        "anonymised_at": _when(person.anonymised_at),
    }


def _contact_point(point: ContactPoint) -> dict[str, Any]:
    return {
        "kind": point.get_kind_display(),
        "value": point.value,
        "primary": point.is_primary,
        "verified_at": _when(point.verified_at),
        "added_at": _when(point.created_at),
    }


def _address(address: Address) -> dict[str, Any]:
    return {
        "line_1": address.line_1,
        "line_2": address.line_2,
        "town": address.town,
        "postcode": address.postcode,
        "uprn": address.uprn,
        "primary": address.is_primary,
        "added_at": _when(address.created_at),
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "purpose": consent.get_purpose_display(),
        "granted": consent.granted,
        "channel": consent.get_channel_display(),
        "note": consent.note,
        "recorded_at": _when(consent.recorded_at),
    }


def _interaction(interaction: Interaction) -> dict[str, Any]:
    return {
        "occurred_at": _when(interaction.occurred_at),
        "channel": interaction.get_channel_display(),
        "direction": interaction.get_direction_display(),
        "summary": interaction.summary,
        "body": interaction.body,
        "case_reference": interaction.case.reference if interaction.case_id else None,
    }


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "occurred_at": _when(event.occurred_at),
        "kind": event.get_kind_display(),
        "visible_to_you": event.is_public,
        "by": event.actor_label,
        "text": event.body,
    }


def _attachment(attachment: CaseAttachment) -> dict[str, Any]:
    return {
        "name": attachment.original_name,
        "type": attachment.content_type,
        "size_bytes": attachment.size,
        "uploaded_at": _when(attachment.uploaded_at),
    }


def _case(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "service": case.service.name,
        "channel": case.get_channel_display(),
        "status": case.get_status_display(),
        "priority": case.get_priority_display(),
        "description": case.description,
        "answers": case.answers,
        "address": case.address,
        "postcode": case.postcode,
        "uprn": case.uprn,
        "latitude": _plain(case.latitude),
        "longitude": _plain(case.longitude),
        "created_at": _when(case.created_at),
        "due_at": _when(case.due_at),
        "resolved_at": _when(case.resolved_at),
        "closed_at": _when(case.closed_at),
        "feedback_rating": case.feedback_rating,
        "feedback_comment": case.feedback_comment,
        "timeline": [_event(e) for e in case.events.all()],
        "attachments": [_attachment(a) for a in case.attachments.all()],
    }


def subject_access_data(person: Person) -> dict[str, Any]:
    """Everything held about `person` (and records merged into them), JSON-ready. Not audited: the exports are."""
    tenant = person.tenant
    cases = (
        Case.objects.filter(tenant=tenant, requester=person)
        .select_related("service")
        .prefetch_related("events", "attachments")
        .order_by("created_at", "pk")
    )
    interactions = (
        Interaction.objects.filter(tenant=tenant, person=person).select_related("case").order_by("occurred_at", "pk")
    )
    return {
        "organisation": tenant.name,
        "generated_at": timezone.now().isoformat(),
        "person": _person(person),
        "merged_records": [
            {**_person(merged), "merged_at": _when(merged.merged_at)} for merged in people_merged_into(person=person)
        ],
        "contact_points": [_contact_point(p) for p in person.contact_points.order_by("kind", "pk")],
        "addresses": [_address(a) for a in person.addresses.order_by("pk")],
        "consents": [_consent(c) for c in person.consents.order_by("recorded_at", "pk")],
        "interactions": [_interaction(i) for i in interactions],
        "cases": [_case(c) for c in cases],
    }


def _readable(value: Any, key: str = "") -> Any:
    """The data with its times in words ("3 March 2026, 14:05"), for the PDF."""
    if isinstance(value, dict):
        return {k: _readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    if key.endswith("_at") and isinstance(value, str) and (moment := parse_datetime(value)):
        return dateformat.format(timezone.localtime(moment), "j F Y, H:i")
    return value


def _audit_export(person: Person, export_format: str, data: dict[str, Any]) -> None:
    counts = {name: len(data[name]) for name in ("contact_points", "addresses", "consents", "interactions", "cases")}
    audit_record(
        tenant=person.tenant, action="person.export", obj=person, detail={"format": export_format, "counts": counts}
    )


@transaction.atomic
def person_subject_access_export(*, person: Person) -> dict[str, Any]:
    data = subject_access_data(person)
    _audit_export(person, "json", data)
    return data


@transaction.atomic
def person_subject_access_pdf(*, person: Person) -> bytes:
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only this export needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    data = subject_access_data(person)
    html = render_to_string("people/subject_access.html", {"data": _readable(data), "person": person})
    # Nothing is fetched from outside the document: a personal export must not call out to anywhere.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
    _audit_export(person, "pdf", data)
    return pdf
