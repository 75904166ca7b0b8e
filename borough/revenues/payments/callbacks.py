"""GOV.UK Pay's webhook on a tenant's host (`/callbacks/pay/webhook`). Refusals are JSON saying why, and logged:
404 when the site takes no card payments (no signing secret), 401 for a missing or wrong Pay-Signature, 400 for a
body that is not the documented JSON. A payment whose reference names no account is accepted (200) and kept for
review: GOV.UK Pay would otherwise retry it, and the money has been taken."""

import json
import logging

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from borough.core.audit import Actor, acting_as
from borough.identity.permissions import public_view
from borough.revenues.payments.card import card_payment_receive, signature_valid, webhook_secret

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


def _refuse(request, status: int, message: str, errors: dict | None = None) -> JsonResponse:
    logger.warning("GOV.UK Pay webhook for %s refused (%s): %s", request.tenant.slug, status, message)
    return JsonResponse({"error": message, **({"errors": errors} if errors else {})}, status=status)


@public_view
@csrf_exempt
@never_cache
@require_POST
def webhook(request):
    secret = webhook_secret(request.tenant)
    if not secret:
        return _refuse(request, 404, "This site does not take GOV.UK Pay webhooks")
    if len(request.body) > MAX_BODY_BYTES:
        return _refuse(request, 400, f"The body is larger than {MAX_BODY_BYTES // 1024} KB")
    if not signature_valid(secret, request.body, request.headers.get("Pay-Signature", "")):
        return _refuse(request, 401, "The Pay-Signature header is missing or does not match the body")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(request, 400, "The body is not JSON", {"body": "Send the documented JSON object"})
    try:
        with acting_as(Actor.system("GOV.UK Pay")):
            outcome, row = card_payment_receive(tenant=request.tenant, payload=payload)
    except ValidationError as error:
        errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
        return _refuse(request, 400, "The event is not a valid payment", errors)
    return JsonResponse({"outcome": outcome, **({"reason": row.error} if row is not None and row.error else {})})
