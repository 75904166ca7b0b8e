"""Helpers of the tenant administration tests."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from borough.core.models import AuditEvent
from borough.identity.models import ApiKey, Membership
from borough.tenancy.scope import tenant_scope


def url(name: str, **kwargs) -> str:
    return reverse(f"tenant_admin:{name}", urlconf="config.urls_tenant", kwargs=kwargs or None)


def written(tenant) -> dict[str, int]:
    """How many rows there are, to show that a refused request wrote nothing."""
    with tenant_scope(tenant):
        return {
            "users": get_user_model().objects.count(),
            "memberships": Membership.objects.count(),
            "active_memberships": Membership.objects.filter(is_active=True).count(),
            "apikeys": ApiKey.objects.count(),
            "active_apikeys": ApiKey.objects.filter(revoked_at__isnull=True).count(),
            "audit_events": AuditEvent.objects.count(),
        }


def membership_of(tenant, user) -> Membership:
    with tenant_scope(tenant):
        return Membership.objects.select_related("user").get(user=user)
