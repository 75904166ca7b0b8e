"""What staff do with an email held for review: open a case from it, add it to a case, or dismiss it. Each is
audited, and the message is marked reviewed with the outcome; nothing is deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.email.threading import thread_remember
from borough.channels.models import InboundEmail
from borough.core.audit import audit_record
from borough.crm.models import Case, CaseChannel, Service
from borough.crm.services import MAX_DESCRIPTION, case_add_resident_information, case_create
from borough.people.models import Channel
from borough.people.services import person_create, person_find

Outcome = InboundEmail.Outcome


def _locked_for_review(record: InboundEmail) -> InboundEmail:
    locked = InboundEmail.objects.select_for_update().get(tenant=record.tenant_id, pk=record.pk)
    if locked.outcome != Outcome.REVIEW or locked.reviewed_at is not None:
        raise ValidationError({"email": "This email has already been dealt with"})
    return locked


def _finish(record: InboundEmail, outcome: str, reason: str, case: Case | None, action: str, detail: dict) -> None:
    before = {"outcome": record.outcome}
    record.outcome, record.reason, record.reviewed_at = outcome, reason[:300], timezone.now()
    if case is not None:
        record.case = case
        thread_remember(record.tenant, record.message_id, case)
    record.save(update_fields=["outcome", "reason", "reviewed_at", "case"])
    audit_record(
        tenant=record.tenant, action=action, obj=record, before=before, after={"outcome": outcome}, detail=detail
    )


def _description(record: InboundEmail) -> str:
    text = record.body_text or "(The email had no text.)"
    description = f"{record.subject}\n\n{text}" if record.subject else text
    return description[:MAX_DESCRIPTION]


@transaction.atomic
def inbound_email_open_case(*, record: InboundEmail, service: Service) -> Case:
    """A new case of `service` from the email, for its sender (found or recorded by their address)."""
    record = _locked_for_review(record)
    if not isinstance(service, Service) or service.tenant_id != record.tenant_id:
        raise ValidationError({"service": "Choose a service"})
    person = record.person or (
        person_find(tenant=record.tenant, email=record.from_address) if record.from_address else None
    )
    if person is None and record.from_address:
        person = person_create(tenant=record.tenant, email=record.from_address, preferred_channel=Channel.EMAIL)
    case = case_create(
        tenant=record.tenant,
        service=service,
        channel=CaseChannel.EMAIL,
        description=_description(record),
        requester=person,
    )
    record.person = person
    record.save(update_fields=["person"])
    _finish(record, Outcome.CASE_CREATED, f"New case {case.reference} opened on review", case, "email.open_case", {})
    return case


@transaction.atomic
def inbound_email_add_to_case(*, record: InboundEmail, reference: str) -> Case:
    """Add the email's text to a case as information from the resident (staff have checked who sent it)."""
    record = _locked_for_review(record)
    reference = (reference or "").strip().upper()
    case = Case.objects.filter(tenant=record.tenant, reference=reference).first() if reference else None
    if case is None:
        raise ValidationError({"reference": f"There is no case {reference}" if reference else "Enter a case reference"})
    case_add_resident_information(case=case, body=record.body_text or record.subject, channel=Channel.EMAIL)
    _finish(record, Outcome.ADDED_TO_CASE, f"Added to {case.reference} on review", case, "email.add_to_case", {})
    return case


@transaction.atomic
def inbound_email_dismiss(*, record: InboundEmail, note: str) -> InboundEmail:
    """Nothing to do (spam, a duplicate, a thank-you): kept, marked dismissed, with why."""
    record = _locked_for_review(record)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why no action is needed"})
    if len(note) > 250:
        raise ValidationError({"note": "Use 250 characters or fewer"})
    _finish(record, Outcome.DISMISSED, f"Dismissed: {note}", None, "email.dismiss", {"note": note})
    return record
