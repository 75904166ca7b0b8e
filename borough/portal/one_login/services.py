"""Writes of One Login sign-in: a tenant's client settings, a resident's sign-in, an account link. Each audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core.audit import audit_record
from borough.portal.models import OneLoginClient, ResidentAccountLink, ResidentSignIn
from borough.portal.one_login import provider

SIGNED_IN = "portal.one_login_sign_in"
FAILED = "portal.one_login_failed"
LINKED = "portal.account_link"
SIGNED_OUT = "portal.one_login_sign_out"


def one_login_client(tenant) -> OneLoginClient | None:
    """The tenant's client when it is enabled, else None."""
    return OneLoginClient.objects.filter(tenant=tenant, enabled=True).first()


@transaction.atomic
def one_login_client_set(
    *,
    tenant,
    issuer: str,
    client_id: str,
    private_key_pem: str = "",
    public_key_pem: str = "",
    key_id: str = "",
    enabled: bool = True,
) -> OneLoginClient:
    """Create or change the tenant's client, from the key pair's private half (the command reads a file) or its
    public half (the admin page). Only the public half is kept: the private half goes in the environment variable
    `provider.key_env_name(tenant)`."""
    errors = {}
    try:
        provider.check_url(issuer)
    except ValueError as error:
        errors["issuer"] = str(error)
    if not client_id.strip():
        errors["client_id"] = "Enter the client ID One Login gave you"
    public = ""
    try:
        if private_key_pem:
            public = provider.public_pem(provider.load_private_key(private_key_pem))
        else:
            public = provider.check_public_key(public_key_pem)
    except ValueError as error:
        half = "private" if private_key_pem else "public"
        errors["private_key" if private_key_pem else "public_key_pem"] = (
            f"The {half} key is {error}" if str(error).startswith("not") else f"The {half} key: {error}"
        )
    if errors:
        raise ValidationError(errors)
    if not issuer.endswith("/"):
        issuer += "/"
    client = OneLoginClient.objects.filter(tenant=tenant).first()
    before = _shown(client) if client else None
    client = client or OneLoginClient(tenant=tenant)
    client.issuer, client.client_id, client.public_key_pem = issuer, client_id.strip(), public
    client.key_id, client.enabled, client.updated_at = key_id.strip(), enabled, timezone.now()
    client.save()
    audit_record(tenant=tenant, action="portal.one_login_client_set", obj=client, before=before, after=_shown(client))
    return client


@transaction.atomic
def one_login_client_disable(*, tenant) -> OneLoginClient:
    client = OneLoginClient.objects.filter(tenant=tenant).first()
    if client is None:
        raise ValidationError("This tenant has no One Login client to disable")
    before = _shown(client)
    client.enabled, client.updated_at = False, timezone.now()
    client.save(update_fields=["enabled", "updated_at"])
    audit_record(tenant=tenant, action="portal.one_login_client_set", obj=client, before=before, after=_shown(client))
    return client


def _shown(client: OneLoginClient) -> dict:
    return {
        "enabled": client.enabled,
        "issuer": client.issuer,
        "client_id": client.client_id,
        "key_id": client.key_id,
        "public_key_pem": client.public_key_pem,
    }


@transaction.atomic
def resident_sign_in(*, tenant, info: provider.UserInfo) -> ResidentSignIn:
    """Record a completed sign-in: the resident by One Login's `sub`, with the contact details userinfo gave."""
    now = timezone.now()
    details = {"email": info.email, "email_verified": info.email_verified, "phone": info.phone_number}
    # get_or_create: two first sign-ins of one resident at once make one row (it retries on the unique constraint).
    resident, created = ResidentSignIn.objects.get_or_create(
        tenant=tenant, subject=info.sub, defaults={**details, "created_at": now, "last_signed_in_at": now}
    )
    if not created:
        for name, value in details.items():
            setattr(resident, name, value)
        resident.last_signed_in_at = now
        resident.save(update_fields=[*details, "last_signed_in_at"])
    audit_record(tenant=tenant, action=SIGNED_IN, obj=resident, detail={"first": created})
    return resident


def sign_in_failed(*, tenant, client: OneLoginClient, reason: str) -> None:
    audit_record(tenant=tenant, action=FAILED, obj=client, detail={"reason": reason})


@transaction.atomic
def resident_account_link(*, tenant, resident: ResidentSignIn, account) -> ResidentAccountLink:
    """Link a council tax account the resident has just proved, so it opens at their next sign-in (once)."""
    if resident.tenant_id != tenant.pk or account.tenant_id != tenant.pk:
        raise ValidationError("The resident and the account must be this tenant's")
    link, created = ResidentAccountLink.objects.get_or_create(tenant=tenant, resident=resident, account=account)
    if created:
        audit_record(tenant=tenant, action=LINKED, obj=link, detail={"resident": resident.pk, "account": account.pk})
    return link


def linked_accounts(*, resident: ResidentSignIn) -> list:
    links = ResidentAccountLink.objects.filter(tenant_id=resident.tenant_id, resident=resident)
    return [
        link.account
        for link in links.select_related("account__dwelling", "account__hereditament").order_by("linked_at", "pk")
    ]


def resident_sign_out(*, tenant, resident: ResidentSignIn) -> None:
    audit_record(tenant=tenant, action=SIGNED_OUT, obj=resident)
