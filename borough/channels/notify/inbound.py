"""A text message received through Notify's inbound callback, to its outcome. The callback is stored first, as
received, in its own transaction; then, in a second one, it becomes one of:

- STOP or START (the whole message, any case): consent to text messages withdrawn or given again, for every person
  holding the number;
- more information on the sender's most recent open case (the sender found by their normalised number);
- else a new case, when the first word is a service's keyword ("BIN 12 High St": the rest is the description, and the
  address where the service needs a location), from the person with the number or a new one;
- otherwise it waits for review, with the reason.

A repeat of the same callback (Notify retries) finds the stored message and changes nothing. Every message leaves
an inbound Interaction (channel sms) on the person or case."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.channels.notify.models import InboundSms
from borough.channels.notify.segments import sms_length
from borough.core.outbox import OUTBOX_HANDLERS, outbox_enqueue
from borough.crm.models import Case, CaseChannel, Interaction, Service
from borough.crm.services import MAX_DESCRIPTION, case_add_resident_information, case_create
from borough.crm.transitions import DONE_STATUSES
from borough.people.models import Channel, Consent, ContactPoint, Person
from borough.people.normalise import normalise_phone
from borough.people.services import consent_record, person_create, person_find

logger = logging.getLogger(__name__)
Outcome = InboundSms.Outcome
SENDER_LIMIT_PER_HOUR = 20
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE"})
START_WORDS = frozenset({"START", "UNSTOP"})


@dataclass(frozen=True)
class InboundPayload:
    notify_id: str
    source_number: str
    destination_number: str
    message: str
    date_received: datetime | None


def _text(payload: dict[str, Any], name: str, errors: dict[str, str], *, limit: int, required: bool = True) -> str:
    value = payload.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors[name] = f"Give {name} as text" + ("" if not required else " (it is required)")
        return ""
    if len(value) > limit:
        errors[name] = f"{name} is longer than {limit} characters"
    return value.strip() if name != "message" else value


def inbound_payload(payload: Any) -> InboundPayload:
    """The documented callback body, checked; ValidationError names each bad field."""
    if not isinstance(payload, dict):
        raise ValidationError({"body": "Send a JSON object"})
    errors: dict[str, str] = {}
    notify_id = _text(payload, "id", errors, limit=64)
    source = _text(payload, "source_number", errors, limit=40)
    destination = _text(payload, "destination_number", errors, limit=40, required=False)
    message = payload.get("message")
    if not isinstance(message, str):
        errors["message"] = "Give message as text (it may be empty)"
        message = ""
    elif len(message) > 10_000:
        errors["message"] = "message is longer than 10000 characters"
    received = None
    raw_date = payload.get("date_received")
    if raw_date is not None:
        try:
            received = datetime.fromisoformat(str(raw_date))
            if timezone.is_naive(received):
                received = received.replace(tzinfo=UTC)
        except ValueError:
            errors["date_received"] = "Give date_received as an ISO 8601 date and time"
    if errors:
        raise ValidationError(errors)
    return InboundPayload(notify_id, source, destination, message, received)


def inbound_sms_receive(*, tenant, payload: dict[str, Any]) -> tuple[InboundSms, bool]:
    """Store the callback (once per Notify id), then decide what it becomes. (record, False) for a repeat."""
    checked = inbound_payload(payload)
    existing = InboundSms.objects.filter(tenant=tenant, notify_id=checked.notify_id).first()
    if existing is not None:
        return existing, False
    try:
        record = _store(tenant, checked, payload)
    except IntegrityError:  # the same callback twice at once: one stored it
        return InboundSms.objects.get(tenant=tenant, notify_id=checked.notify_id), False
    try:
        _process(record)
    except Exception:
        # Kept for review: a fault here must not lose the message or make Notify retry it forever.
        logger.exception("Inbound SMS %s could not be processed; it waits for review", record.pk)
        InboundSms.objects.filter(pk=record.pk).update(
            outcome=Outcome.REVIEW, reason="Could not be processed automatically (see the log)"
        )
        record.refresh_from_db()
        _interaction(record)
    return record, True


@transaction.atomic
def _store(tenant, checked: InboundPayload, payload: dict[str, Any]) -> InboundSms:
    try:
        phone = normalise_phone(checked.source_number)
    except ValueError:
        phone = ""
    length = sms_length(checked.message)
    return InboundSms.objects.create(
        tenant=tenant,
        notify_id=checked.notify_id,
        source_number=checked.source_number,
        phone=phone,
        destination_number=checked.destination_number,
        message=checked.message,
        date_received=checked.date_received,
        characters=length.characters,
        segments=min(length.segments, 32767),
        raw=payload,
        outcome=Outcome.REVIEW,
        reason="Received; not processed yet",
    )


@transaction.atomic
def _process(record: InboundSms) -> None:
    outcome, reason = _decide(record)
    record.outcome, record.reason = outcome, reason[:300]
    record.save(update_fields=["outcome", "reason", "person", "case"])
    if outcome not in (Outcome.ADDED_TO_CASE, Outcome.CASE_CREATED):  # the case services record their own
        _interaction(record)


def _interaction(record: InboundSms) -> None:
    Interaction.objects.create(
        tenant_id=record.tenant_id,
        person=record.person,
        case=record.case,
        channel=Channel.SMS,
        direction=Interaction.Direction.INBOUND,
        summary=f"Text message: {record.get_outcome_display()}"[:200],
        body=record.message,
        data={"inbound_sms": record.pk, "notify_id": record.notify_id, "from": record.phone or record.source_number},
        occurred_at=record.date_received or record.received_at,
    )


def _holders(tenant, phone: str) -> list[Person]:
    ids = ContactPoint.objects.filter(tenant=tenant, kind=ContactPoint.Kind.PHONE, normalised=phone).values("person")
    return list(Person.objects.filter(tenant=tenant, pk__in=ids, merged_into=None, anonymised_at=None).order_by("pk"))


def _decide(record: InboundSms) -> tuple[str, str]:
    tenant = record.tenant
    if not record.phone:
        return Outcome.REVIEW, f"The sender's number ({record.source_number[:40]}) could not be read"
    text = " ".join(record.message.split())
    command = text.upper().rstrip(".!")
    if command in STOP_WORDS or command in START_WORDS:
        return _consent(record, granted=command in START_WORDS)
    record.person = person_find(tenant=tenant, phone=record.phone)
    if not text:
        return Outcome.REVIEW, "The message was empty"
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = InboundSms.objects.filter(tenant=tenant, phone=record.phone, received_at__gte=hour_ago)
    if recent.count() > SENDER_LIMIT_PER_HOUR:
        return Outcome.REVIEW, f"More than {SENDER_LIMIT_PER_HOUR} messages from this number in an hour"
    service, rest = _keyword_service(tenant, text)
    case = _open_case(record.person) if record.person else None
    if case is not None:
        return _add_to_case(record, case, text)
    if service is not None:
        return _new_case(record, service, rest)
    if record.person is not None:
        return Outcome.REVIEW, f"From {record.person.display_name}, who has no open case; no service keyword"
    first = text.split(" ", 1)[0][:30]
    return Outcome.REVIEW, f"An unknown number, and {first!r} is not a service keyword"


def _consent(record: InboundSms, *, granted: bool) -> tuple[str, str]:
    people = _holders(record.tenant, record.phone)
    outcome = Outcome.STARTED if granted else Outcome.STOPPED
    if not people:
        return outcome, "No one has this number: there is no consent to change"
    note = f"Texted {'START' if granted else 'STOP'} from {record.phone}"
    for person in people:
        consent_record(
            person=person, purpose=Consent.Purpose.SMS_UPDATES, granted=granted, channel=Channel.SMS, note=note
        )
    record.person = people[0]
    if granted:
        _confirm_start(record)
    names = ", ".join(person.display_name for person in people[:3]) + (" and others" if len(people) > 3 else "")
    return outcome, f"Text messages {'allowed again' if granted else 'stopped'} for {names}"


def _confirm_start(record: InboundSms) -> None:
    if "sms.notify" not in OUTBOX_HANDLERS:
        return
    key = f"notify-start-{record.pk}"
    body = f"{record.tenant.name}: you will get text messages from us again. Text STOP to stop them."
    outbox_enqueue(
        tenant=record.tenant, kind="sms.notify", payload={"to": record.phone, "body": body}, idempotency_key=key
    )
    Interaction.objects.create(
        tenant_id=record.tenant_id,
        person=record.person,
        channel=Channel.SMS,
        direction=Interaction.Direction.OUTBOUND,
        summary="Text messages started again: confirmation",
        body=body,
        data={"outbox_key": key, "to": record.phone},
    )


def _keyword_service(tenant, text: str) -> tuple[Service | None, str]:
    first, _space, rest = text.partition(" ")
    word = first.strip(".,:;!?").lower()
    if not word:
        return None, text
    for service in Service.objects.filter(tenant=tenant, is_active=True).order_by("name", "pk"):
        if word == service.code.lower() or word in service.keyword_list:
            return service, rest.strip()
    return None, text


def _open_case(person: Person) -> Case | None:
    cases = Case.objects.filter(tenant=person.tenant, requester=person).exclude(status__in=DONE_STATUSES)
    return cases.order_by("-created_at", "-pk").first()


def _add_to_case(record: InboundSms, case: Case, text: str) -> tuple[str, str]:
    try:
        with transaction.atomic():
            case_add_resident_information(case=case, body=text, channel=Channel.SMS)
    except ValidationError as error:
        record.case = case
        return Outcome.REVIEW, f"Could not be added to {case.reference}: {' '.join(error.messages)}"
    record.case = case
    return Outcome.ADDED_TO_CASE, f"Added to {case.reference}, the sender's most recent open case"


def _new_case(record: InboundSms, service: Service, rest: str) -> tuple[str, str]:
    description = rest or f"(A text message with only the keyword {service.name!r}.)"
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION]
    address = rest[: Case._meta.get_field("address").max_length] if service.needs_location else ""
    try:
        with transaction.atomic():
            person = record.person or person_create(
                tenant=record.tenant, phone=record.phone, preferred_channel=Channel.SMS
            )
            case = case_create(
                tenant=record.tenant,
                service=service,
                channel=CaseChannel.SMS,
                description=description,
                requester=person,
                address=address,
                from_resident=True,
            )
    except ValidationError as error:
        return Outcome.REVIEW, f"A {service.name} case could not be opened: {' '.join(error.messages)}"
    record.person, record.case = person, case
    return Outcome.CASE_CREATED, f"New case {case.reference} for {service.name}, by the keyword the text starts with"
