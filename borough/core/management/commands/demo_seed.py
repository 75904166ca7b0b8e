"""`borough demo_seed`: create the demo tenants and users (idempotent), then print how to sign in."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borough.core.demo import DemoNotAllowed, demo_logins, demo_seed, login_table
from borough.core.management.commands.serve import port_number


class Command(BaseCommand):
    help = "Create the demo provider user, two councils and a small business, skipping those that exist."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=port_number,
            default=os.environ.get("PORT", "8000"),
            help="The port shown in the sign-in URLs",
        )

    def handle(self, *args, **options):
        try:
            created = demo_seed()
        except DemoNotAllowed as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(f"Created demo tenants: {', '.join(t.slug for t in created)}")
        else:
            self.stdout.write("The demo tenants exist already; nothing created.")
        self.stdout.write(login_table(demo_logins(port=options["port"], base_domain=settings.BOROUGH_BASE_DOMAIN)))
