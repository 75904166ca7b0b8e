"""Celery tasks of the channels: ingest a spooled email now, sweep the spool for any left behind (the database
was down, a worker died), and poll the tenants' IMAP accounts."""

import logging

from celery import shared_task
from django.db import DatabaseError

from borough.channels.email.imap import imap_poll, imap_poll_is_due
from borough.channels.email.ingest import ingest_spooled
from borough.channels.email.spool import spool_waiting
from borough.channels.models import ImapAccount
from borough.core.tasks_base import TenantTask
from borough.tenancy.models import Tenant

logger = logging.getLogger(__name__)
SWEEP_AFTER_SECONDS = 60  # younger files are still in their first ingestion's hands


@shared_task(name="borough.channels.tasks.mail_ingest", acks_late=True)
def mail_ingest(name: str) -> None:
    ingest_spooled(name)


@shared_task(name="borough.channels.tasks.mail_spool_sweep")
def mail_spool_sweep(older_than_seconds: float = SWEEP_AFTER_SECONDS) -> int:
    """Ingest every message still in the spool; returns how many were ingested. One failure does not stop the rest."""
    done = 0
    for name in spool_waiting(older_than_seconds):
        try:
            if ingest_spooled(name) is not None:
                done += 1
        except DatabaseError:
            logger.exception("Spooled mail %s not ingested yet; the next sweep retries it", name)
    return done


@shared_task(name="borough.channels.tasks.imap_poll_tenant", base=TenantTask)
def imap_poll_tenant(tenant_id: int) -> int:
    """Poll each of the tenant's active IMAP accounts whose poll interval has passed; returns how many messages were
    taken. Whatever goes wrong with one account is recorded on it (and logged) and does not stop the others."""
    taken = 0
    for account in ImapAccount.objects.filter(is_active=True).select_related("tenant", "mailbox").order_by("pk"):
        if not imap_poll_is_due(account):
            continue
        try:
            taken += len(imap_poll(account, dispatch=mail_ingest.delay).spooled)
        except Exception:  # noqa: BLE001 - a fault here must not stop the other accounts; recorded on the account
            logger.exception("IMAP account %s of %s could not be polled", account.pk, account.tenant.slug)
    return taken


@shared_task(name="borough.channels.tasks.imap_poll_due")
def imap_poll_due() -> int:
    """Periodic (celery beat): poll the IMAP accounts of every active tenant with the CRM, each in its own task
    (and tenant scope). A platform task: it reads only the tenant list."""
    tenant_ids = [t.pk for t in Tenant.objects.filter(status=Tenant.Status.ACTIVE) if t.has_module("crm")]
    for tenant_id in tenant_ids:
        try:
            imap_poll_tenant.delay(tenant_id=tenant_id)
        except Exception:  # noqa: BLE001 - the next beat tries again
            logger.exception("IMAP poll of tenant %s not queued", tenant_id)
    return len(tenant_ids)


@shared_task(name="borough.channels.tasks.imap_poll_account", base=TenantTask)
def imap_poll_account(tenant_id: int, account_id: int) -> int:
    """Poll one account now ("poll now" on its staff page), whatever its interval; returns how many messages were
    taken. Problems are recorded on the account, as for the periodic poll."""
    accounts = ImapAccount.objects.filter(pk=account_id, is_active=True).select_related("tenant", "mailbox")
    account = accounts.first()
    if account is None:  # switched off since, or another tenant's id: nothing to do
        return 0
    return len(imap_poll(account, dispatch=mail_ingest.delay).spooled)
