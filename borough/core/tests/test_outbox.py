"""The transactional outbox: one message per idempotency key, delivery after the commit only, retries with
back-off, giving up after the last attempt, and never two workers on one message."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core import tasks
from borough.core.models import OutboxMessage
from borough.core.outbox import (
    MAX_ATTEMPTS,
    due_messages,
    message_id_for,
    outbox_deliver,
    outbox_delivered_here,
    outbox_enqueue,
    retry_delay,
)
from borough.core.tasks import outbox_deliver_due
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope

EMAIL = {"to": ["resident@example.org"], "subject": "Your case NFD-000001", "body": "We have your request."}


@pytest.fixture
def in_a(tenant_a):
    with tenant_scope(tenant_a):
        yield tenant_a


@pytest.fixture
def smtp_down(settings):
    """A real SMTP backend on a port where nothing listens: every send fails with a refused connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def enqueue(tenant, key="case-1-ack", payload=EMAIL) -> OutboxMessage:
    return outbox_enqueue(tenant=tenant, kind="email.smtp", payload=payload, idempotency_key=key)


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_enqueuing_the_same_key_twice_is_one_message_and_one_delivery(in_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue(in_a)
        second = enqueue(in_a)
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_the_same_key_in_another_tenant_is_another_message(in_a, tenant_b):
    enqueue(in_a)
    with tenant_scope(tenant_b):
        other = enqueue(tenant_b)
        assert other.tenant_id == tenant_b.pk and OutboxMessage.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_a_message_is_delivered_after_the_commit_with_a_message_id_from_its_key(
    in_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue(in_a, payload={**EMAIL, "from": "Northfield <contact@northfield.gov.uk>"})
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1 and message.sent_at
    assert message.locked_until is None and message.last_error == ""
    [sent] = mail.outbox
    assert sent.to == EMAIL["to"] and sent.subject == EMAIL["subject"] and sent.body == EMAIL["body"]
    assert sent.from_email == "Northfield <contact@northfield.gov.uk>"
    expected_id = message_id_for(message, sent.from_email)
    assert sent.message()["Message-ID"] == expected_id and expected_id.endswith("@northfield.gov.uk>")
    assert message.result == {"message_id": expected_id}
    assert outbox_deliver(message=message).attempts == 1  # sent: delivering again sends nothing
    assert len(mail.outbox) == 1


@pytest.fixture
def no_worker(monkeypatch):
    def handed_to_a_worker(**_arguments):
        pytest.fail("the message was handed to a worker")

    monkeypatch.setattr(tasks.outbox_deliver_task, "delay", handed_to_a_worker)


def test_a_message_committed_in_a_delivered_here_block_is_sent_as_it_ends_without_a_task(
    in_a, django_capture_on_commit_callbacks, no_worker
):
    with outbox_delivered_here():
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue(in_a)
        assert mail.outbox == []  # committed; sent when the block ends
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert [sent.subject for sent in mail.outbox] == [EMAIL["subject"]]


def test_a_block_that_fails_leaves_its_messages_for_the_periodic_sweep(
    in_a, django_capture_on_commit_callbacks, no_worker
):
    with pytest.raises(RuntimeError), outbox_delivered_here():
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue(in_a)
        raise RuntimeError("the worker's task failed after the commit")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and mail.outbox == []
    assert message.pk in OutboxMessage.objects.filter(due_messages()).values_list("pk", flat=True)


def test_a_delivery_here_that_fails_is_retried_like_any_other(
    in_a, django_capture_on_commit_callbacks, no_worker, smtp_down
):
    with outbox_delivered_here(), django_capture_on_commit_callbacks(execute=True):
        message = enqueue(in_a)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert message.next_attempt_at > timezone.now() and "Connection refused" in message.last_error


def test_an_html_part_goes_after_the_text_and_reply_to_is_set(in_a):
    html = "<p>We have your request.</p>"
    message = enqueue(in_a, payload={**EMAIL, "html": html, "reply_to": "contact@northfield.gov.uk"})
    outbox_deliver(message=message)
    [sent] = mail.outbox
    assert sent.body == EMAIL["body"] and sent.alternatives[0] == (html, "text/html")
    assert sent.reply_to == ["contact@northfield.gov.uk"]
    parts = [part.get_content_type() for part in sent.message().walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]


def test_a_rolled_back_change_sends_nothing(in_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(in_a)
        raise RuntimeError("the caller's change failed")
    assert callbacks == [] and OutboxMessage.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "payload", "key", "field"),
    [
        ("sms.carrier-pigeon", EMAIL, "k", "kind"),
        ("email.smtp", EMAIL, "", "idempotency_key"),
        ("email.smtp", EMAIL, "k" * 201, "idempotency_key"),
        ("email.smtp", {**EMAIL, "to": []}, "k", "to"),
        ("email.smtp", {**EMAIL, "to": ["not an address"]}, "k", "to"),
        ("email.smtp", {**EMAIL, "subject": " "}, "k", "subject"),
        ("email.smtp", {**EMAIL, "body": None}, "k", "body"),
        ("email.smtp", {**EMAIL, "from": "nobody"}, "k", "from"),
        ("email.smtp", {**EMAIL, "reply_to": "nobody"}, "k", "reply_to"),
        ("email.smtp", {**EMAIL, "html": ["<p>not text</p>"]}, "k", "html"),
    ],
)
def test_bad_messages_are_refused_with_the_field_at_fault(in_a, kind, payload, key, field):
    with pytest.raises(ValidationError) as error:
        outbox_enqueue(tenant=in_a, kind=kind, payload=payload, idempotency_key=key)
    assert field in error.value.message_dict
    assert OutboxMessage.objects.count() == 0


def test_a_failed_delivery_is_retried_later_with_growing_back_off(in_a, smtp_down):
    message = enqueue(in_a)
    before = timezone.now()
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert before + timedelta(minutes=1) <= message.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    assert message.locked_until is None

    assert outbox_deliver(message=message).attempts == 1  # not due yet: not tried

    make_due(message)
    before = timezone.now()
    message = outbox_deliver(message=message)
    assert message.attempts == 2 and message.status == OutboxMessage.Status.FAILED
    assert message.next_attempt_at >= before + timedelta(minutes=2)
    assert [retry_delay(n) for n in (1, 2, 3, 7, 12)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=64),
        timedelta(hours=6),
    ]


