"""Email from the outbox to a real SMTP server (aiosmtpd on loopback): one session carries many messages, and a
session the server dropped meanwhile is opened again without losing the message."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from borough.core import outbox
from borough.core.models import OutboxMessage
from borough.core.outbox import outbox_deliver, outbox_enqueue
from borough.tenancy.scope import tenant_scope


class Recorder:
    def __init__(self) -> None:
        self.sessions = 0
        self.messages: list[bytes] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A real SMTP server that can be stopped and started again on its port."""

    def __init__(self) -> None:
        self.port, self.recorder, self.controller = free_port(), Recorder(), None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server(settings):
    server = Server()
    server.start()
    port, recorder = server.port, server.recorder
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield server, recorder
    server.stop()
    kept = getattr(outbox._kept, "mailer", None)
    if kept is not None:
        kept[1].close()
        outbox._kept.mailer = None


def send(tenant, number: int) -> OutboxMessage:
    message = outbox_enqueue(
        tenant=tenant,
        kind="email.smtp",
        payload={"to": ["resident@example.org"], "subject": f"Update {number}", "body": "Booked for Thursday."},
        idempotency_key=f"update-{number}",
    )
    return outbox_deliver(message=message)


def test_one_session_carries_many_messages(tenant_a, smtp_server):
    _controller, recorder = smtp_server
    with tenant_scope(tenant_a):
        statuses = {send(tenant_a, number).status for number in range(5)}
    assert statuses == {OutboxMessage.Status.SENT}
    assert len(recorder.messages) == 5 and recorder.sessions == 1


def test_a_session_the_server_dropped_is_opened_again(tenant_a, smtp_server):
    controller, recorder = smtp_server
    with tenant_scope(tenant_a):
        assert send(tenant_a, 1).status == OutboxMessage.Status.SENT
        controller.stop()  # drops the kept session
        controller.start()
        assert send(tenant_a, 2).status == OutboxMessage.Status.SENT
    assert [b"Update 1" in m for m in recorder.messages] == [True, False]
    assert b"Update 2" in recorder.messages[1] and recorder.sessions == 2


def test_an_idle_session_is_not_reused(tenant_a, smtp_server, monkeypatch):
    _controller, recorder = smtp_server
    with tenant_scope(tenant_a):
        send(tenant_a, 1)
        monkeypatch.setattr(outbox, "KEEP_IDLE_CONNECTION", -1)
        send(tenant_a, 2)
    assert len(recorder.messages) == 2 and recorder.sessions == 2


def test_a_message_refused_while_the_server_is_down_is_retried_later(tenant_a, smtp_server):
    controller, recorder = smtp_server
    controller.stop()
    with tenant_scope(tenant_a):
        failed = send(tenant_a, 1)
        assert failed.status == OutboxMessage.Status.FAILED
        controller.start()
        OutboxMessage.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert outbox_deliver(message=failed).status == OutboxMessage.Status.SENT
    assert len(recorder.messages) == 1
