"""Retries ask the kind's `recover` hook first, so a message the remote system already accepted (its worker died, or
the answer timed out) is recorded as sent instead of being sent twice. The real hook (GOV.UK Notify, asked by
reference) and a real worker killed mid-send are tested in borough/channels/notify/tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from borough.core.models import OutboxMessage
from borough.core.outbox import MAX_ATTEMPTS, OUTBOX_HANDLERS, outbox_deliver, outbox_enqueue, outbox_handler
from borough.tenancy.scope import tenant_scope

KIND = "test.ledger"


class Ledger:
    """A remote system that keeps what it accepted by reference, and can fail after accepting."""

    def __init__(self) -> None:
        self.accepted: dict[str, int] = {}
        self.fail_after_accepting = False
        self.recover_fails = False

    def deliver(self, message: OutboxMessage) -> dict:
        key = message.idempotency_key
        self.accepted[key] = self.accepted.get(key, 0) + 1
        if self.fail_after_accepting:
            raise TimeoutError("the answer never came")
        return {"remote_id": f"r-{key}"}

    def recover(self, message: OutboxMessage) -> dict | None:
        if self.recover_fails:
            raise ConnectionError("remote unreachable")
        return {"remote_id": f"r-{message.idempotency_key}"} if message.idempotency_key in self.accepted else None


@pytest.fixture
def ledger():
    remote = Ledger()
    outbox_handler(KIND, recover=remote.recover)(remote.deliver)
    yield remote
    OUTBOX_HANDLERS.pop(KIND)


@pytest.fixture
def in_a(tenant_a):
    with tenant_scope(tenant_a):
        yield tenant_a


def enqueue(tenant, key="k-1") -> OutboxMessage:
    return outbox_enqueue(tenant=tenant, kind=KIND, payload={"text": "hello"}, idempotency_key=key)


def abandon(message: OutboxMessage, attempts: int = 1) -> None:
    """As a worker that claimed the message and died: still SENDING, its lease run out."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=attempts, locked_until=timezone.now() - timedelta(seconds=1)
    )


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_an_abandoned_message_the_remote_already_has_is_recorded_not_sent_again(in_a, ledger):
    message = enqueue(in_a)
    ledger.accepted[message.idempotency_key] = 1  # the dead worker's send got through
    abandon(message)
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.SENT
    assert message.result == {"remote_id": "r-k-1", "recovered": True}
    assert ledger.accepted == {"k-1": 1}


def test_an_abandoned_message_the_remote_never_got_is_sent(in_a, ledger):
    message = enqueue(in_a)
    abandon(message)
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.SENT and message.result == {"remote_id": "r-k-1"}
    assert ledger.accepted == {"k-1": 1}


def test_a_timeout_after_the_remote_accepted_is_not_sent_twice_on_retry(in_a, ledger):
    message = enqueue(in_a)
    ledger.fail_after_accepting = True
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.FAILED and "TimeoutError" in message.last_error
    make_due(message)
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.SENT and message.result["recovered"] is True
    assert ledger.accepted == {"k-1": 1}


def test_a_first_attempt_does_not_ask_the_remote(in_a, ledger):
    ledger.recover_fails = True  # would fail the delivery if it were asked
    message = outbox_deliver(message=enqueue(in_a))
    assert message.status == OutboxMessage.Status.SENT and ledger.accepted == {"k-1": 1}


def test_when_the_remote_cannot_be_asked_the_retry_fails_and_sends_nothing(in_a, ledger):
    message = enqueue(in_a)
    abandon(message)
    ledger.recover_fails = True
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.FAILED and "ConnectionError" in message.last_error
    assert ledger.accepted == {}


def test_past_the_last_attempt_only_a_recovery_is_tried(in_a, ledger):
    sent, lost = enqueue(in_a, "k-sent"), enqueue(in_a, "k-lost")
    ledger.accepted["k-sent"] = 1
    for message in (sent, lost):
        abandon(message, attempts=MAX_ATTEMPTS)
    assert outbox_deliver(message=sent).status == OutboxMessage.Status.SENT
    lost = outbox_deliver(message=lost)
    assert lost.status == OutboxMessage.Status.DEAD and "does not have the message" in lost.last_error
    assert ledger.accepted == {"k-sent": 1}
