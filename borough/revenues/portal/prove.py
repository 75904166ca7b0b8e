"""A resident proves they hold a council tax account with its number and the property's postcode.

The answer never says which of the two was wrong. Every failed try is recorded in the audit trail, and the tries
are limited per account number (so nobody can guess the postcode of a known account) and per browser address
(so nobody can walk through account numbers): past either limit the answer is "try again later", whether or not
the details were right.
"""

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record
from borough.core.models import AuditEvent
from borough.revenues.models import Account

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NUMBER = 5
MAX_FAILURES_PER_CLIENT = 10
FAILED = "revenues.portal_prove_failed"
PROVED = "revenues.portal_prove"


class TooManyTries(Exception):
    """Too many wrong tries for this account number or from this address: wait, then try again."""


def _client_key(client: str) -> str:
    # The address itself is personal data: keep a digest, enough to count tries.
    return hashlib.sha256(client.encode()).hexdigest()[:16]


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _failures(tenant, **detail) -> int:
    since = timezone.now() - WINDOW
    events = AuditEvent.objects.filter(tenant=tenant, action=FAILED, occurred_at__gte=since)
    return events.filter(**{f"detail__{key}": value for key, value in detail.items()}).count()


@transaction.atomic
def account_prove(*, tenant, number: str, postcode: str, client: str) -> Account | None:
    """The account when `number` and `postcode` match one of the tenant's accounts (its property's postcode), else None
    (recorded as a failed try). TooManyTries past the limits, before anything is compared."""
    number, postcode, client_key = _compact(number)[:20], _compact(postcode)[:10], _client_key(client)
    if (
        _failures(tenant, number=number) >= MAX_FAILURES_PER_NUMBER
        or _failures(tenant, client=client_key) >= MAX_FAILURES_PER_CLIENT
    ):
        raise TooManyTries
    account = Account.objects.filter(tenant=tenant, number=number).select_related("dwelling", "hereditament").first()
    found = account is not None and postcode and _compact(account.property.postcode) == postcode
    if not found:
        audit_record(tenant=tenant, action=FAILED, obj=tenant, detail={"number": number, "client": client_key})
        return None
    audit_record(tenant=tenant, action=PROVED, obj=account, detail={"client": client_key})
    return account
