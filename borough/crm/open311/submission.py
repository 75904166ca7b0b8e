"""Reading a POSTed service request (the spec's fields, FixMyStreet's extras) into what `case_create` takes.

Everything is checked before anything is written; a field the spec allows but Borough does not keep (`account_id`,
`device_id`, attributes the service does not ask) is accepted and ignored, so clients that send them still work.
A service that does not allow anonymous reports needs the resident's email or phone.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from borough.crm.attachments import check_attachments
from borough.crm.models import Service
from borough.crm.open311.errors import bad_request, not_found
from borough.crm.selectors import service_by_code
from borough.people.normalise import normalise_email, normalise_phone, normalise_postcode

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_ADDRESS = 300
MAX_MEDIA_URL = 1000
# A UK postcode inside an address string ("1 High St, Northfield NF1 2AB").
POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
UPRN = re.compile(r"^[0-9]{1,12}$")
# How case_create names its fields, and what the client called them.
OPEN311_FIELD_NAMES = {
    "service": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "postcode": "address_string",
    "address": "address_string",
    "uprn": "address_id",
    "attachments": "media",
    "requester": "email",
}


@dataclass
class Submission:
    service: Service
    description: str
    answers: dict
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    postcode: str = ""
    uprn: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    files: list = field(default_factory=list)
    question_codes: set = field(default_factory=set)

    @property
    def has_contact(self) -> bool:
        """A person is found or made by email or phone; a name alone identifies nobody."""
        return bool(self.email or self.phone)


def parse_coordinate(value: str, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        example = "52.123456" if limit == 90 else "-1.123456"
        raise bad_request(f"{name} must be a number of degrees, like {example}, not {value[:40]!r}.") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise bad_request(f"{name} must be between -{limit} and {limit} degrees.")
    return number.quantize(Decimal("0.000001"))


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C date and time; an offset sent unescaped in a query string ("+01:00" read as " 01:00") still reads."""
    text = re.sub(r"\s(\d\d:?\d\d)$", r"+\1", value.strip())
    try:
        moment = datetime.fromisoformat(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except ValueError:
        raise bad_request(f"{name} must be a W3C date and time like 2026-01-31T09:00:00Z, not {value!r}.") from None
    return moment


def media_urls(fields) -> list[str]:
    urls = fields.getlist("media_url")
    validate = URLValidator(schemes=["http", "https"])
    for url in urls:
        try:
            validate(url)
        except ValidationError:
            raise bad_request(f"media_url must be an http or https address, not {url[:80]!r}.") from None
        if len(url) > MAX_MEDIA_URL:
            raise bad_request(f"media_url may have at most {MAX_MEDIA_URL} characters.")
    return urls


def checked_files(fields) -> list:
    """Uploaded photos (FixMyStreet names them photo1, photo2, ...; others `media`): every file is checked."""
    try:
        check_attachments(fields.files)
    except ValidationError as error:
        raise bad_request(*(f"media: {message}" for message in error.messages)) from error
    return list(fields.files)


def _location(fields, submission: Submission) -> None:
    lat, long = fields.get("lat"), fields.get("long")
    if bool(lat) != bool(long):
        raise bad_request("Give both lat and long, or neither.")
    if lat:
        submission.latitude = parse_coordinate(lat, "lat", 90)
        submission.longitude = parse_coordinate(long, "long", 180)
    address = fields.get("address_string")
    if len(address) > MAX_ADDRESS:
        raise bad_request(f"address_string may have at most {MAX_ADDRESS} characters.")
    submission.address = address
    if match := POSTCODE_IN_TEXT.search(address):
        try:
            submission.postcode = normalise_postcode(f"{match.group(1)} {match.group(2)}")
        except ValueError:
            submission.postcode = ""
    address_id = fields.get("address_id")
    uprn = str(submission.answers.pop("uprn", "")) if "uprn" not in submission.question_codes else ""
    # FixMyStreet sends "#NOTPINPOINTED#" and its own ids here: only a UPRN is kept.
    for candidate in (address_id, uprn):
        if UPRN.match(candidate or ""):
            submission.uprn = candidate
            break


def _contact(fields, submission: Submission) -> None:
    submission.first_name = fields.get("first_name")[:100]
    submission.last_name = fields.get("last_name")[:100]
    if email := fields.get("email"):
        try:
            submission.email = normalise_email(email)
        except ValueError as error:
            raise bad_request(f"email: {error}") from None
    if phone := fields.get("phone"):
        try:
            submission.phone = normalise_phone(phone)
        except ValueError as error:
            raise bad_request(f"phone: {error}") from None


def read_submission(*, tenant, fields) -> Submission:
    code = fields.get("service_code")
    if not code:
        raise bad_request("service_code is required: GET services.xml lists them.")
    service = service_by_code(tenant, code)
    if service is None or not service.is_active:
        raise not_found(f"Unknown service_code {code!r}: GET services.xml lists them.")
    question_codes = {question.code for question in service.questions.all()}
    description = fields.get("description")
    if len(description) > MAX_DESCRIPTION:
        raise bad_request(f"description may have at most {MAX_DESCRIPTION} characters.")
    urls = media_urls(fields)
    if urls:  # never fetched here (that would let a client make us reach any address): kept for staff to open
        description = "\n\n".join(part for part in (description, *(f"Photo: {url}" for url in urls)) if part)
    submission = Submission(
        service=service,
        description=description or service.name,
        answers=dict(fields.attributes),
        question_codes=question_codes,
    )
    _location(fields, submission)
    _contact(fields, submission)
    if not (submission.has_contact or service.allow_anonymous):
        raise bad_request(
            f"email or phone is required: {service.name} does not take anonymous reports, so send the resident's "
            "email address or phone number (or both)."
        )
    # Attributes the service does not ask (FixMyStreet sends its own, e.g. easting, fixmystreet_id) are ignored.
    submission.answers = {code: value for code, value in submission.answers.items() if code in question_codes}
    submission.files = checked_files(fields)
    return submission


def open311_errors(error: ValidationError) -> list[str]:
    """A service's ValidationError in the client's field names: answers.<code> is attribute[<code>]."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    descriptions = []
    for name, messages in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            descriptions.extend(messages)
            continue
        if name.startswith("answers."):
            label = f"attribute[{name.removeprefix('answers.')}]"
        else:
            label = OPEN311_FIELD_NAMES.get(name, name)
        descriptions.extend(f"{label}: {message}" for message in messages)
    return descriptions
