"""`borough apikey create|list|revoke --tenant S`: a tenant's integration API keys.

`create` prints the key alone on its last line, so a script can take it with `tail -n 1`; it is stored only
hashed and cannot be shown again.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from borough.identity.models import ApiKey
from borough.identity.services import API_KEY_PREFIX_LENGTH, API_KEY_SCOPES, apikey_create, apikey_revoke
from borough.tenancy.commands import TenantCommand


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(TenantCommand):
    help = "Create, list or revoke a tenant's integration API keys."

    def add_arguments(self, parser):
        # --tenant goes on each action, so it can follow the action's name: `apikey create --tenant S`.
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a key; it is printed once, alone on the last line")
        create.add_argument("--name", required=True, help="What uses the key, e.g. 'Website forms'")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            metavar="SCOPE",
            help=f"A scope the key has (repeat for more): {', '.join(sorted(API_KEY_SCOPES))}",
        )
        listing = actions.add_parser("list", help="The tenant's keys: prefix, name, scopes, last used, revoked")
        revoke = actions.add_parser("revoke", help="Revoke a key from now on")
        revoke.add_argument(
            "prefix", help=f"The key's prefix (its first {API_KEY_PREFIX_LENGTH} characters after brk_)"
        )
        for action in (create, listing, revoke):
            action.add_argument("--tenant", required=True, help="The tenant's slug")

    def handle_tenant(self, tenant, /, *args, **options):
        # Positional-only: `options` carries the slug under the same name ("tenant").
        try:
            getattr(self, f"handle_{options['action']}")(tenant, options)
        except ValidationError as error:
            raise CommandError(_validation_message(error)) from error

    def handle_create(self, tenant, options):
        api_key, key = apikey_create(tenant=tenant, name=options["name"], scopes=options["scopes"])
        self.stdout.write(
            f"Created API key {api_key.name!r} for {tenant.slug} (prefix {api_key.prefix}, "
            f"scopes: {', '.join(api_key.scopes)}). Store the key now: it is not shown again."
        )
        self.stdout.write(key)

    def handle_list(self, tenant, options):
        self.stdout.write("prefix\tname\tscopes\tlast used\trevoked")
        for api_key in ApiKey.objects.order_by("name", "prefix"):
            columns = [api_key.prefix, api_key.name, ",".join(api_key.scopes)]
            columns += [_when(api_key.last_used_at), _when(api_key.revoked_at)]
            self.stdout.write("\t".join(columns))

    def handle_revoke(self, tenant, options):
        prefix = options["prefix"].strip().removeprefix("brk_")[:API_KEY_PREFIX_LENGTH]
        api_key = ApiKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"{tenant.slug} has no API key with prefix {prefix!r} (see `apikey list`).")
        if api_key.revoked_at is not None:
            revoked = _when(api_key.revoked_at)
            self.stdout.write(f"API key {api_key.prefix} ({api_key.name}) was already revoked ({revoked}).")
            return
        apikey_revoke(api_key=api_key)
        self.stdout.write(f"Revoked API key {api_key.prefix} ({api_key.name}): it is refused from now on.")
