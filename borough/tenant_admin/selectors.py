"""Reads for the tenant administration pages. All run inside the request's tenant scope."""

from django.db.models import F
from django.utils import timezone

from borough.core.audit import audit_history
from borough.core.models import AuditEvent
from borough.identity.models import ApiKey, Membership, SupportAccess
from borough.tenancy.modules import TENANT_ADMIN

RECENT_EVENTS = 10
PROVIDER_CHANGES_SHOWN = 50


def member_list():
    return Membership.objects.select_related("user").order_by("-is_active", "user__username")


def active_admins() -> list[Membership]:
    # Filtered in Python: JSON "contains" is not available on SQLite, and a tenant has few members.
    return [m for m in Membership.objects.filter(is_active=True) if TENANT_ADMIN in m.roles]


def is_last_admin(membership: Membership) -> bool:
    return [m.pk for m in active_admins()] == [membership.pk]


def member_history(membership: Membership):
    """Audit events of the membership and of its user (as recorded in this tenant), newest first."""
    return audit_history(membership) | audit_history(membership.user)


def apikey_list():
    return ApiKey.objects.select_related("created_by").order_by(F("revoked_at").desc(nulls_first=True), "name")


def support_access_list():
    return SupportAccess.objects.select_related("user").order_by("-granted_at")


def provider_staff_changes():
    """What provider staff changed in this tenant (under support access, or when they set the tenant up)."""
    return AuditEvent.objects.filter(actor_user__is_provider_staff=True).select_related("actor_user")[
        :PROVIDER_CHANGES_SHOWN
    ]


def recent_events():
    return AuditEvent.objects.select_related("actor_user")[:RECENT_EVENTS]


def admin_summary() -> dict[str, int]:
    now = timezone.now()
    return {
        "members": Membership.objects.filter(is_active=True).count(),
        "apikeys": ApiKey.objects.filter(revoked_at__isnull=True).count(),
        "support_current": SupportAccess.objects.filter(
            revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now
        ).count(),
    }


def deactivation_problem(membership: Membership, user) -> str | None:
    """Why `user` may not deactivate this membership, or None."""
    if not membership.is_active:
        return f"{membership.user.username} is already deactivated."
    if membership.user_id == user.pk:
        return "You cannot deactivate your own membership. Ask another administrator."
    if is_last_admin(membership):
        return f"{membership.user.username} is the only administrator and cannot be deactivated."
    return None
