"""`borough serve`: the embedded default of `make run`, and the web process of a production set-up.

It binds the port (so a busy port fails before anything else), migrates, seeds the demo into a new
SQLite database, prints where to sign in, then serves the web with waitress. Without BROKER_URL, tasks go
to Celery's in-memory broker, which only threads of this process can reach, so the worker runs here too: in
the main thread, as it installs the signal handlers that let Ctrl-C stop it cleanly, beside the web server
in a daemon thread.
"""

import argparse
import errno
import logging
import os
import signal
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

from celery import shared_task
from celery.beat import EmbeddedService
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from waitress import create_server

from borough.channels.email.gateway import gateway_controller
from borough.channels.notify.demo import DEMO_SLUGS as DEMO_NOTIFY_SLUGS
from borough.channels.notify.demo import DEMO_STANDIN_URL, demo_api_key
from borough.channels.notify.services import api_key_env_name
from borough.channels.notify.standin import NotifyStandIn
from borough.channels.tasks import mail_ingest
from borough.core.demo import DEMO_TENANTS, demo_allowed, demo_logins, demo_seed, login_table
from borough.tenancy.models import Tenant
from borough.tenancy.resolve import tenant_base_url
from config.celery import app as celery_app

logger = logging.getLogger(__name__)
WEB_THREADS = 8
WELCOME_TENANTS = 20  # the start-up message lists at most this many tenants
LOOPBACK_HOSTS = ("127.0.0.1", "::1")  # browsers may try either for localhost and *.localhost


def port_number(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1 to 65535)")
    return int(value)


@shared_task(name="borough.serve.worker_check")
def worker_check() -> None:
    logger.info("The in-process worker is running tasks.")


def _listen_hosts() -> tuple[list[str], bool]:
    """The hosts to bind, and whether they are the default (loopback, where a missing IPv6 is no error)."""
    bind = os.environ.get("BOROUGH_BIND", "").replace(",", " ").split()
    return (bind, False) if bind else (list(LOOPBACK_HOSTS), True)


def _bind(hosts: list[str], port: int, *, optional_ipv6: bool) -> list[socket.socket]:
    sockets = []
    for host in hosts:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sockets.append(socket.create_server((host, port), family=family, backlog=1024))
        except OSError as error:
            if optional_ipv6 and family == socket.AF_INET6 and error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                continue  # no IPv6 loopback on this machine: 127.0.0.1 is enough
            for sock in sockets:
                sock.close()
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} is already in use on {host}. Stop the other server, or choose another "
                    f"port: PORT={port + 1} make run"
                ) from error
            raise CommandError(f"Cannot listen on {host} port {port}: {error.strerror}") from error
    return sockets


def _uses_memory_broker() -> bool:
    return str(celery_app.conf.broker_url).startswith("memory://")


def _registered_beat_schedule() -> dict:
    """The periodic tasks whose task exists (a schedule entry may name a module not written yet)."""
    celery_app.loader.import_default_modules()
    schedule = {}
    for name, entry in celery_app.conf.beat_schedule.items():
        if entry["task"] in celery_app.tasks:
            schedule[name] = entry
        else:
            logger.warning("Periodic task %s skipped: no task named %s", name, entry["task"])
    return schedule


