"""`borough channels_mailgateway`: the SMTP gateway that turns residents' emails into cases."""

import signal
import threading

from django.core.management.base import BaseCommand

from borough.channels.email.gateway import gateway_controller
from borough.channels.tasks import mail_ingest


class Command(BaseCommand):
    help = "Receive email for the tenants' mailboxes over SMTP (stored first, then ingested by the workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")

    def handle(self, *args, host: str, port: int, **options):
        controller = gateway_controller(mail_ingest.delay, host=host, port=port)
        stopping = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stopping.set())
        controller.start()
        self.stdout.write(f"Mail gateway listening on {host}:{port}; Ctrl+C to stop.")
        stopping.wait()
        controller.stop()
        self.stdout.write("Mail gateway stopped.")
