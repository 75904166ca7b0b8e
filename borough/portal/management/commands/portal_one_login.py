"""Set a tenant's GOV.UK One Login client: `borough portal_one_login --tenant S --issuer URL --client-id ID
--private-key-file PATH [--key-id KID]`, or `--disable`.

The private key file is read to check it and to keep its public half; the key itself is not stored: set the
environment variable the command names to the file's contents, and register the public key it prints with One Login.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from borough.portal.one_login import provider, services
from borough.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = "Set (or disable) the tenant's GOV.UK One Login client for resident sign-in."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--issuer", help="e.g. https://oidc.integration.account.gov.uk/")
        parser.add_argument("--client-id")
        parser.add_argument("--private-key-file", help="PEM private key (RSA 2048+ or EC P-256), unencrypted")
        parser.add_argument("--key-id", default="", help="kid to put in the client assertion's header")
        parser.add_argument("--disable", action="store_true", help="Turn One Login sign-in off for the tenant")

    def handle_tenant(self, tenant, *args, **options):
        try:
            if options["disable"]:
                services.one_login_client_disable(tenant=tenant)
                self.stdout.write(f"One Login sign-in is off for {tenant.slug}.")
                return
            missing = [f"--{name.replace('_', '-')}" for name in ("issuer", "client_id", "private_key_file")]
            missing = [flag for flag in missing if not options[flag[2:].replace("-", "_")]]
            if missing:
                raise CommandError(f"Give {', '.join(missing)} (or --disable).")
            try:
                pem = Path(options["private_key_file"]).read_text()
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read the private key file: {error}") from None
            client = services.one_login_client_set(
                tenant=tenant,
                issuer=options["issuer"],
                client_id=options["client_id"],
                private_key_pem=pem,
                key_id=options["key_id"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"One Login sign-in is on for {tenant.slug} (client {client.client_id}).")
        self.stdout.write(f"Set {provider.key_env_name(tenant)} to the private key file's contents (PEM).")
        self.stdout.write(
            "Register this public key with One Login, and the redirect URI https://<host>/sign-in/callback/:"
        )
        self.stdout.write(client.public_key_pem)
