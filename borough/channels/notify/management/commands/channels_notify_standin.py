"""`borough channels_notify_standin`: a local stand-in for GOV.UK Notify's API, for the demo and for trying
things out (never for production). It accepts the keys in the BOROUGH_NOTIFY_KEY_* variables and, with --demo,
the demo councils' published keys."""

import os
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from borough.channels.notify.demo import DEMO_SLUGS, demo_api_key
from borough.channels.notify.standin import NotifyStandIn


class Command(BaseCommand):
    help = "Run a local stand-in for GOV.UK Notify (v2 API) that records what it is sent."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8026, help="Port to listen on (default 8026).")
        parser.add_argument("--demo", action="store_true", help="Also accept the demo councils' published keys.")

    def handle(self, *args, host: str, port: int, demo: bool, **options):
        keys = {name: value for name, value in os.environ.items() if name.startswith("BOROUGH_NOTIFY_KEY_") and value}
        if demo:
            for slug in DEMO_SLUGS:
                keys.setdefault(f"BOROUGH_NOTIFY_KEY_{slug.upper()}", demo_api_key(slug))
        if not keys:
            raise CommandError("No keys to accept: set BOROUGH_NOTIFY_KEY_<TENANT> variables, or use --demo")
        try:
            standin = NotifyStandIn(api_keys=list(keys.values()), host=host, port=port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from error
        stopping = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stopping.set())
        standin.start()
        self.stdout.write(f"Notify stand-in listening on {standin.url}; Ctrl+C to stop. The workers need:")
        for name, value in sorted(keys.items()):
            self.stdout.write(f"  export {name}={value}")
        stopping.wait()
        standin.stop()
        self.stdout.write(f"Notify stand-in stopped after {len(standin.sent())} notifications.")
