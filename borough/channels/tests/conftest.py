"""A tenant with a general-enquiry mailbox, a gateway on a free loopback port, and a spool of the test's own."""

import smtplib
import socket

import pytest

from borough.channels.email.gateway import gateway_controller
from borough.channels.email.ingest import ingest_spooled
from borough.channels.services import mailbox_create
from borough.core.audit import Actor, acting_as
from borough.crm.tests.case_factories import make_service, make_team
from borough.tenancy.scope import tenant_scope


@pytest.fixture(autouse=True)
def own_spool(settings, tmp_path):
    settings.BOROUGH_MAIL_SPOOL = tmp_path / "spool"
    return settings.BOROUGH_MAIL_SPOOL


def setup_mailbox(tenant):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        team = make_team(tenant, "contact-centre", "Contact centre")
        service = make_service(tenant, "general-enquiry", name="General enquiry", team=team)
        return mailbox_create(tenant=tenant, local_part="contact", name="Contact us", service=service)


@pytest.fixture
def mailbox(tenant_a):
    return setup_mailbox(tenant_a)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gateway():
    """The real SMTP gateway on loopback; messages are ingested as soon as they are spooled (as a worker would)."""
    handed_on: list[str] = []

    def dispatch(name: str):
        handed_on.append(name)
        return ingest_spooled(name)

    controller = gateway_controller(dispatch, port=free_port())
    controller.start()
    controller.handed_on = handed_on
    try:
        yield controller
    finally:
        controller.stop()


def send(gateway, raw: bytes | str, *, to: str, sender: str = "jane@example.org") -> dict:
    """Send `raw` with smtplib to the gateway; returns smtplib's refused-recipients dict."""
    content = raw.encode() if isinstance(raw, str) else raw
    content = content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # on the wire, as a mail server sends it
    with smtplib.SMTP(gateway.hostname, gateway.port, timeout=30) as client:
        return client.sendmail(sender, [to], content)
