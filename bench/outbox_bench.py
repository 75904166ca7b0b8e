"""Outbox speed (issue 4): notifications a second from the transactional outbox to GOV.UK Notify, with the real
pieces: RabbitMQ, Celery workers running `outbox_deliver_task`, PostgreSQL, and `notifications-python-client` talking
HTTP to the local Notify stand-in (borough/channels/notify/standin.py), which checks every request's JWT.

    export DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench
    export DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench
    export BROKER_URL=amqp://guest:guest@127.0.0.1:5672//
    .venv/bin/python -m bench.outbox_bench --messages 2000 --workers 4

The benchmark queues `--messages` text messages in one transaction with `outbox_enqueue_many` (as a run that tells
many residents would), which hands them to the workers in batches, and measures from its commit to the last message
recorded as sent. Then it checks that Notify received each message exactly once
and that every message is recorded as sent with Notify's id. The stand-in runs in this process, on the same two
cores as the workers and the database (the real Notify is elsewhere).
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from borough.channels.notify.services import api_key_env_name, notify_account_configure  # noqa: E402
from borough.channels.notify.standin import NotifyStandIn  # noqa: E402
from borough.core.audit import Actor, acting_as  # noqa: E402
from borough.core.models import OutboxMessage  # noqa: E402
from borough.core.outbox import outbox_enqueue_many  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402
from config.celery import app as celery_app  # noqa: E402

SLUG = "benchtown"
SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def start_workers(environment: dict[str, str], processes: int) -> subprocess.Popen:
    celery = Path(sys.executable).parent / "celery"
    command = [str(celery), "-A", "config", "worker", "-c", str(processes), "--loglevel", "WARNING", "-O", "fair",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               "-n", f"outbox-bench-{os.getpid()}@%h"]  # fmt: skip
    return subprocess.Popen(command, env=environment, start_new_session=True)  # noqa: S603


def wait_for_workers(expected: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=1) or []
        if replies:
            return
        time.sleep(0.5)
    raise SystemExit("the Celery workers did not answer a ping")


def main() -> None:
    parser = argparse.ArgumentParser(description="Outbox to GOV.UK Notify (stand-in): notifications a second")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4, help="Celery worker processes (prefork)")
    args = parser.parse_args()
    if not os.environ.get("BROKER_URL", "").startswith("amqp"):
        raise SystemExit("Set BROKER_URL to the RabbitMQ broker (the outbox hands messages to Celery workers)")
    tenant = Tenant.objects.get(slug=SLUG)
    run = f"{int(time.time())}"
    with NotifyStandIn() as notify:
        with tenant_scope(tenant), acting_as(Actor.system("bench")):
            notify_account_configure(
                tenant=tenant,
                base_url=notify.url,
                sms_template_id=SMS_TEMPLATE,
                callback_token=f"bench-callback-token-{run}",  # a new account needs one
            )
        environment = {**os.environ, api_key_env_name(tenant): notify.api_key}
        celery_app.control.purge()  # tasks left by an interrupted earlier run would be measured too
        workers = start_workers(environment, args.workers)
        try:
            wait_for_workers(args.workers)
            keys = [f"bench-{run}-{number}" for number in range(args.messages)]
            with tenant_scope(tenant), transaction.atomic():
                messages = [
                    {
                        "kind": "sms.notify",
                        "payload": {
                            "to": f"+447700{number % 1000000:06d}",
                            "body": f"Update on your request BEN-{number:06d}: the crew has been booked for Thursday.",
                        },
                        "idempotency_key": key,
                    }
                    for number, key in enumerate(keys)
                ]
                outbox_enqueue_many(tenant=tenant, messages=messages)
                started = time.perf_counter()  # the commit hands every message to the workers

            def mine():
                return OutboxMessage.objects.filter(idempotency_key__startswith=f"bench-{run}-")

            while True:
                with tenant_scope(tenant):
                    sent = mine().filter(status=OutboxMessage.Status.SENT).count()
                if sent >= args.messages or time.perf_counter() - started > 600:
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
        finally:
            os.killpg(workers.pid, signal.SIGTERM)
            workers.wait(timeout=30)
        received = Counter(n["reference"] for n in notify.sent("sms") if n["reference"].startswith(f"bench-{run}-"))
    with tenant_scope(tenant):
        statuses = Counter(mine().values_list("status", flat=True))
        without_id = mine().filter(status=OutboxMessage.Status.SENT, result__notification_id="").count()
    print(f"{args.messages} text messages, {args.workers} Celery worker processes")
    print(f"sent: {sent / elapsed:.0f} notifications/s ({sent} in {elapsed:.1f} s); outbox statuses {dict(statuses)}")
    print(
        f"Notify received {sum(received.values())} ({len(received)} distinct references, "
        f"{sum(1 for n in received.values() if n > 1)} more than once); sent without Notify's id: {without_id}"
    )


if __name__ == "__main__":
    main()
