"""Writes for identity and access: memberships and roles, provider support access, API keys."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record, snapshot
from borough.identity.models import ApiKey, Membership, SupportAccess, User
from borough.tenancy.modules import ALL_ROLES, TENANT_ADMIN, module_of_role
from borough.tenancy.scope import current_tenant_id, scope_memo, scope_memo_forget

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
    audit_record(
        tenant=tenant,
        action="membership.grant",
        obj=membership,
        before=before,
        after=snapshot(membership, ["roles", "is_active"]),
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> Membership:
    before = snapshot(membership, ["roles", "is_active"])
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        tenant=membership.tenant,
        action="membership.revoke",
        obj=membership,
        before=before,
        after=snapshot(membership, ["roles", "is_active"]),
    )
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
        tenant=tenant,
        user=user,
        reason=reason.strip(),
        roles=_check_roles(roles),
        granted_at=now,
        expires_at=now + duration,
    )
    audit_record(
        tenant=tenant,
        action="support_access.grant",
        obj=grant,
        after=snapshot(grant, ["user", "reason", "roles", "expires_at"]),
    )
    return grant


@transaction.atomic
def support_access_revoke(*, grant: SupportAccess) -> SupportAccess:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_record(tenant=grant.tenant, action="support_access.revoke", obj=grant, after=snapshot(grant, ["revoked_at"]))
    return grant


def hash_api_key(key: str) -> str:
    # The key carries 256 bits of randomness, so a fast hash suffices (no password stretching needed).
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, tenant, name: str, scopes, created_by=None) -> tuple[ApiKey, str]:
    """Create an API key. Returns the record and the key itself, which is never stored and cannot be shown again."""
    if not name.strip():
        raise ValidationError({"name": "Give the key a name."})
    if len(name.strip()) > ApiKey._meta.get_field("name").max_length:
        raise ValidationError({"name": "Use at most 100 characters for the key's name."})
    scopes = set(scopes)
    unknown = sorted(scopes - API_KEY_SCOPES)
    if unknown or not scopes:
        raise ValidationError(
            {
                "scopes": f"Unknown or missing scopes{': ' + ', '.join(unknown) if unknown else ''}. "
                f"Choose from: {', '.join(sorted(API_KEY_SCOPES))}"
            }
        )
    while True:
        key = f"brk_{secrets.token_urlsafe(32)}"
        prefix = key[4 : 4 + API_KEY_PREFIX_LENGTH]
        if not ApiKey.objects.filter(tenant=tenant, prefix=prefix).exists():
            break
    api_key = ApiKey.objects.create(
        tenant=tenant,
        name=name.strip(),
        prefix=prefix,
        hashed_key=hash_api_key(key),
        scopes=sorted(scopes),
        created_by=created_by,
    )
    audit_record(tenant=tenant, action="apikey.create", obj=api_key, after=snapshot(api_key, ["name", "scopes"]))
    return api_key, key


def _apikey_memo_key(tenant_id, prefix: str) -> tuple:
    return ("api_key", tenant_id, prefix)


def apikey_find(key: str) -> ApiKey | None:
    """The active key of the current tenant scope matching `key`, or None."""
    if not key.startswith("brk_") or len(key) < 4 + API_KEY_PREFIX_LENGTH:
        return None
    prefix = key[4 : 4 + API_KEY_PREFIX_LENGTH]
    candidate = scope_memo(
        _apikey_memo_key(current_tenant_id(), prefix),
        lambda: ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first(),
    )
    if candidate and hmac.compare_digest(candidate.hashed_key, hash_api_key(key)):
        return candidate
    return None


@transaction.atomic
def apikey_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key from now on. Revoking a revoked key changes nothing (and records nothing)."""
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    scope_memo_forget(_apikey_memo_key(api_key.tenant_id, api_key.prefix))
    audit_record(tenant=api_key.tenant, action="apikey.revoke", obj=api_key, after=snapshot(api_key, ["revoked_at"]))
    return api_key


def _roles_for_tenant_errors(tenant, roles) -> str | None:
    if not roles:
        return "Choose at least one role."
    unknown = sorted(set(roles) - ALL_ROLES)
    if unknown:
        return f"Unknown roles: {', '.join(unknown)}"
    disabled = sorted(r for r in roles if r != TENANT_ADMIN and not tenant.has_module(module_of_role(r)))
    if disabled:
        return f"Roles of modules this organisation does not use: {', '.join(disabled)}"
    return None


def _new_staff_user_errors(username: str, email: str, full_name: str) -> dict[str, str]:
    errors = {}
    try:
        User.username_validator(username)
    except ValidationError:
        errors["username"] = "Use only letters, digits and the characters @ . + - _ in a username."
    if not username or len(username) > 150:
        errors["username"] = "Enter a username of 1 to 150 characters."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.gov.uk"
    if not full_name:
        errors["full_name"] = "Enter their full name."
    return errors


@transaction.atomic
def staff_user_invite(*, tenant, username: str, email: str, full_name: str, roles) -> tuple[Membership, str | None]:
    """Make someone a staff member of the tenant. Returns (membership, set-up password or None).

    A new username creates a user with a generated set-up password, returned here once and stored only hashed.
    An existing user is added only when `email` matches their account, so a username alone claims nobody;
    their name and email stay as they are. Provider staff are never members: they use support access.
    """
    username, email, full_name = username.strip(), email.strip(), " ".join(full_name.split())
    errors: dict[str, str] = {}
    if roles_error := _roles_for_tenant_errors(tenant, roles):
        errors["roles"] = roles_error
    user = User.objects.filter(username__iexact=username).first() if username else None
    if user is None:
        errors.update(_new_staff_user_errors(username, email, full_name))
    elif not email or user.email.lower() != email.lower():
        errors["username"] = (
            "This username is taken. Choose another, or give the existing account's email address to add it."
        )
    elif user.is_provider_staff:
        errors["username"] = "Provider staff reach your organisation's data only through support access."
    elif not user.is_active:
        errors["username"] = "This user account is disabled."
    elif Membership.objects.filter(tenant=tenant, user=user, is_active=True).exists():
        errors["username"] = f"{user.username} is already a member. Change their roles on their page."
    if errors:
        raise ValidationError(errors)

    setup_password = None
    if user is None:
        setup_password = secrets.token_urlsafe(12)
        first_name, _, last_name = full_name.rpartition(" ")
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            must_change_password=True,
        )
        user.set_password(setup_password)
        user.save()
        audit_record(
            tenant=tenant,
            action="staff_user.create",
            obj=user,
            after=snapshot(user, ["username", "email", "first_name", "last_name"]),
        )
    membership = membership_grant(tenant=tenant, user=user, roles=roles)
    return membership, setup_password
