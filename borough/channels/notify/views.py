"""Notify's callbacks to a tenant's host: delivery receipts and received text messages. Notify authenticates
with the bearer token the tenant configured (kept as a hash). Every refusal is JSON that says why, and is logged:
401 for a missing or wrong token, 400 for a body that is not the documented JSON, 404 when the tenant takes no
Notify callbacks or the text was sent to a number that is not the tenant's."""

import json
import logging

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from borough.channels.notify.delivery import delivery_status_record
from borough.channels.notify.inbound import inbound_sms_receive
from borough.channels.notify.services import notify_account
from borough.core.audit import Actor, acting_as
from borough.identity.permissions import public_view
from borough.people.normalise import normalise_phone

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


class CallbackRefused(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def _refusal(request, error: CallbackRefused) -> JsonResponse:
    tenant = getattr(request.tenant, "slug", "?")
    logger.warning("Notify callback %s for %s refused (%s): %s", request.path, tenant, error.status, error.message)
    body = {"error": error.message, **({"errors": error.errors} if error.errors else {})}
    return JsonResponse(body, status=error.status)


def _checked_request(request):
    """The tenant's Notify account and the JSON body, once the token is right."""
    account = notify_account(request.tenant)
    if account is None:
        raise CallbackRefused(404, "This site does not take GOV.UK Notify callbacks")
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CallbackRefused(401, "Send the callback's bearer token in the Authorization header")
    if not account.callback_token_matches(token.strip()):
        raise CallbackRefused(401, "The bearer token is not the one configured for this site's Notify callbacks")
    if len(request.body) > MAX_BODY_BYTES:
        raise CallbackRefused(400, f"The body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise CallbackRefused(400, "The body is not JSON", {"body": "Send the documented JSON object"}) from None
    return account, payload


def _field_errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"body": " ".join(error.messages)}


def callback_view(view):
    @public_view
    @csrf_exempt
    @never_cache
    @require_POST
    def wrapped(request):
        try:
            with acting_as(Actor.system("GOV.UK Notify")):
                return view(request, *_checked_request(request))
        except CallbackRefused as error:
            return _refusal(request, error)
        except ValidationError as error:
            return _refusal(request, CallbackRefused(400, "The callback body is not valid", _field_errors(error)))

    wrapped.__name__ = view.__name__
    return wrapped


@callback_view
def delivery_status(request, account, payload):
    result = delivery_status_record(tenant=request.tenant, payload=payload)
    return JsonResponse({"outcome": result.outcome, "reason": result.reason})


def _same_number(given: str, ours: str) -> bool:
    try:
        return normalise_phone(given) == normalise_phone(ours)
    except ValueError:
        return False


@callback_view
def inbound_sms(request, account, payload):
    destination = payload.get("destination_number") if isinstance(payload, dict) else None
    if (
        account.inbound_number
        and isinstance(destination, str)
        and not _same_number(destination, account.inbound_number)
    ):
        raise CallbackRefused(404, f"{destination[:40]} is not this site's number for text messages")
    record, created = inbound_sms_receive(tenant=request.tenant, payload=payload)
    return JsonResponse(
        {"outcome": record.outcome, "reason": record.reason, "repeat": not created}, status=201 if created else 200
    )
