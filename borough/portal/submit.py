"""Sending a report: everything the session says is checked again, then the person, their consents and the case
are written in one transaction (a tampered or stale session can make no case, and no half of one).

Errors come back as a ValidationError keyed by the journey's step names ("question:<code>", "description",
"postcode", "address", "photos", "about_you", "contact", "preferences"; "service" for the report as a whole), so the
check-your-answers page can link each message to the page that fixes it.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from borough.core.audit import acting_as
from borough.crm.attachments import check_attachment
from borough.crm.models import Case, CaseChannel
from borough.crm.questions import clean_answers
from borough.crm.services import case_create
from borough.people.models import Channel
from borough.people.services import consent_record, person_find, person_find_or_create, person_update
from borough.portal import fields
from borough.portal.forms import contact_channels, update_consents
from borough.portal.journey import Journey, anonymous_allowed
from borough.portal.services import portal_actor
from borough.portal.uploads import MAX_PHOTOS, upload_open

# Where each field of case_create's errors is corrected.
CASE_FIELD_STEPS = {
    "description": "description",
    "postcode": "postcode",
    "address": "address",
    "latitude": "address",
    "longitude": "address",
    "uprn": "address",
    "attachments": "photos",
    "requester": "contact",
}
PERSON_FIELD_STEPS = {"given_name": "contact", "family_name": "contact", "email": "contact", "phone": "contact"}


class Problems:
    def __init__(self) -> None:
        self.by_step: dict[str, list[str]] = {}

    def add(self, step: str, message: str | list[str]) -> None:
        messages = [message] if isinstance(message, str) else list(message)
        self.by_step.setdefault(step, []).extend(messages)

    def add_error(self, error: ValidationError, steps: dict[str, str]) -> None:
        if not hasattr(error, "error_dict"):
            self.add("service", error.messages)
            return
        for name, messages in error.message_dict.items():
            if name.startswith("answers."):
                self.add(f"question:{name.removeprefix('answers.')}", messages)
            else:
                self.add(steps.get(name, "service"), messages)

    def raise_any(self) -> None:
        if self.by_step:
            raise ValidationError(self.by_step)


@dataclass
class Report:
    """A report checked and ready to send."""

    description: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    postcode: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    anonymous: bool = False
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    preferred_channel: str = Channel.EMAIL
    consents: list[str] = field(default_factory=list)


def _string(journey: Journey, key: str, step: str, problems: Problems, *, max_length: int) -> str:
    value = journey.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(step, "This answer could not be read. Give it again.")
        return ""
    if len(value) > max_length:
        problems.add(step, f"Use {max_length} characters or fewer")
    return value.strip()


def _check_answers(journey: Journey, report: Report, problems: Problems) -> None:
    known = {question.code for question in journey.questions}
    raw: dict[str, Any] = {}
    for code, value in journey.answers().items():
        if code not in known:
            problems.add("service", "Your answers do not match this service's questions. Start again.")
            return
        is_text_list = isinstance(value, list) and all(isinstance(item, str) for item in value)
        if not (isinstance(value, str) or is_text_list):
            problems.add(f"question:{code}", "This answer could not be read. Give it again.")
            continue
        raw[code] = value
    try:
        clean_answers(journey.service, raw)
    except ValidationError as error:
        problems.add_error(error, {})
    report.answers = raw


def _check_location(journey: Journey, report: Report, problems: Problems) -> None:
    postcode = _string(journey, "postcode", "postcode", problems, max_length=10)
    if postcode:
        try:
            report.postcode = fields.clean_postcode(postcode)
        except ValidationError as error:
            problems.add("postcode", error.messages)
    report.address = _string(journey, "address", "address", problems, max_length=300)
    if journey.service.needs_location and not report.address:
        problems.add("address", "Enter the address or describe where it is")
    coordinates = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        try:
            coordinates[name] = fields.clean_coordinate(
                _string(journey, name, "address", problems, max_length=20), limit=limit, name=name
            )
        except ValidationError as error:
            problems.add("address", error.messages)
    if (coordinates.get("latitude") is None) != (coordinates.get("longitude") is None):
        problems.add("address", "The map position was incomplete. Enter the address or a description instead.")
    else:
        report.latitude, report.longitude = coordinates.get("latitude"), coordinates.get("longitude")


def _check_person(journey: Journey, report: Report, problems: Problems) -> None:
    identity = journey.get("identity", "named") or "named"
    if identity not in ("named", "anonymous") or (identity == "anonymous" and not anonymous_allowed(journey.service)):
        problems.add("about_you", "This report needs your contact details")
        return
    report.anonymous = identity == "anonymous"
    if report.anonymous:
        return
    report.given_name = _string(journey, "given_name", "contact", problems, max_length=100)
    report.family_name = _string(journey, "family_name", "contact", problems, max_length=100)
    if not (report.given_name and report.family_name):
        problems.add("contact", "Enter your first and last name")
    for name, clean in (("email", fields.clean_email), ("phone", fields.clean_phone)):
        value = _string(journey, name, "contact", problems, max_length=254)
        if value:
            try:
                setattr(report, name, clean(value))
            except ValidationError as error:
                problems.add("contact", error.messages)
    if not (report.email or report.phone):
        problems.add("contact", "Enter an email address or a phone number")
        return
    channel = journey.get("preferred_channel", "")
    if channel not in {value for value, _ in contact_channels(report.email, report.phone)}:
        problems.add("preferences", "Select how we should contact you")
    report.preferred_channel = channel
    consents = journey.get("consents", [])
    offered = {value for value, _ in update_consents(report.email, report.phone)}
    if not isinstance(consents, list) or not set(consents) <= offered:
        problems.add("preferences", "Select from the updates listed")
    else:
        report.consents = list(consents)


def report_check(request, journey: Journey) -> tuple[Report, list]:
    """The report the journey describes, and its photos opened for sending (the caller closes them)."""
    problems = Problems()
    report = Report()
    missing = journey.first_incomplete()
    if missing is not None:
        problems.add(missing.name, f"Answer this: {missing.title}")
    _check_answers(journey, report, problems)
    report.description = _string(journey, "description", "description", problems, max_length=5000)
    if not report.description:
        problems.add("description", "Describe the problem or your question")
    if journey.service.needs_location:
        _check_location(journey, report, problems)
    _check_person(journey, report, problems)
    photos = []
    if len(journey.photos()) > MAX_PHOTOS:
        problems.add("photos", f"Upload {MAX_PHOTOS} photos at most")
    else:
        for photo in journey.photos():
            try:
                opened = upload_open(request, photo)
                photos.append(opened)
                check_attachment(opened)
                opened.seek(0)
            except ValidationError as error:
                problems.add("photos", error.messages)
    if problems.by_step:
        for opened in photos:
            opened.close()
    problems.raise_any()
    return report, photos


def _record_person(tenant, report: Report):
    is_new = person_find(tenant=tenant, email=report.email, phone=report.phone) is None
    person = person_find_or_create(
        tenant=tenant,
        email=report.email,
        phone=report.phone,
        given_name=report.given_name,
        family_name=report.family_name,
        channel=Channel.WEB,
    )
    # What an unverified web form says may start a record, but never changes what an existing one prefers.
    if is_new and person.preferred_channel != report.preferred_channel:
        person = person_update(person=person, preferred_channel=report.preferred_channel)
    for purpose, _label in update_consents(report.email, report.phone):
        granted = purpose in report.consents
        if granted or is_new:
            consent_record(person=person, purpose=purpose, granted=granted, channel=Channel.WEB, note="Web report")
    return person


def report_send(request, journey: Journey) -> Case:
    """Check the journey again and create the case; ValidationError (by step) when anything is wrong."""
    report, photos = report_check(request, journey)
    tenant = request.tenant
    with ExitStack() as closing:
        for opened in photos:
            closing.callback(opened.close)
        try:
            with transaction.atomic(), acting_as(portal_actor()):
                requester = None if report.anonymous else _record_person(tenant, report)
                return case_create(
                    tenant=tenant,
                    service=journey.service,
                    channel=CaseChannel.WEB,
                    description=report.description,
                    answers=report.answers,
                    requester=requester,
                    latitude=report.latitude,
                    longitude=report.longitude,
                    address=report.address,
                    postcode=report.postcode,
                    attachments=photos,
                    from_resident=True,
                )
        except ValidationError as error:
            problems = Problems()
            problems.add_error(error, {**CASE_FIELD_STEPS, **PERSON_FIELD_STEPS})
            problems.raise_any()
            raise
