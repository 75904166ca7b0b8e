"""`borough portal_purge`: remove photos of report journeys never finished and security codes past any use."""

from django.core.management.base import BaseCommand

from borough.portal.purge import portal_purge


class Command(BaseCommand):
    help = "Remove portal uploads left behind by unfinished reports, and old security codes (run daily)."

    def handle(self, *args, **options):
        purged = portal_purge()
        self.stdout.write(f"Removed {purged.upload_folders} upload folders and {purged.codes} security codes.")
