"""Open311 GeoReport v2 resources. Thin: read the fields, check, call a selector or a service, render.

Every view is public (anyone may read what GeoReport publishes) and CSRF-exempt (clients are programs, not
browsers with a session); writes check the `api_key` inside, so a missing or bad key gets the spec's 403.
"""

import secrets
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from borough.core.audit import Actor, acting_as
from borough.core.inserts import rows_written_together
from borough.crm.models import Case, Service
from borough.crm.open311 import represent, selectors
from borough.crm.open311.auth import check_jurisdiction, open311_api_key
from borough.crm.open311.errors import Open311Error, bad_request, not_found
from borough.crm.open311.formats import check_no_nul, error_response, read_fields, respond
from borough.crm.open311.statuses import CLOSED_STATUSES, posted_status
from borough.crm.open311.submission import (
    checked_files,
    media_urls,
    open311_errors,
    parse_w3c,
    read_submission,
)
from borough.crm.open311.updates import check_status, client_update_id, update_once
from borough.crm.services import case_create
from borough.identity.permissions import public_view
from borough.people.services import person_find_or_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When what these resources offer last changed (the discovery document's changeset).
CHANGESET = datetime(2026, 11, 25, tzinfo=UTC)
WINDOW = timedelta(days=90)
STATUS_FILTERS = {
    "open": [s for s in Case.Status.values if s not in CLOSED_STATUSES],
    "closed": sorted(CLOSED_STATUSES),
}


def open311_endpoint(*methods: str):
    """The spec's frame around a resource: the tenant offers the CRM, the method is one the resource has, the
    body reads, the jurisdiction_id (if any) is this tenant; an Open311Error becomes the spec's error body."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, fmt: str, **kwargs):
            try:
                tenant = request.tenant
                if tenant is None or not tenant.has_module("crm"):
                    raise not_found("There is no Open311 service on this site.")
                if request.method not in methods:
                    raise bad_request(f"{request.method} is not supported here: use {' or '.join(methods)}.")
                fields = read_fields(request)
                check_no_nul(fields)
                check_jurisdiction(tenant, fields.get("jurisdiction_id"))
                return view(request, fmt, fields, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return public_view(csrf_exempt(wrapped))

    return decorate


def _api_key(request, fields):
    scheme, _, header_key = request.headers.get("Authorization", "").partition(" ")
    key = fields.get("api_key") or (header_key.strip() if scheme.lower() == "api-key" else "")
    return open311_api_key(request, key)


def _window(fields) -> tuple[datetime, datetime]:
    """start_date and end_date (W3C), at most 90 days apart; the last 90 days when neither is given."""
    start = parse_w3c(fields.get("start_date"), "start_date") if fields.get("start_date") else None
    end = parse_w3c(fields.get("end_date"), "end_date") if fields.get("end_date") else None
    if start and end:
        if start > end:
            raise bad_request("start_date must not be after end_date.")
        if end - start > WINDOW:
            raise bad_request("start_date and end_date may be at most 90 days apart.")
        return start, end
    if start:
        return start, start + WINDOW
    end = end or timezone.now()
    return end - WINDOW, end


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@open311_endpoint("GET")
def discovery(request, fmt, fields):
    base = request.build_absolute_uri(reverse("open311:services-xml")).rsplit("/", 1)[0]
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"{request.tenant.name}: {request.build_absolute_uri('/')}",
            "key_service": f"Ask {request.tenant.name} for an API key with the open311 scope: "
            + request.build_absolute_uri(reverse("tenant_admin:apikeys")),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311_endpoint("GET")
def services(request, fmt, fields):
    found = (
        Service.objects.filter(tenant=request.tenant, is_active=True)
        .annotate(question_count=Count("questions"))
        .order_by("group", "name")
    )
    payload = [represent.service_dict(service, has_questions=service.question_count > 0) for service in found]
    return respond(fmt, "services", payload)


@open311_endpoint("GET")
def service_definition(request, fmt, fields, service_code):
    service = Service.objects.filter(tenant=request.tenant, code=service_code, is_active=True).first()
    if service is None:
        raise not_found(f"Unknown service_code {service_code!r}: GET services.{fmt} lists them.")
    questions = service.questions.order_by("order", "id")
    return respond(fmt, "service_definition", represent.service_definition_dict(service, questions))


@open311_endpoint("GET", "POST")
def requests(request, fmt, fields):
    if request.method == "POST":
        return _create_request(request, fmt, fields)
    references = _comma_list(fields.get("service_request_id"))
    if len(references) > selectors.MAX_RESULTS:
        raise bad_request(f"Ask for at most {selectors.MAX_RESULTS} service_request_id values at once.")
    statuses = []
    for status in _comma_list(fields.get("status").lower()):
        if status not in STATUS_FILTERS:
            raise bad_request(f"Unknown status {status!r}: use open, closed or both (comma separated).")
        statuses += STATUS_FILTERS[status]
    start, end = (None, None) if references else _window(fields)
    found = selectors.published_requests(
        tenant=request.tenant,
        references=references,
        service_codes=_comma_list(fields.get("service_code")),
        statuses=statuses,
        start=start,
        end=end,
    )
    return respond(fmt, "service_requests", [represent.request_dict(request, case) for case in found])


def _create_request(request, fmt, fields):
    api_key = _api_key(request, fields)
    submission = read_submission(tenant=request.tenant, fields=fields)
    token = secrets.token_urlsafe(18)
    with acting_as(Actor.for_api_key(api_key)):
        try:
            # The person and the case together, or neither; the rows that can wait go in one statement.
            with transaction.atomic(), rows_written_together():
                requester = None
                if submission.has_contact:
                    requester = person_find_or_create(
                        tenant=request.tenant,
                        email=submission.email,
                        phone=submission.phone,
                        given_name=submission.first_name,
                        family_name=submission.last_name,
                        channel="web",
                    )
                case = case_create(
                    tenant=request.tenant,
                    service=submission.service,
                    channel="open311",
                    description=submission.description,
                    answers=submission.answers,
                    requester=requester,
                    latitude=submission.latitude,
                    longitude=submission.longitude,
                    address=submission.address,
                    postcode=submission.postcode,
                    uprn=submission.uprn,
                    attachments=submission.files,
                    open311_token=token,
                    from_resident=True,
                    savepoint=False,  # this block is the transaction: a failure ends the request
                )
        except ValidationError as error:
            raise bad_request(*open311_errors(error)) from error
    due = timezone.localtime(case.due_at)
    notice = f"{submission.service.name}: we aim to deal with this by {due.day} {due:%B %Y, %H:%M}."
    # Created at once, so the id is known; the token is given too, for clients that always poll tokens.
    payload = [{"service_request_id": case.reference, "token": token, "service_notice": notice, "account_id": ""}]
    return respond(fmt, "service_requests", payload, status=201)


@open311_endpoint("GET")
def request_detail(request, fmt, fields, service_request_id):
    case = selectors.published_case(tenant=request.tenant, reference=service_request_id)
    if case is None:
        raise not_found(f"Unknown service_request_id {service_request_id!r}.")
    return respond(fmt, "service_requests", [represent.request_dict(request, case)])


@open311_endpoint("GET")
def token(request, fmt, fields, token):
    reference = (
        Case.objects.filter(tenant=request.tenant, open311_token=token).values_list("reference", flat=True).first()
    )
    if reference is None:
        raise not_found(f"Unknown token {token!r}.")
    return respond(fmt, "service_requests", [{"service_request_id": reference, "token": token}])


@open311_endpoint("GET", "POST")
def service_request_updates(request, fmt, fields):
    if request.method == "POST":
        return _post_update(request, fmt, fields)
    if fields.get("api_key"):  # not needed to read, but a wrong one is worth telling the client about
        _api_key(request, fields)
    if bool(fields.get("start_date")) != bool(fields.get("end_date")):
        raise bad_request("Give both start_date and end_date, or neither (the last 90 days).")
    start, end = _window(fields)
    found = selectors.published_updates(tenant=request.tenant, start=start, end=end)
    payload = [represent.update_dict(event, status, is_duplicate=dup) for event, status, dup in found]
    return respond(fmt, "service_request_updates", payload)


def _update_body(fields) -> str:
    lines = [fields.get("description"), *(f"Photo: {url}" for url in media_urls(fields))]
    return "\n\n".join(line for line in lines if line)


def _author(fields) -> str:
    """Who wrote an update, for staff only (never shown to the case's resident, who may be someone else)."""
    name = " ".join(part for part in (fields.get("first_name"), fields.get("last_name")) if part and part != "-")
    email = fields.get("email")
    return f"{name} <{email}>".strip() if email else name


def _post_update(request, fmt, fields):
    api_key = _api_key(request, fields)
    reference = fields.get("service_request_id")
    if not reference:
        raise bad_request("service_request_id is required.")
    status = posted_status(fields.get("status"))
    check_status(status)
    if fields.get("updated_datetime"):
        parse_w3c(fields.get("updated_datetime"), "updated_datetime")
    update_id = client_update_id(fields)
    case = selectors.updatable_case(tenant=request.tenant, reference=reference)
    if case is None:
        raise not_found(f"Unknown service_request_id {reference!r}.")
    files = checked_files(fields)
    with acting_as(Actor.for_api_key(api_key)):
        try:
            event, created = update_once(
                case=case,
                update_id=update_id,
                status=status,
                body=_update_body(fields),
                author=_author(fields),
                files=files,
            )
        except ValidationError as error:
            raise bad_request(*open311_errors(error)) from error
    # A retry is answered as the first attempt was, but with 200 rather than 201: nothing new was made.
    return respond(fmt, "service_request_updates", [{"update_id": str(event.pk)}], status=201 if created else 200)


@public_view
def media(request, reference, attachment_id):
    """A public photo of a published case of this tenant (what media_url points at)."""
    if request.tenant is None or not request.tenant.has_module("crm"):
        raise Http404
    photo = selectors.public_photo(tenant=request.tenant, reference=reference, attachment_id=attachment_id)
    if photo is None:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300"
    return response


@public_view
@csrf_exempt
def unknown(request):
    fmt = "json" if request.path.endswith(".json") else "xml"
    return error_response(
        fmt,
        not_found(
            f"There is no Open311 resource at {request.path}. Resources end in .xml or .json: discovery, "
            "services, services/<service_code>, requests, requests/<service_request_id>, tokens/<token>, "
            "servicerequestupdates."
        ),
    )
