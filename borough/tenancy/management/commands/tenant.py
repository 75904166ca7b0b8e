"""`borough tenant create|suspend|reactivate|list`: the tenant lifecycle from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from borough.core.audit import Actor, acting_as
from borough.core.svg import SvgError, sanitise_svg
from borough.tenancy.models import Tenant
from borough.tenancy.modules import MODULES_BY_CODE
from borough.tenancy.services import tenant_create, tenant_reactivate, tenant_suspend


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create, suspend, reactivate or list tenants."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a tenant with its domains, branding, modules and administrator")
        create.add_argument("--slug", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=[k.value for k in Tenant.Kind])
        create.add_argument("--domain", action="append", default=[], help="A custom domain (repeat for more)")
        create.add_argument("--colour", default="#1d70b8", help="Brand colour, e.g. #1d70b8")
        create.add_argument("--logo", help="Path to an SVG logo")
        create.add_argument("--module", action="append", help=f"Enable a module: {', '.join(MODULES_BY_CODE)}")
        create.add_argument(
            "--nation", default=Tenant.Nation.ENGLAND_AND_WALES, choices=[n.value for n in Tenant.Nation]
        )
        create.add_argument("--reference-prefix")
        create.add_argument("--admin-username")
        create.add_argument("--admin-email", default="")
        suspend = sub.add_parser("suspend", help="Stop a tenant's users and API keys at once")
        suspend.add_argument("slug")
        suspend.add_argument("--reason", required=True)
        reactivate = sub.add_parser("reactivate")
        reactivate.add_argument("slug")
        sub.add_parser("list")

    def handle(self, *args, **options):
        with acting_as(Actor.system("command tenant")):
            try:
                getattr(self, f"handle_{options['action']}")(options)
            except ValidationError as error:
                raise CommandError(_validation_message(error)) from error

    def _tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        return tenant

    def handle_create(self, options):
        logo = ""
        if options["logo"]:
            try:
                with open(options["logo"], "rb") as logo_file:
                    logo = sanitise_svg(logo_file.read())
            except (OSError, SvgError) as error:
                raise CommandError(f"--logo: {error}") from error
        if Tenant.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"A tenant with slug {options['slug']!r} already exists.")
        tenant, admin, password = tenant_create(
            slug=options["slug"],
            name=options["name"],
            kind=options["kind"],
            domains=options["domain"],
            brand_colour=options["colour"],
            logo_svg=logo,
            enabled_modules=options["module"],
            nation=options["nation"],
            reference_prefix=options["reference_prefix"],
            admin_username=options["admin_username"],
            admin_email=options["admin_email"],
        )
        self.stdout.write(f"Created tenant {tenant.slug} ({tenant.name}), modules: {', '.join(tenant.enabled_modules)}")
        self.stdout.write(f"Administrator: {admin.get_username()}")
        if password:
            self.stdout.write(f"Administrator password (shown once): {password}")

    def handle_suspend(self, options):
        tenant = tenant_suspend(tenant=self._tenant(options["slug"]), reason=options["reason"])
        self.stdout.write(f"Suspended {tenant.slug}: its users and API keys are refused from now on.")

    def handle_reactivate(self, options):
        tenant = tenant_reactivate(tenant=self._tenant(options["slug"]))
        self.stdout.write(f"Reactivated {tenant.slug}.")

    def handle_list(self, options):
        for tenant in Tenant.objects.prefetch_related("domains"):
            domains = ", ".join(d.domain for d in tenant.domains.all()) or "-"
            self.stdout.write(f"{tenant.slug}\t{tenant.kind}\t{tenant.status}\t{tenant.name}\t{domains}")
