"""Tenant lifecycle: create (with domains, branding, modules and an administrator), suspend, reactivate.

These are the provider's control-plane writes. Creating a tenant is itself an entry point into the new tenant: its
first audit events and its administrator's membership are written inside the new tenant's scope.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.core.svg import SvgError, sanitise_svg
from borough.tenancy.models import Tenant, TenantDomain
from borough.tenancy.modules import MODULES_BY_CODE, TENANT_ADMIN, default_modules
from borough.tenancy.scope import tenant_scope

TENANT_AUDIT_FIELDS = [
    "slug",
    "name",
    "kind",
    "status",
    "nation",
    "brand_colour",
    "enabled_modules",
    "suspended_reason",
]


def _unique_reference_prefix(slug: str) -> str:
    letters = "".join(ch for ch in slug.upper() if ch.isalpha()) or "TEN"
    candidates = [letters[:3], letters[0] + letters[-2:], letters[:4], letters[:2] + letters[-1]]
    for candidate in candidates:
        if len(candidate) >= 2 and not Tenant.objects.filter(reference_prefix=candidate).exists():
            return candidate
    for n in range(26 * 26):
        candidate = letters[:1] + chr(65 + n // 26) + chr(65 + n % 26)
        if not Tenant.objects.filter(reference_prefix=candidate).exists():
            return candidate
    raise ValidationError({"reference_prefix": "No free reference prefix; give one."})


@transaction.atomic
def tenant_create(
    *,
    slug: str,
    name: str,
    kind: str,
    domains: list[str] | tuple[str, ...] = (),
    brand_colour: str = "#1d70b8",
    logo_svg: str = "",
    enabled_modules: list[str] | None = None,
    nation: str = Tenant.Nation.ENGLAND_AND_WALES,
    reference_prefix: str | None = None,
    admin_username: str | None = None,
    admin_email: str = "",
    admin_password: str | None = None,
) -> tuple[Tenant, object, str | None]:
    """Create a tenant and its administrator. Returns (tenant, admin user, generated password or None)."""
    from borough.identity.services import membership_grant

    modules = list(enabled_modules) if enabled_modules is not None else default_modules(kind)
    if logo_svg:
        try:  # the logo is inlined into every page of the tenant's sites, so it is cleaned whoever calls this
            logo_svg = sanitise_svg(logo_svg.encode())
        except SvgError as error:
            raise ValidationError({"logo_svg": str(error)}) from error
    tenant = Tenant(
        slug=slug,
        name=name,
        kind=kind,
        nation=nation,
        brand_colour=brand_colour,
        logo_svg=logo_svg,
        enabled_modules=modules,
        reference_prefix=reference_prefix or _unique_reference_prefix(slug),
    )
    tenant.full_clean()
    tenant.save()
    for position, domain in enumerate(domains):
        domain = domain.strip().lower()
        if TenantDomain.objects.filter(domain=domain).exists():
            raise ValidationError({"domain": f"{domain} already belongs to a tenant."})
        TenantDomain.objects.create(tenant=tenant, domain=domain, is_primary=position == 0)

    user_model = get_user_model()
    username = admin_username or f"{slug}-admin"
    generated_password = None
    admin = user_model.objects.filter(username=username).first()
    if admin is None:
        generated_password = None if admin_password else secrets.token_urlsafe(12)
        admin = user_model.objects.create_user(
            username=username,
            email=admin_email,
            password=admin_password or generated_password,
            must_change_password=generated_password is not None,
        )
    with tenant_scope(tenant):
        audit_record(
            tenant=tenant,
            action="tenant.create",
            obj=tenant,
            after=snapshot(tenant, TENANT_AUDIT_FIELDS),
            detail={"domains": list(domains), "admin": username},
        )
        membership_grant(tenant=tenant, user=admin, roles=[TENANT_ADMIN])
    return tenant, admin, generated_password


def _tenant_update(tenant: Tenant, action: str, **changes) -> Tenant:
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = snapshot(tenant, TENANT_AUDIT_FIELDS)
        for field, value in changes.items():
            setattr(tenant, field, value)
        tenant.full_clean()
        tenant.save()
        with tenant_scope(tenant):
            audit_record(
                tenant=tenant,
                action=action,
                obj=tenant,
                before=before,
                after=snapshot(tenant, TENANT_AUDIT_FIELDS),
            )
    return tenant


def tenant_suspend(*, tenant: Tenant, reason: str) -> Tenant:
    """Stop the tenant's users and API keys at once (the middleware refuses every request to a suspended tenant)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the tenant is suspended."})
    return _tenant_update(tenant, "tenant.suspend", status=Tenant.Status.SUSPENDED, suspended_reason=reason.strip())


def tenant_reactivate(*, tenant: Tenant) -> Tenant:
    return _tenant_update(tenant, "tenant.reactivate", status=Tenant.Status.ACTIVE, suspended_reason="")


def tenant_update_modules(*, tenant: Tenant, enabled_modules: list[str]) -> Tenant:
    unknown = set(enabled_modules) - set(MODULES_BY_CODE)
    if unknown:
        raise ValidationError({"enabled_modules": f"Unknown modules: {', '.join(sorted(unknown))}"})
    return _tenant_update(tenant, "tenant.modules", enabled_modules=sorted(enabled_modules))
