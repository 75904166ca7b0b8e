"""The management-command entry point: a base class that enters the scope of the tenant named by --tenant."""

from django.core.management.base import BaseCommand, CommandError

from borough.core.audit import Actor, acting_as
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope


class TenantCommand(BaseCommand):
    """Subclasses implement `handle_tenant(tenant, **options)`; it runs inside that tenant's scope."""

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The tenant's slug")

    def handle(self, *args, **options):
        slug = options.pop("tenant")
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        with tenant_scope(tenant), acting_as(Actor.system(f"command {self.command_name()}")):
            return self.handle_tenant(tenant, *args, **options)

    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def handle_tenant(self, tenant: Tenant, *args, **options):
        raise NotImplementedError
