"""Who a tenant's emails come from: the tenant's name at its contact mailbox (contact@ if it has one, else its first
active mailbox), on its primary domain, also as Reply-To, so that replies come back to the gateway. A tenant with no
mailbox sends from the platform's address (DEFAULT_FROM_EMAIL) and replies cannot reach it."""

from email.utils import formataddr

from django.conf import settings

from borough.channels.models import Mailbox
from borough.tenancy.models import TenantDomain
from borough.tenancy.scope import scope_memo


def tenant_email_identity(tenant) -> dict[str, str]:
    return scope_memo(("email_identity", tenant.pk), lambda: _identity(tenant))


def _identity(tenant) -> dict[str, str]:
    mailboxes = Mailbox.objects.filter(tenant=tenant, is_active=True).order_by("local_part")
    mailbox = mailboxes.filter(local_part="contact").first() or mailboxes.first()
    if mailbox is None:
        return {}
    primary = TenantDomain.objects.filter(tenant=tenant, is_primary=True).values_list("domain", flat=True).first()
    address = f"{mailbox.local_part}@{primary or f'{tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}'}"
    return {"from": formataddr((tenant.name, address)), "reply_to": address}
