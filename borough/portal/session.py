"""What the portal keeps in a resident's session: signed, and per tenant.

The session lives on the server, but it is still signed (with a salt naming the tenant and the purpose) so a value
written by anything else, or for another tenant, reads as absent rather than being trusted. What a signed value
says is still re-validated before anything is created from it.
"""

from typing import Any

from django.core import signing

DEFAULT_MAX_AGE = 24 * 60 * 60  # a journey left for a day starts again


def _key(tenant, name: str) -> str:
    return f"portal.{name}.{tenant.pk}"


def _salt(tenant, name: str) -> str:
    return f"borough.portal.{name}.tenant-{tenant.pk}"


def session_read(request, name: str, max_age: int = DEFAULT_MAX_AGE) -> Any:
    """The value saved under `name` for this tenant, or None when absent, expired or not signed by us."""
    token = request.session.get(_key(request.tenant, name))
    if not isinstance(token, str):
        return None
    try:
        return signing.loads(token, salt=_salt(request.tenant, name), max_age=max_age)
    except signing.BadSignature:
        return None


def session_write(request, name: str, value: Any) -> None:
    request.session[_key(request.tenant, name)] = signing.dumps(value, salt=_salt(request.tenant, name))


def session_forget(request, name: str) -> None:
    request.session.pop(_key(request.tenant, name), None)


def signed_entry(tenant, name: str, value: Any) -> tuple[str, str]:
    """The session key and signed value `session_write` would store (tests forge sessions with it)."""
    return _key(tenant, name), signing.dumps(value, salt=_salt(tenant, name))