def test_a_message_is_given_up_after_the_last_attempt(in_a, smtp_down):
    message = enqueue(in_a)
    for _attempt in range(MAX_ATTEMPTS):
        make_due(message)
        message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == MAX_ATTEMPTS
    make_due(message)
    assert outbox_deliver(message=message).attempts == MAX_ATTEMPTS
    assert mail.outbox == []


def test_a_message_another_worker_holds_is_left_alone_until_its_lease_runs_out(in_a):
    message = enqueue(in_a)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=1, locked_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_deliver(message=message).status == OutboxMessage.Status.SENDING
    assert mail.outbox == []
    OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    message = outbox_deliver(message=message)
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2
    assert len(mail.outbox) == 1


def test_the_periodic_sweep_delivers_due_messages_of_active_tenants_each_in_its_scope(tenant_a, tenant_b, make_tenant):
    tenant_c = make_tenant("eastwick")
    messages = {}
    for tenant in (tenant_a, tenant_b, tenant_c):
        with tenant_scope(tenant):
            messages[tenant.slug] = enqueue(tenant, payload={**EMAIL, "subject": f"From {tenant.slug}"})
    with tenant_scope(tenant_b):
        later = enqueue(tenant_b, key="later")
        OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    Tenant.objects.filter(pk=tenant_c.pk).update(status=Tenant.Status.SUSPENDED)

    assert outbox_deliver_due() == 2
    assert sorted(m.subject for m in mail.outbox) == ["From northfield", "From southvale"]
    with tenant_scope(tenant_c):
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    with tenant_scope(tenant_b):
        assert OutboxMessage.objects.get(pk=later.pk).status == OutboxMessage.Status.PENDING
