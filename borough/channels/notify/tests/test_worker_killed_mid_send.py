"""Exactly once across a worker killed mid-send: a real Celery worker on the local RabbitMQ takes a text message from
the outbox and is killed (SIGKILL) while its request to Notify (the stand-in) is in flight. The broker gives the task
to a second worker, which asks Notify by reference before sending: the resident gets the message exactly once,
whether the first request reached Notify or not."""

import threading
import time
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from borough.channels.notify.tests.conftest import configure_notify
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_enqueue
from borough.core.tests.test_celery_worker import (
    BROKER_URL,
    delete_queue,
    dispatching_to,
    require_broker,
    start_worker,
    stop_worker,
)
from borough.tenancy.scope import tenant_scope

WAIT_SECONDS = 60
PHONE = "+447700900123"


class InFlight:
    """Makes the stand-in hold its first POST: after accepting it (`accept_first=True`) or before. Once the worker
    that sent it is dead the hold ends; a request not accepted before then never is (its connection died)."""

    def __init__(self, standin, *, accept_first: bool):
        self.arrived, self.release = threading.Event(), threading.Event()
        self.accept_first, self.original, self.held = accept_first, standin.answer, False
        standin.answer = self.answer

    def answer(self, method, path, headers, raw):
        if method != "POST" or self.held:
            return self.original(method, path, headers, raw)
        self.held = True
        result = self.original(method, path, headers, raw) if self.accept_first else (503, {})
        self.arrived.set()
        self.release.wait(WAIT_SECONDS)
        return result


def wait_for(predicate, what: str, worker, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode} before {what}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    pytest.fail(f"no {what} after {WAIT_SECONDS} s:\n{log.read_text(errors='replace') if log.exists() else ''}")


@pytest.mark.celery_worker
@pytest.mark.parametrize("accepted_before_the_kill", [True, False], ids=["accepted", "not-accepted"])
@pytest.mark.django_db(transaction=True)
def test_a_text_is_sent_exactly_once_when_its_worker_is_killed_mid_send(
    accepted_before_the_kill, tenant_a, notify_standin, monkeypatch, tmp_path
):
    require_broker()
    configure_notify(tenant_a, notify_standin, monkeypatch)  # the key is in os.environ, which the workers inherit
    in_flight = InFlight(notify_standin, accept_first=accepted_before_the_kill)
    queue = f"borough-test-{uuid.uuid4().hex[:12]}"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(queue, tmp_path, first_log)
    second = None
    try:
        with dispatching_to(BROKER_URL, queue), tenant_scope(tenant_a), transaction.atomic():
            message = outbox_enqueue(
                tenant=tenant_a,
                kind="sms.notify",
                payload={"to": PHONE, "body": "Your bin will be collected on Thursday."},
                idempotency_key="case-7-update-1",
            )
        wait_for(in_flight.arrived.is_set, "request to Notify", first, first_log)
        first.kill()  # SIGKILL mid-send: no chance to record anything or acknowledge the task
        first.wait(timeout=10)
        in_flight.release.set()
        with tenant_scope(tenant_a):
            claimed = OutboxMessage.objects.get(pk=message.pk)
            assert (claimed.status, claimed.attempts) == (OutboxMessage.Status.SENDING, 1)
            # Its lease (5 minutes) runs out: the time passes here instead of in the test's wall clock.
            OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now())

        second = start_worker(queue, tmp_path, second_log)  # RabbitMQ redelivers the unacknowledged task to it

        def settled():
            with tenant_scope(tenant_a):
                found = OutboxMessage.objects.get(pk=message.pk)
            return found if found.status == OutboxMessage.Status.SENT else None

        sent = wait_for(settled, "sent message", second, second_log)
    finally:
        in_flight.release.set()
        if first.poll() is None:
            first.kill()
        if second is not None:
            stop_worker(second)
        delete_queue(queue)

    received = [n for n in notify_standin.sent("sms") if n["reference"] == "case-7-update-1"]
    assert len(received) == 1 and received[0]["phone_number"] == PHONE
    assert sent.attempts == 2 and sent.result["notification_id"] == received[0]["id"]
    assert sent.result.get("recovered", False) is accepted_before_the_kill
