"""Bulk producers queue many messages at once; workers take them in batches, claimed together and settled one by
one: a message another worker holds is left alone, and a failure in one does not stop the rest."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from borough.core import outbox
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_deliver_many, outbox_enqueue_many
from borough.core.tasks import outbox_deliver_due
from borough.tenancy.scope import tenant_scope


def emails(count: int, *, first: int = 0, to: str = "resident{n}@example.org") -> list[dict]:
    return [
        {
            "kind": "email.smtp",
            "payload": {"to": [to.format(n=n)], "subject": f"Your bill {n}", "body": "Your new bill is attached."},
            "idempotency_key": f"bill-{n}",
        }
        for n in range(first, first + count)
    ]


def test_many_messages_go_to_the_workers_in_batches_after_the_commit(
    tenant_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 4)
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = outbox_enqueue_many(tenant=tenant_a, messages=emails(10))
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1 and len(queued) == 10
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Your bill {n}" for n in range(10))
    with tenant_scope(tenant_a):
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}


def test_keys_already_queued_are_not_queued_again(tenant_a, django_capture_on_commit_callbacks):
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue_many(tenant=tenant_a, messages=emails(3))
        again = outbox_enqueue_many(tenant=tenant_a, messages=emails(4))
    assert [m.pk for m in again[:3]] == [m.pk for m in first] and len(mail.outbox) == 4


def test_a_batch_leaves_alone_what_another_worker_holds_and_goes_on_after_a_failure(tenant_a):
    with tenant_scope(tenant_a):
        queued = outbox_enqueue_many(tenant=tenant_a, messages=emails(4))
        held, good, other, bad = queued
        OutboxMessage.objects.filter(pk=held.pk).update(
            status=OutboxMessage.Status.SENDING, attempts=1, locked_until=timezone.now() + timedelta(minutes=5)
        )
        OutboxMessage.objects.filter(pk=bad.pk).update(kind="email.retired")  # its handler is gone: it fails
        assert outbox_deliver_many(ids=[m.pk for m in queued]) == 2
        statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses[held.pk] == OutboxMessage.Status.SENDING
    assert statuses[good.pk] == statuses[other.pk] == OutboxMessage.Status.SENT
    assert statuses[bad.pk] == OutboxMessage.Status.FAILED
    assert sorted(m.to[0] for m in mail.outbox) == ["resident1@example.org", "resident2@example.org"]


def test_the_sweep_hands_due_messages_over_in_batches_per_tenant(tenant_a, tenant_b, monkeypatch):
    monkeypatch.setattr("borough.core.tasks.BATCH_SIZE", 2)
    for tenant in (tenant_a, tenant_b):
        with tenant_scope(tenant):
            for spec in emails(3):
                OutboxMessage.objects.create(tenant=tenant, **spec)  # as if their dispatch had been lost
    assert outbox_deliver_due() == 6
    assert len(mail.outbox) == 6
