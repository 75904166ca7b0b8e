"""Mail gateway speed (issue 4): messages a second from SMTP to cases, on PostgreSQL, with the real pieces: the
gateway (`borough channels_mailgateway`), RabbitMQ, and a Celery worker that ingests each spooled message.

    export DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench
    export DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench
    export BROKER_URL=amqp://guest:guest@127.0.0.1:5672//
    .venv/bin/python -m bench.mail_bench --messages 1000 --senders 8

Each message comes from its own address (a resident), so each opens a new case with a new person, and the workers
also send each resident's acknowledgement, by SMTP to a local sink server the benchmark runs. Reported: the rate the
gateway accepted (250 answers a second), the rate cases were made from first send to last case ingested, and the
rate acknowledgements reached the sink from first send to the last one.
"""

import argparse
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")

import django  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.handlers import Sink  # noqa: E402

django.setup()

from borough.channels.models import InboundEmail, Mailbox  # noqa: E402
from borough.channels.services import mailbox_create  # noqa: E402
from borough.core.audit import Actor, acting_as  # noqa: E402
from borough.crm.models import Service  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402
from config.celery import app as celery_app  # noqa: E402

SLUG = "benchtown"


class CountingSink(Sink):
    """The acknowledgements' destination: counts what arrives, keeps nothing."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def the_mailbox(tenant: Tenant) -> Mailbox:
    with tenant_scope(tenant), acting_as(Actor.system("bench")):
        mailbox = Mailbox.objects.filter(local_part="contact").first()
        if mailbox is None:
            service = Service.objects.filter(is_active=True, needs_location=False, questions__isnull=True).first()
            mailbox = mailbox_create(tenant=tenant, local_part="contact", name="Contact us", service=service)
        return mailbox


def a_message(number: int, run: str) -> tuple[str, bytes]:
    sender = f"resident.{run}.{number}@example.org"
    email = EmailMessage()
    email["From"] = f"Resident {number} <{sender}>"
    email["To"] = f"contact@{SLUG}.localhost"
    email["Subject"] = f"Overflowing bin on Station Road ({number})"
    email["Message-ID"] = f"<bench.{run}.{number}@example.org>"
    email.set_content("The litter bin by the bus stop has been overflowing since Friday.\n\nThanks,\nA resident")
    return sender, email.as_bytes()


def send_all(port: int, messages: list[tuple[str, bytes]], senders: int) -> None:
    def send_share(share):
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for sender, raw in share:
                client.sendmail(sender, [f"contact@{SLUG}.localhost"], raw)

    shares = [messages[index::senders] for index in range(senders)]
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send_share, shares))


def main() -> None:
    parser = argparse.ArgumentParser(description="Mail gateway: SMTP to cases")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8, help="concurrent SMTP connections")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    if not os.environ.get("BROKER_URL", "").startswith("amqp"):
        raise SystemExit("Set BROKER_URL to the RabbitMQ broker (the gateway hands messages to Celery workers)")
    tenant = Tenant.objects.get(slug=SLUG)
    the_mailbox(tenant)
    run = f"{int(time.time())}"
    spool = Path(tempfile.mkdtemp(prefix="borough-bench-spool-"))
    counting = CountingSink()
    sink = Controller(counting, hostname="127.0.0.1", port=free_port())  # where the acknowledgements go
    sink.start()
    environment = {
        **os.environ,
        "BOROUGH_MAIL_SPOOL": str(spool),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
    }
    celery_app.control.purge()  # tasks left by an interrupted earlier run would be measured too
    port = free_port()
    bin_dir = Path(sys.executable).parent
    gateway = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "borough"), "channels_mailgateway", "--port", str(port)], env=environment, start_new_session=True
    )
    worker = subprocess.Popen(  # noqa: S603
        [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "-c",
            str(args.workers),
            "--loglevel",
            "WARNING",
            "-O",
            "fair",
            "-n",
            f"mail-bench-{os.getpid()}@%h",  # a node name of its own: another worker on the broker must not clash
        ],
        env=environment,
        start_new_session=True,
    )
    try:
        time.sleep(6)
        messages = [a_message(number, run) for number in range(args.messages)]
        with tenant_scope(tenant):
            before = InboundEmail.objects.count()
        started = time.perf_counter()
        send_all(port, messages, args.senders)
        accepted = time.perf_counter() - started
        while True:
            with tenant_scope(tenant):
                done = InboundEmail.objects.count() - before
            if done >= args.messages or time.perf_counter() - started > 600:
                break
            time.sleep(0.2)
        finished = time.perf_counter() - started
        while counting.received < done and time.perf_counter() - started < 600:
            time.sleep(0.1)
        acknowledged = time.perf_counter() - started
        with tenant_scope(tenant):
            outcomes = dict(
                InboundEmail.objects.filter(message_id__startswith=f"<bench.{run}.")
                .values_list("outcome")
                .annotate(n=django.db.models.Count("id"))
            )
        print(f"{args.messages} messages, {args.senders} SMTP connections, {args.workers} Celery workers")
        print(f"gateway accepted: {args.messages / accepted:.0f} messages/s ({accepted:.1f} s)")
        print(
            f"ingested into cases: {done / finished:.0f} messages/s ({done} in {finished:.1f} s); outcomes {outcomes}"
        )
        print(
            f"acknowledgements at the sink: {counting.received / acknowledged:.0f} a second "
            f"({counting.received} in {acknowledged:.1f} s)"
        )
        print(f"left in the spool: {len(list(spool.glob('*.json')))}")
    finally:
        for process in (gateway, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (gateway, worker):
            process.wait(timeout=30)
        sink.stop()
        shutil.rmtree(spool, ignore_errors=True)


if __name__ == "__main__":
    main()
