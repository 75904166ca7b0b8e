"""Who an Open311 request is for (the tenant, by host name or `jurisdiction_id`) and who sends it (`api_key`)."""

from django.conf import settings
from django.utils import timezone

from borough.crm.open311.errors import forbidden, not_found
from borough.identity.api_auth import LAST_USED_RESOLUTION
from borough.identity.services import apikey_find
from borough.tenancy.models import TenantDomain

OPEN311_SCOPE = "open311"


def check_jurisdiction(tenant, jurisdiction_id: str) -> None:
    """A `jurisdiction_id`, when given, must name this tenant: its slug or one of its domains (else 404)."""
    wanted = jurisdiction_id.strip().lower().rstrip(".")
    if not wanted or wanted in {tenant.slug, f"{tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}"}:
        return
    if TenantDomain.objects.filter(tenant=tenant, domain=wanted).exists():
        return
    raise not_found(
        f"Unknown jurisdiction_id {jurisdiction_id!r}: this endpoint serves {tenant.name} "
        f"(jurisdiction_id {tenant.slug!r}, or leave it out)."
    )


def open311_api_key(request, key: str):
    """The tenant's active API key with the open311 scope, or a 403 saying what is wrong with `key`."""
    tenant = request.tenant
    if not key:
        raise forbidden(f"An api_key is required. Ask {tenant.name} for an API key with the open311 scope.")
    # The tenant scope is active, so only this tenant's keys are looked at; the tenant check repeats it.
    api_key = apikey_find(key)
    if api_key is None or api_key.tenant_id != tenant.pk:
        raise forbidden("The api_key is unknown or has been revoked.")
    if OPEN311_SCOPE not in api_key.scopes:
        raise forbidden("The api_key does not have the open311 scope.")
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        type(api_key).objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