class Command(BaseCommand):
    help = (
        "Run Borough: migrate, seed demo data into a new SQLite database, serve the web on PORT (default "
        "8000), with an in-process task worker unless BROKER_URL is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=port_number,
            default=os.environ.get("PORT", "8000"),
            help="The port to serve on (default: $PORT, or 8000)",
        )
        parser.add_argument(
            "--mail-port",
            type=int,
            default=int(os.environ.get("MAIL_PORT", "2525")),
            help="With the in-process worker, also receive email over SMTP on this port (default: $MAIL_PORT, or "
            "2525; 0 for none). In production run `borough channels_mailgateway` instead.",
        )

    def handle(self, *args, **options):
        port, verbosity = options["port"], options["verbosity"]
        hosts, default_hosts = _listen_hosts()
        sockets = _bind(hosts, port, optional_ipv6=default_hosts)
        if settings.BOROUGH_SITE_SCHEME == "http" and not settings.BOROUGH_SITE_PORT:
            settings.BOROUGH_SITE_PORT = str(port)  # no proxy in front: links in messages to residents point here
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        self._seed_new_database()
        if settings.DEBUG:
            if settings.STATIC_ROOT:  # WhiteNoise serves from the finders, and warns if this is missing
                Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        else:
            call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))
        # Built after collectstatic: WhiteNoise lists the collected files when the application is created.
        server = create_server(get_wsgi_application(), sockets=sockets, threads=WEB_THREADS, ident="Borough")
        self._print_welcome(port)
        if _uses_memory_broker():
            gateway, notify = self._start_mail_gateway(options["mail_port"]), self._start_notify_standin()
            self._serve_with_worker(server, gateway, notify)
        else:
            self._serve_web_only(server)

    def _seed_new_database(self) -> None:
        if Tenant.objects.exists():
            return
        if not demo_allowed():
            self.stdout.write(
                "There are no tenants yet. Create one with `borough tenant create` "
                "(or set BOROUGH_DEMO=1 for demo data with published passwords)."
            )
            return
        created = demo_seed()
        self.stdout.write(f"Created demo data: the provider user and {', '.join(t.name for t in created)}.")

    def _print_welcome(self, port: int) -> None:
        base_domain = settings.BOROUGH_BASE_DOMAIN
        lines = ["", "Borough is running.", "", f"  Provider console: http://{base_domain}:{port}/"]
        tenants = list(Tenant.objects.order_by("name")[: WELCOME_TENANTS + 1])
        for tenant in tenants[:WELCOME_TENANTS]:
            site = f"{tenant_base_url(tenant)}:{port}"
            lines.append(f"  {tenant.name}: {site}/ (staff: {site}/staff/)")
        if len(tenants) > WELCOME_TENANTS:
            lines.append("  … and more: see the provider console.")
        demo_slugs = set(Tenant.objects.filter(slug__in=[t.slug for t in DEMO_TENANTS]).values_list("slug", flat=True))
        if demo_slugs and demo_allowed():
            logins = demo_logins(port=port, base_domain=base_domain, only_slugs=demo_slugs)
            lines += ["", "Demo sign-in (demo data only: these passwords are published):", "", login_table(logins)]
        lines.append("")
        if _uses_memory_broker():
            lines.append("Background tasks run in this process (in-memory broker). Press Ctrl-C to stop.")
        else:
            settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")
            lines += [
                "Background tasks go to BROKER_URL: run a worker (and one beat) separately, in the same environment:",
                f"  DJANGO_SETTINGS_MODULE={settings_module} celery -A config worker --loglevel INFO",
                f"  DJANGO_SETTINGS_MODULE={settings_module} celery -A config beat --loglevel INFO",
                "Press Ctrl-C to stop.",
            ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _serve_web_only(self, server) -> None:
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        server.run()  # returns on Ctrl-C or SIGTERM, after the requests in progress finish

    def _start_mail_gateway(self, mail_port: int):
        """The SMTP gateway beside the embedded worker, so the demo councils take email too; None if it cannot."""
        if not mail_port:
            return None
        gateway = gateway_controller(mail_ingest.delay, host="127.0.0.1", port=mail_port)
        try:
            gateway.start()
        except (OSError, RuntimeError) as error:
            self.stdout.write(f"Email is not received: port {mail_port} is not free ({error}). Set MAIL_PORT.")
            return None
        self.stdout.write(
            f"Email: send to contact@<council>.{settings.BOROUGH_BASE_DOMAIN} through SMTP on 127.0.0.1:{mail_port} "
            f"(e.g. contact@northfield.{settings.BOROUGH_BASE_DOMAIN}); each new email opens a case.\n"
        )
        self.stdout.flush()
        return gateway

    def _start_notify_standin(self):
        """For the demo councils, a local stand-in for GOV.UK Notify (never the real service) where their text
        messages go, with their published keys in this process's environment; None when not the demo."""
        if not demo_allowed() or not Tenant.objects.filter(slug__in=DEMO_NOTIFY_SLUGS).exists():
            return None
        address = urlsplit(DEMO_STANDIN_URL)
        keys = [demo_api_key(slug) for slug in DEMO_NOTIFY_SLUGS]
        try:
            standin = NotifyStandIn(api_keys=keys, host=address.hostname or "127.0.0.1", port=address.port or 80)
        except OSError as error:
            self.stdout.write(f"Text messages are not sent: {DEMO_STANDIN_URL} is not free ({error}).")
            return None
        for slug, key in zip(DEMO_NOTIFY_SLUGS, keys, strict=True):
            os.environ.setdefault(api_key_env_name(Tenant(slug=slug)), key)
        standin.start()
        self.stdout.write(
            f"Text messages: the demo councils send them to a local GOV.UK Notify stand-in at {DEMO_STANDIN_URL} "
            "(nothing leaves this machine).\n"
        )
        self.stdout.flush()
        return standin

    def _serve_with_worker(self, server, gateway=None, notify=None) -> None:
        celery_app.conf.worker_hijack_root_logger = False  # keep Django's logging configuration
        schedule = _registered_beat_schedule()

        def run_web() -> None:
            # Sent from this thread: the start-up log proves a task crosses from a web thread to the worker.
            worker_check.delay()
            server.run()

        threading.Thread(target=run_web, name="borough-web", daemon=True).start()
        beat = None
        if schedule:
            celery_app.conf.beat_schedule = schedule
            beat = EmbeddedService(
                celery_app, thread=True, schedule_filename=str(Path(settings.VAR_DIR) / "celerybeat-schedule")
            )
            beat.start()
        worker = celery_app.Worker(
            pool="solo",
            concurrency=1,
            loglevel="INFO",
            hostname=f"borough-embedded@{socket.gethostname()}",
            without_mingle=True,
            without_gossip=True,
            without_heartbeat=True,
            redirect_stdouts=False,
            quiet=True,
        )
        try:
            worker.start()  # until Ctrl-C or SIGTERM: Celery's handlers shut it down warmly
        finally:
            if beat is not None:
                beat.stop()
            if gateway is not None:
                gateway.stop()
            if notify is not None:
                notify.stop()
            server.task_dispatcher.shutdown(timeout=5)
        if worker.exitcode:
            raise SystemExit(worker.exitcode)
