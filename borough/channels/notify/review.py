"""What staff do with a text message held for review: open a case from it, add it to a case, or dismiss it. Each
is audited, and the message is marked reviewed with the outcome; nothing is deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.notify.models import InboundSms
from borough.core.audit import audit_record
from borough.crm.models import Case, CaseChannel, Service
from borough.crm.services import MAX_DESCRIPTION, case_add_resident_information, case_create
from borough.people.models import Channel
from borough.people.services import person_create, person_find

Outcome = InboundSms.Outcome


def _locked_for_review(record: InboundSms) -> InboundSms:
    locked = InboundSms.objects.select_for_update().get(tenant=record.tenant_id, pk=record.pk)
    if locked.outcome != Outcome.REVIEW or locked.reviewed_at is not None:
        raise ValidationError({"message": "This text message has already been dealt with"})
    return locked


def _finish(record: InboundSms, outcome: str, reason: str, case: Case | None, action: str, detail: dict) -> None:
    before = {"outcome": record.outcome}
    record.outcome, record.reason, record.reviewed_at = outcome, reason[:300], timezone.now()
    record.case = case or record.case
    record.save(update_fields=["outcome", "reason", "reviewed_at", "case", "person"])
    audit_record(
        tenant=record.tenant, action=action, obj=record, before=before, after={"outcome": outcome}, detail=detail
    )


@transaction.atomic
def inbound_sms_open_case(*, record: InboundSms, service: Service) -> Case:
    """A new case of `service` from the text, for its sender (found or recorded by their number)."""
    record = _locked_for_review(record)
    if not isinstance(service, Service) or service.tenant_id != record.tenant_id:
        raise ValidationError({"service": "Choose a service"})
    person = record.person or (person_find(tenant=record.tenant, phone=record.phone) if record.phone else None)
    if person is None and record.phone:
        person = person_create(tenant=record.tenant, phone=record.phone, preferred_channel=Channel.SMS)
    case = case_create(
        tenant=record.tenant,
        service=service,
        channel=CaseChannel.SMS,
        description=(record.message.strip() or "(The text message was empty.)")[:MAX_DESCRIPTION],
        requester=person,
    )
    record.person = person
    _finish(record, Outcome.CASE_CREATED, f"New case {case.reference} opened on review", case, "sms.open_case", {})
    return case


@transaction.atomic
def inbound_sms_add_to_case(*, record: InboundSms, reference: str) -> Case:
    """Add the text to a case as information from the resident (staff have checked who sent it)."""
    record = _locked_for_review(record)
    reference = (reference or "").strip().upper()
    case = Case.objects.filter(tenant=record.tenant, reference=reference).first() if reference else None
    if case is None:
        raise ValidationError({"reference": f"There is no case {reference}" if reference else "Enter a case reference"})
    if not record.message.strip():
        raise ValidationError({"reference": "The text message is empty: there is nothing to add"})
    case_add_resident_information(case=case, body=record.message.strip(), channel=Channel.SMS)
    _finish(record, Outcome.ADDED_TO_CASE, f"Added to {case.reference} on review", case, "sms.add_to_case", {})
    return case


@transaction.atomic
def inbound_sms_dismiss(*, record: InboundSms, note: str) -> InboundSms:
    """Nothing to do (spam, a wrong number, a thank-you): kept, marked dismissed, with why."""
    record = _locked_for_review(record)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why no action is needed"})
    if len(note) > 250:
        raise ValidationError({"note": "Use 250 characters or fewer"})
    _finish(record, Outcome.DISMISSED, f"Dismissed: {note}", None, "sms.dismiss", {"note": note})
    return record
