"""Writes for identity and access: memberships and roles, provider support access, API keys."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.identity.models import ApiKey, Membership, SupportAccess
from borough.tenancy.modules import ALL_ROLES

API_KEY_SCOPES = frozenset({"read", "write", "runs", "open311", "telephony", "callbacks"})
API_KEY_PREFIX_LENGTH = 8
SUPPORT_ACCESS_MAX = timedelta(hours=8)


def _check_roles(roles) -> list[str]:
    unknown = sorted(set(roles) - ALL_ROLES)
    if unknown:
        raise ValidationError({"roles": f"Unknown roles: {', '.join(unknown)}"})
    return sorted(set(roles))


@transaction.atomic
def membership_grant(*, tenant, user, roles) -> Membership:
    """Give a user a membership of the tenant with these roles (replacing the roles it had)."""
    roles = _check_roles(roles)
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    before = snapshot(membership, ["roles", "is_active"]) if membership else None
    if membership is None:
        membership = Membership(tenant=tenant, user=user)
    membership.roles, membership.is_active = roles, True
    membership.save()
    audit_record(tenant=tenant, action="membership.grant", obj=membership, before=before,
                 after=snapshot(membership, ["roles", "is_active"]))
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> Membership:
    before = snapshot(membership, ["roles", "is_active"])
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(tenant=membership.tenant, action="membership.revoke", obj=membership, before=before,
                 after=snapshot(membership, ["roles", "is_active"]))
    return membership


@transaction.atomic
def support_access_grant(*, tenant, user, reason: str, roles, duration: timedelta) -> SupportAccess:
    """A provider staff member's time-limited, reasoned, audited access to one tenant."""
    if not user.is_provider_staff:
        raise ValidationError({"user": "Only provider staff are given support access."})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why access is needed (at least 10 characters)."})
    if not timedelta(minutes=5) <= duration <= SUPPORT_ACCESS_MAX:
        raise ValidationError({"duration": "Support access lasts from 5 minutes to 8 hours."})
    now = timezone.now()
    grant = SupportAccess.objects.create(
        tenant=tenant, user=user, reason=reason.strip(), roles=_check_roles(roles), granted_at=now,
        expires_at=now + duration,
    )
    audit_record(tenant=tenant, action="support_access.grant", obj=grant,
                 after=snapshot(grant, ["user", "reason", "roles", "expires_at"]))
    return grant


@transaction.atomic
def support_access_revoke(*, grant: SupportAccess) -> SupportAccess:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_record(tenant=grant.tenant, action="support_access.revoke", obj=grant,
                 after=snapshot(grant, ["revoked_at"]))
    return grant


def hash_api_key(key: str) -> str:
    # The key carries 256 bits of randomness, so a fast keyed hash suffices (no password stretching needed).
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, tenant, name: str, scopes, created_by=None) -> tuple[ApiKey, str]:
    """Create an API key. Returns the record and the key itself, which is never stored and cannot be shown again."""
    if not name.strip():
        raise ValidationError({"name": "Give the key a name."})
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown or not scopes:
        raise ValidationError({"scopes": f"Choose scopes from: {', '.join(sorted(API_KEY_SCOPES))}"})
    while True:
        key = f"brk_{secrets.token_urlsafe(32)}"
        prefix = key[4 : 4 + API_KEY_PREFIX_LENGTH]
        if not ApiKey.objects.filter(tenant=tenant, prefix=prefix).exists():
            break
    api_key = ApiKey.objects.create(
        tenant=tenant, name=name.strip(), prefix=prefix, hashed_key=hash_api_key(key), scopes=sorted(set(scopes)),
        created_by=created_by,
    )
    audit_record(tenant=tenant, action="apikey.create", obj=api_key, after=snapshot(api_key, ["name", "scopes"]))
    return api_key, key


def apikey_find(key: str) -> ApiKey | None:
    """The active key of the current tenant scope matching `key`, or None."""
    if not key.startswith("brk_") or len(key) < 4 + API_KEY_PREFIX_LENGTH:
        return None
    candidate = ApiKey.objects.filter(prefix=key[4 : 4 + API_KEY_PREFIX_LENGTH], revoked_at__isnull=True).first()
    if candidate and hmac.compare_digest(candidate.hashed_key, hash_api_key(key)):
        return candidate
    return None


@transaction.atomic
def apikey_revoke(*, api_key: ApiKey) -> ApiKey:
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit_record(tenant=api_key.tenant, action="apikey.revoke", obj=api_key, after=snapshot(api_key, ["revoked_at"]))
    return api_key
