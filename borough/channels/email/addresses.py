"""Which tenant and mailbox a recipient address belongs to: the domain is one of the tenant's (a custom domain or
<slug>.<base domain>), the local part one of its active mailboxes."""

from dataclasses import dataclass

from django.conf import settings

from borough.channels.models import Mailbox
from borough.tenancy.models import Tenant, TenantDomain
from borough.tenancy.resolve import tenant_for_host
from borough.tenancy.scope import scope_memo, tenant_scope


@dataclass(frozen=True)
class Recipient:
    tenant: Tenant
    mailbox: Mailbox | None


def _split(address: str) -> tuple[str, str]:
    local, _at, domain = address.strip().strip("<>").lower().rpartition("@")
    return local, domain.rstrip(".")


def recipient_for(address: str) -> Recipient | None:
    """The tenant (and its mailbox, if the local part is one) an address reaches, or None: not ours, or the tenant
    is not taking contact (suspended, or without the CRM)."""
    local, domain = _split(address)
    if not local or not domain:
        return None
    tenant = tenant_for_host(domain)
    if tenant is None or not tenant.is_active or not tenant.has_module("crm"):
        return None
    with tenant_scope(tenant):
        mailbox = scope_memo(
            ("mailbox", tenant.pk, local),
            lambda: (
                Mailbox.objects.filter(tenant=tenant, local_part=local, is_active=True)
                .select_related("service__team")
                .first()
            ),
        )
    return Recipient(tenant, mailbox)


def is_own_address(tenant: Tenant, address: str) -> bool:
    """Whether mail from `address` comes from the tenant itself (one of its domains, or the platform's sender)."""
    address = address.strip().lower()
    if address == settings.DEFAULT_FROM_EMAIL.lower():
        return True
    _local, domain = _split(address)
    if domain == f"{tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}":
        return True
    own = scope_memo(
        ("tenant_domains", tenant.pk),
        lambda: frozenset(TenantDomain.objects.filter(tenant=tenant).values_list("domain", flat=True)),
    )
    return bool(domain) and domain in own
