"""Committed outbox messages go to the workers a few at a time (ADR 0023): one batch task per tenant for what a
process committed in a short window, nothing lost when the broker refuses, and a real worker taking them."""

import threading
import time
import uuid

import pytest
from django.db import transaction

from borough.core import outbox_handoff as handoff_module
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_enqueue
from borough.core.outbox_handoff import OutboxHandOff, outbox_handoff
from borough.core.tests.test_celery_worker import (
    BROKER_URL,
    delete_queue,
    dispatching_to,
    require_broker,
    start_worker,
    stop_worker,
)
from borough.tenancy.scope import tenant_scope

EMAIL = {"to": ["resident@example.org"], "subject": "Your case", "body": "We have your request."}


class Recorder:
    def __init__(self, fail_for: set[int] = frozenset()):
        self.sent: list[tuple[int, list[int]]] = []
        self.fail_for = fail_for
        self.arrived = threading.Event()

    def __call__(self, tenant_id: int, ids: list[int]) -> None:
        if tenant_id in self.fail_for:
            raise ConnectionRefusedError("the broker is down")
        self.sent.append((tenant_id, ids))
        self.arrived.set()


def test_messages_of_one_window_go_as_one_batch_per_tenant_split_at_the_batch_size():
    send = Recorder()
    handoff = OutboxHandOff(window=60, send=send, batch_size=3)  # the thread waits: flush() decides here
    for message_id in (1, 2, 3, 4):
        handoff.add(10, message_id)
    handoff.add(20, 5)
    assert send.sent == []
    assert handoff.flush() == 5
    assert send.sent == [(10, [1, 2, 3]), (10, [4]), (20, [5])]
    assert handoff.flush() == 0  # nothing is handed over twice


def test_the_thread_hands_over_after_the_window_without_being_asked():
    send = Recorder()
    handoff = OutboxHandOff(window=0.01, send=send, batch_size=50)
    handoff.add(10, 1)
    handoff.add(10, 2)
    assert send.arrived.wait(timeout=5), "the hand-off thread published nothing"
    deadline = time.monotonic() + 5
    while sum(len(ids) for _tenant, ids in send.sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [message_id for _tenant, ids in send.sent for message_id in ids] == [1, 2]


def test_a_refused_batch_is_logged_and_the_others_still_go(caplog):
    send = Recorder(fail_for={10})
    handoff = OutboxHandOff(window=60, send=send, batch_size=50)
    handoff.add(10, 1)
    handoff.add(20, 2)
    assert handoff.flush() == 1
    assert send.sent == [(20, [2])]
    assert "Outbox messages [1] of tenant 10 wait for the periodic sweep" in caplog.text


def test_a_forked_process_keeps_none_of_its_parents_messages_and_starts_its_own_thread():
    send = Recorder()
    handoff = OutboxHandOff(window=60, send=send, batch_size=50)
    handoff.add(10, 1)
    parent_thread = handoff._thread
    handoff._pid = -1  # as if this were the child of a fork: the parent hands over its own messages
    handoff.add(10, 2)
    assert handoff._thread is not parent_thread and handoff._thread.is_alive()
    handoff.flush()
    assert send.sent == [(10, [2])]


def test_there_is_no_hand_off_when_tasks_run_eagerly_or_the_window_is_zero(settings, monkeypatch):
    monkeypatch.setattr(handoff_module, "_handoff", None)
    settings.BOROUGH_OUTBOX_HANDOFF_SECONDS = 0.05
    assert outbox_handoff() is None  # the test settings run tasks eagerly
    with dispatching_to("memory://", "unused"):
        settings.BOROUGH_OUTBOX_HANDOFF_SECONDS = 0
        assert outbox_handoff() is None
        settings.BOROUGH_OUTBOX_HANDOFF_SECONDS = 0.05
        assert outbox_handoff() is not None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_messages_committed_by_separate_requests_reach_a_real_worker_in_one_task(
    tenant_a, settings, tmp_path, monkeypatch
):
    require_broker()
    settings.BOROUGH_OUTBOX_HANDOFF_SECONDS = 60  # the test hands over itself, once, below
    monkeypatch.setattr(handoff_module, "_handoff", None)
    queue = f"borough-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    worker = start_worker(queue, tmp_path, log)
    try:
        with dispatching_to(BROKER_URL, queue), tenant_scope(tenant_a):
            ids = []
            for number in range(3):  # three requests, each its own transaction
                with transaction.atomic():
                    message = outbox_enqueue(
                        tenant=tenant_a, kind="email.smtp", payload=EMAIL, idempotency_key=f"case-{number}-ack"
                    )
                ids.append(message.pk)
            assert outbox_handoff().flush() == 3
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the worker's own mail settings decide sent or failed: tried is enough
            with tenant_scope(tenant_a):
                attempts = list(OutboxMessage.objects.filter(pk__in=ids).values_list("attempts", flat=True))
            if attempts == [1, 1, 1]:
                break
            if worker.poll() is not None:
                pytest.fail(f"the worker exited:\n{log.read_text(errors='replace')}")
            time.sleep(0.25)
    finally:
        stop_worker(worker)
        delete_queue(queue)
    worker_log = log.read_text(errors="replace")
    assert attempts == [1, 1, 1], worker_log
    assert worker_log.count("outbox_deliver_batch_task[") == 2  # one task, received and finished
    assert "outbox_deliver_task[" not in worker_log
