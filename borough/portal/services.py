"""Letting a resident follow a case: a 6-digit code sent to the email or phone given when the case was reported.

The answer to a request never says whether the reference exists or the contact matched: every request is
recorded, counted against the reference's rate limit, and answered the same way; only a matching one sends a code.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from borough.core.audit import Actor, audit_record, current_actor
from borough.core.models import OutboxMessage
from borough.core.outbox import OUTBOX_HANDLERS, outbox_enqueue
from borough.crm.models import Case
from borough.people.models import ContactPoint
from borough.portal.models import PortalVerification

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_REQUESTS = 5  # codes per reference ...
REQUEST_WINDOW = timedelta(hours=1)  # ... in this long
TOO_MANY_REQUESTS = "You have asked for too many codes for this reference. Wait an hour, then try again."
WRONG_CODE = "The security code is not right. Check it and try again"
EXPIRED = "The security code has expired. Ask for a new code"
TOO_MANY_TRIES = "You have entered a wrong code too many times. Ask for a new code"


class RateLimited(ValidationError):
    pass


def portal_actor() -> Actor:
    """Who the audit trail names for a resident's action: the signed-in user if any, else the portal."""
    return current_actor.get() or Actor.system("citizen portal")


def _hash(salt: str, code: str) -> str:
    return salted_hmac("borough.portal.verification", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _matching_case(*, tenant, reference: str, contact_kind: str, contact: str) -> Case | None:
    case = Case.objects.filter(tenant=tenant, reference=reference).select_related("requester").first()
    if case is None or case.requester is None:
        return None
    held = ContactPoint.objects.filter(tenant=tenant, person=case.requester, kind=contact_kind, normalised=contact)
    return case if held.exists() else None


def _enqueue(*, tenant, kind: str, payload: dict, idempotency_key: str) -> None:
    if kind in OUTBOX_HANDLERS:
        outbox_enqueue(tenant=tenant, kind=kind, payload=payload, idempotency_key=idempotency_key)
        return
    # Text messages are sent by a channel still to come: the message waits in the outbox until its handler is
    # registered (outbox_enqueue refuses a kind nobody handles yet, so it is written directly).
    OutboxMessage.objects.get_or_create(
        tenant=tenant, idempotency_key=idempotency_key, defaults={"kind": kind, "payload": payload}
    )


def _send_code(*, verification: PortalVerification, code: str, to: str) -> None:
    tenant = verification.tenant
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    text = (
        f"Your security code to follow {verification.reference} with {tenant.name} is {code}. "
        f"It expires in {minutes} minutes. If you did not ask for it, you can ignore this message."
    )
    key = f"portal-code-{verification.pk}"
    if verification.sent_by == PortalVerification.Sent.EMAIL:
        payload = {"to": [to], "subject": f"Your security code for {verification.reference}", "body": text}
        _enqueue(tenant=tenant, kind="email.smtp", payload=payload, idempotency_key=key)
    else:
        _enqueue(tenant=tenant, kind="sms.notify", payload={"to": to, "body": text}, idempotency_key=key)


@transaction.atomic
def verification_request(*, tenant, reference: str, contact_kind: str, contact: str) -> PortalVerification:
    """Record a request for a code (`contact` normalised; `contact_kind` "email" or "phone") and, when the
    reference and contact match a case, send the code. RateLimited past MAX_REQUESTS per reference."""
    if contact_kind not in ("email", "phone"):
        raise ValidationError({"contact": "Enter an email address or a phone number"})
    now = timezone.now()
    recent = PortalVerification.objects.filter(tenant=tenant, reference=reference, created_at__gte=now - REQUEST_WINDOW)
    if recent.count() >= MAX_REQUESTS:
        raise RateLimited({"reference": TOO_MANY_REQUESTS})
    case = _matching_case(tenant=tenant, reference=reference, contact_kind=contact_kind, contact=contact)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    verification = PortalVerification.objects.create(
        tenant=tenant,
        reference=reference,
        case=case,
        sent_by=PortalVerification.Sent.EMAIL if contact_kind == "email" else PortalVerification.Sent.SMS,
        code_salt=salt,
        code_hash=_hash(salt, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    audit_record(
        tenant=tenant,
        action="portal.code_request",
        obj=verification,
        detail={"reference": reference, "matched": case is not None, "sent_by": verification.sent_by},
    )
    if case is not None:
        _send_code(verification=verification, code=code, to=contact)
    return verification


def verification_check(*, verification: PortalVerification, code: str) -> Case:
    """The case the code lets the resident follow; ValidationError({"code": ...}) for a wrong, expired or
    exhausted code (a code for an unknown reference is never right)."""
    case, problem = _attempt(verification, code)
    if problem:
        raise ValidationError({"code": problem})
    return case


@transaction.atomic
def _attempt(verification: PortalVerification, code: str) -> tuple[Case | None, str]:
    # Returns the problem rather than raising it, so the count of wrong tries is committed.
    verification = PortalVerification.objects.select_for_update().get(tenant=verification.tenant, pk=verification.pk)
    if verification.verified_at is not None:
        return None, "This code has already been used. Ask for a new code"
    if verification.attempts >= MAX_ATTEMPTS:
        return None, TOO_MANY_TRIES
    if timezone.now() >= verification.expires_at:
        return None, EXPIRED
    right = constant_time_compare(_hash(verification.code_salt, code), verification.code_hash)
    if not right or verification.case_id is None:
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - verification.attempts
        if left <= 0:
            return None, TOO_MANY_TRIES
        return None, f"{WRONG_CODE}. You have {left} {'try' if left == 1 else 'tries'} left"
    verification.verified_at = timezone.now()
    verification.save(update_fields=["verified_at"])
    audit_record(
        tenant=verification.tenant,
        action="portal.code_verified",
        obj=verification,
        detail={"reference": verification.reference, "case_id": verification.case_id},
    )
    return verification.case, ""


def verifications_purge(*, tenant, older_than: timedelta = timedelta(days=7)) -> int:
    """Remove codes past any use (their requests still count for a while, so keep a week)."""
    deleted, _ = PortalVerification.objects.filter(tenant=tenant, created_at__lt=timezone.now() - older_than).delete()
    return deleted
