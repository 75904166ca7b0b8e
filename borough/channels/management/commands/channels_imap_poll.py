"""`borough channels_imap_poll [--tenant SLUG]`: poll the IMAP accounts now, once (the beat does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from borough.channels.email.imap import imap_poll
from borough.channels.models import ImapAccount
from borough.channels.tasks import mail_ingest
from borough.core.audit import Actor, acting_as
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


class Command(BaseCommand):
    help = "Take new mail from the IMAP accounts of one tenant (--tenant) or of every active tenant, once."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="The tenant's slug (default: every active tenant with the CRM)")

    def handle(self, *args, tenant: str | None, **options):
        if tenant:
            tenants = list(Tenant.objects.filter(slug=tenant))
            if not tenants:
                raise CommandError(f"No tenant with slug {tenant!r}.")
        else:
            tenants = [t for t in Tenant.objects.filter(status=Tenant.Status.ACTIVE) if t.has_module("crm")]
        failed = 0
        for each in tenants:
            with tenant_scope(each), acting_as(Actor.system("command channels_imap_poll")):
                failed += self._poll_accounts(each)
        if failed:
            raise CommandError(f"{failed} IMAP account(s) could not be polled: see above.")

    def _poll_accounts(self, tenant: Tenant) -> int:
        failed = 0
        accounts = ImapAccount.objects.filter(tenant=tenant, is_active=True).select_related("tenant", "mailbox")
        for account in accounts.order_by("pk"):
            result = imap_poll(account, dispatch=mail_ingest.delay)
            where = f"{tenant.slug}: {account}"
            if result.busy:
                self.stdout.write(f"{where}: another poll is running; skipped")
            elif result.error:
                failed += 1
                self.stderr.write(f"{where}: {result.error}")
            else:
                notes = f" ({'; '.join(result.notes)})" if result.notes else ""
                self.stdout.write(f"{where}: took {len(result.spooled)} message(s){notes}")
        return failed
