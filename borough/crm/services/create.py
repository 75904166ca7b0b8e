"""Creating a case: `case_create` checks everything a channel sends, then `insert_case` writes the case and
all that goes with it."""

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.channels.notifications.events import Event
from borough.channels.notifications.services import notify_resident
from borough.core.audit import audit_record
from borough.core.inserts import insert_later, insert_row
from borough.core.metering import meter_record
from borough.core.references import reference_next
from borough.crm.attachments import check_attachments
from borough.crm.calc.sla import SlaTarget, due_time
from borough.crm.models import Case, CaseAttachment, CaseChannel, CaseEvent, Interaction, Priority, Service
from borough.crm.questions import clean_answers
from borough.crm.routing import route
from borough.crm.selectors import service_by_code
from borough.crm.services.common import (
    INTERACTION_CHANNEL,
    MAX_DESCRIPTION,
    Errors,
    case_event,
    case_snapshot,
    clean_text,
)
from borough.crm.settings import crm_calendar
from borough.people.models import Person
from borough.people.normalise import normalise_postcode


def _check_service(tenant, service, errors: Errors) -> Service | None:
    if isinstance(service, str):
        code = service.strip()
        service = service_by_code(tenant, code) if code else None
        if service is None:
            errors.add("service", f"There is no service “{code}”" if code else "Choose a service")
            return None
    if not isinstance(service, Service) or service.tenant_id != tenant.pk:
        errors.add("service", "Choose a service")
        return None
    if "questions" not in getattr(service, "_prefetched_objects_cache", {}):
        # The kept copy has its team and questions read already (ADR 0020); a mailbox's or form's service has not.
        kept = service_by_code(tenant, service.code)
        service = kept if kept is not None and kept.pk == service.pk else service
    if not service.is_active:
        errors.add("service", f"{service.name} is not taking new requests")
        return None
    return service


def _coordinate(value: Any, field: str, limit: int, errors: Errors) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(field, f"Enter the {field} as a number, like {'52.6309' if field == 'latitude' else '-1.1398'}")
        return None
    if not number.is_finite() or not -limit <= number <= limit:
        errors.add(field, f"Enter a {field} between -{limit} and {limit}")
        return None
    return number.quantize(Decimal("0.000001"))


def _check_requester(tenant, requester, errors: Errors) -> Person | None:
    if requester is None:
        return None
    if not isinstance(requester, Person) or requester.tenant_id != tenant.pk:
        errors.add("requester", "Choose a person of this council")
        return None
    seen = set()
    while requester.merged_into_id is not None and requester.pk not in seen:  # the survivor of a merge
        seen.add(requester.pk)
        requester = requester.merged_into
    if requester.anonymised_at is not None:
        errors.add("requester", "This person's record has been anonymised")
        return None
    return requester


def _check_contact_given(service, requester, errors: Errors) -> None:
    """A resident's own report needs someone to reply to, unless the service takes anonymous reports."""
    if service is not None and requester is None and not service.allow_anonymous and "requester" not in errors.messages:
        errors.add(
            "requester",
            f"Give the resident's contact details (an email address or a phone number): {service.name} does not "
            "take anonymous reports",
        )


def _check_location(service, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    latitude = _coordinate(values["latitude"], "latitude", 90, errors)
    longitude = _coordinate(values["longitude"], "longitude", 180, errors)
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        if missing not in errors.messages:
            errors.add(missing, "Give both the latitude and the longitude, or neither")
    address = clean_text(values["address"], "address", errors, limit=Case._meta.get_field("address").max_length)
    postcode = clean_text(values["postcode"], "postcode", errors, limit=20)
    if postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValueError as error:
            errors.add("postcode", str(error))
    uprn = clean_text(values["uprn"], "uprn", errors, limit=20)
    if uprn and not (uprn.isdigit() and len(uprn) <= 12):
        errors.add("uprn", "A UPRN is a number of up to 12 digits")
    located = (latitude is not None and longitude is not None) or address or postcode or uprn
    location_errors = errors.messages.keys() & {"latitude", "longitude", "address", "postcode", "uprn"}
    if service is not None and service.needs_location and not located and not location_errors:
        where = f"Give the location of the {service.name.lower()}: a postcode or address, or a point on the map"
        errors.add("postcode", where)
    return {"latitude": latitude, "longitude": longitude, "address": address, "postcode": postcode, "uprn": uprn}


def case_create(
    *,
    tenant,
    service,
    channel: str,
    description: str,
    answers: dict[str, Any] | None = None,
    requester: Person | None = None,
    latitude=None,
    longitude=None,
    address: str = "",
    postcode: str = "",
    uprn: str = "",
    attachments=(),
    logged_by=None,
    priority: str | None = None,
    open311_token: str = "",
    from_resident: bool = False,
    savepoint: bool = True,
) -> Case:
    """A new case: reference, due time, team by routing, timeline, inbound interaction, audit, metering, and an
    acknowledgement on the requester's preferred channel (borough.channels.notifications). `service` is a Service
    or its code.

    `savepoint=False`: the caller's transaction is this creation's own (the API and Open311 views), so a failure
    needs no savepoint to roll back to; by default one is made and a failure leaves the caller's transaction usable.

    `from_resident`: the resident sent this report themselves (the portal, an Open311 client, an API client passing
    on a web form), so a service that does not allow anonymous reports needs a requester. Staff logging a case on
    someone's behalf, and the council's own systems, may create one without.

    Everything is checked first; ValidationError names each bad field (`service`, `channel`, `description`,
    `answers.<code>`, `latitude`, `longitude`, `address`, `postcode`, `uprn`, `attachments`, `requester`,
    `priority`), and nothing is written. The checks only read, so they run before the transaction.
    """
    errors = Errors()
    service = _check_service(tenant, service, errors)
    if channel not in CaseChannel.values:
        errors.add("channel", f"Choose a channel: {', '.join(CaseChannel.values)}")
    description = clean_text(
        description, "description", errors, required="Describe the problem or request", limit=MAX_DESCRIPTION
    )
    cleaned_answers: dict[str, Any] = {}
    if service is not None:
        try:
            cleaned_answers = clean_answers(service, answers)
        except ValidationError as error:
            errors.absorb(error)
    location = _check_location(
        service,
        {"latitude": latitude, "longitude": longitude, "address": address, "postcode": postcode, "uprn": uprn},
        errors,
    )
    if priority is not None and priority not in Priority.values:
        errors.add("priority", f"Choose a priority: {', '.join(Priority.values)}")
    requester = _check_requester(tenant, requester, errors)
    if from_resident:
        _check_contact_given(service, requester, errors)
    open311_token = clean_text(open311_token, "open311_token", errors, limit=40)
    checked_files = []
    try:
        checked_files = check_attachments(attachments)
    except ValidationError as error:
        errors.absorb(error)
    errors.raise_any()
    # `savepoint=False` (ADR 0020): the caller's own transaction undoes a failure here, and the caller does not
    # go on using it after one (two round trips fewer); by default a failure leaves the caller's transaction usable.
    with transaction.atomic(savepoint=savepoint):
        return insert_case(
            tenant=tenant,
            service=service,
            channel=channel,
            description=description,
            answers=cleaned_answers,
            requester=requester,
            location=location,
            attachments=checked_files,
            logged_by=logged_by,
            priority=priority or service.priority,
            open311_token=open311_token,
        )


def insert_case(
    *,
    tenant,
    service: Service,
    channel: str,
    description: str,
    answers: dict[str, Any],
    requester: Person | None,
    location: dict[str, Any],
    attachments=(),
    logged_by=None,
    priority: str,
    open311_token: str = "",
    created_note: str = "",
) -> Case:
    """Write a checked case and everything that goes with it (inside the caller's transaction)."""
    now = timezone.now()
    due = due_time(now, SlaTarget(service.sla_amount, service.sla_unit), crm_calendar(tenant))
    team, routed_by = route(
        tenant,
        service=service,
        channel=channel,
        description=description,
        postcode=location["postcode"],
        answers=answers,
    )
    case = Case(
        tenant=tenant,
        reference=reference_next(tenant=tenant, sequence="case", gapless=False),  # ADR 0011
        service=service,
        requester=requester,
        channel=channel,
        description=description,
        answers=answers,
        priority=priority,
        team=team,
        logged_by=logged_by,
        routed_by=routed_by[:140],
        created_at=now,
        due_at=due.due_at,
        open311_token=open311_token,
        **location,
    )
    insert_row(case)  # ADR 0020: the statement is built once
    files = save_attachments(case, attachments, now)
    how = CaseChannel(channel).label.lower()
    body = created_note or (
        f"Logged by {logged_by.get_full_name() or logged_by.get_username()} on the resident's behalf ({how})."
        if logged_by is not None
        else f"Received ({how})."
    )
    notified = notify_resident(case=case, event=Event.RECEIVED, key=f"case-ack-{case.pk}", fresh=True)
    created = case_event(
        case,
        CaseEvent.Kind.CREATED,
        body=body,
        public=True,
        at=now,
        data={
            "channel": channel,
            "routed_by": routed_by,
            "sla_steps": list(due.steps),
            "attachments": files,
            "notified": notified.as_data(),
        },
    )
    insert_later(
        Interaction(
            tenant=tenant,
            person=requester,
            case=case,
            channel=INTERACTION_CHANNEL[channel],
            direction=Interaction.Direction.INBOUND,
            summary=f"{case.reference}: {service.name}"[:200],
            body=description,
            data={"case_channel": channel},
            occurred_at=now,
            recorded_by=logged_by,
        )
    )
    audit_record(
        tenant=tenant, action="case.create", obj=case, after=case_snapshot(case), detail={"routed_by": routed_by}
    )
    meter_record(tenant=tenant, service="crm.case")
    case.created_event = created  # for the caller's reply, without reading the timeline back
    return case


def _extension(content_type: str) -> str:
    return {"image/jpeg": "jpg", "application/pdf": "pdf"}.get(content_type, content_type.rsplit("/", 1)[-1])


def save_attachments(case: Case, checked_files, now, *, public: bool = True) -> list[int]:
    ids = []
    for uploaded_file, content_type in checked_files:
        attachment = CaseAttachment(
            tenant_id=case.tenant_id,
            case=case,
            original_name=str(getattr(uploaded_file, "name", "") or "attachment").rsplit("/", 1)[-1][:200],
            content_type=content_type,
            size=uploaded_file.size,
            is_public=public,
            uploaded_at=now,
        )
        # A name of our own on disk: the sender's file name is kept only as a label.
        uploaded_file.seek(0)
        attachment.file.save(
            f"{case.reference}-{secrets.token_hex(8)}.{_extension(content_type)}", uploaded_file, save=False
        )
        attachment.save()
        ids.append(attachment.pk)
    return ids


# Status
