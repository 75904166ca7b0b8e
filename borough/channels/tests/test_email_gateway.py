"""Email into cases through the real SMTP gateway (aiosmtpd on loopback, smtplib as the sender's server)."""

import smtplib
from email.message import EmailMessage

import pytest

from borough.channels.email.gateway import gateway_controller
from borough.channels.email.ingest import ingest_spooled
from borough.channels.email.spool import spool_waiting
from borough.channels.models import EmailThread, InboundEmail
from borough.channels.tests.conftest import free_port, send, setup_mailbox
from borough.core.models import OutboxMessage
from borough.crm.models import Case, CaseEvent, Interaction
from borough.crm.tests.case_factories import PNG
from borough.people.models import ContactPoint, Person
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db(transaction=True)  # the gateway writes from its own threads


def message(subject="Broken street light", body="The light outside 4 Elm Road has been off for a week.", **headers):
    email = EmailMessage()
    email["From"] = headers.pop("From", "Jane Smith <jane@example.org>")
    email["To"] = headers.pop("To", "contact@northfield.localhost")
    email["Subject"] = subject
    email["Message-ID"] = headers.pop("Message_ID", "<first.1@example.org>")
    for name, value in headers.items():
        email[name.replace("_", "-")] = value
    email.set_content(body)
    return email


def only(queryset):
    rows = list(queryset)
    assert len(rows) == 1, rows
    return rows[0]


def test_a_new_email_opens_a_case_for_the_sender(tenant_a, mailbox, gateway):
    email = message()
    email.add_attachment(PNG, maintype="image", subtype="png", filename="light.png")
    assert send(gateway, email.as_bytes(), to="contact@northfield.localhost") == {}
    with tenant_scope(tenant_a):
        received = only(InboundEmail.objects.all())
        case = only(Case.objects.all())
        assert received.outcome == InboundEmail.Outcome.CASE_CREATED
        assert received.case == case and received.reason == f"New case {case.reference} for General enquiry"
        assert case.channel == "email" and case.service.code == "general-enquiry"
        assert case.description.startswith("Broken street light\n\nThe light outside 4 Elm Road")
        assert (case.requester.given_name, case.requester.family_name) == ("Jane", "Smith")
        assert ContactPoint.objects.get(person=case.requester).normalised == "jane@example.org"
        assert [a.original_name for a in case.attachments.all()] == ["light.png"]
        assert EmailThread.objects.get(message_id="<first.1@example.org>").case == case
        ack = only(OutboxMessage.objects.all())
        assert ack.payload["to"] == ["jane@example.org"] and case.reference in ack.payload["subject"]
        assert received.raw.read() == email.as_bytes().replace(b"\n", b"\r\n")  # exactly as received
    assert spool_waiting() == []


def test_a_reply_is_added_to_its_case_without_the_quoted_history(tenant_a, mailbox, gateway):
    send(gateway, message().as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        case = Case.objects.get()
    reply = message(
        subject=f"Re: Your reference {case.reference}: General enquiry",
        body="It is still off tonight.\n\nOn Mon, 23 Nov 2026 at 09:00, Northfield wrote:\n> Thank you for contacting",
        Message_ID="<reply.2@example.org>",
    )
    send(gateway, reply.as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        assert Case.objects.count() == 1
        latest = InboundEmail.objects.get(message_id="<reply.2@example.org>")
        assert (latest.outcome, latest.case) == (InboundEmail.Outcome.ADDED_TO_CASE, case)
        event = only(CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RESIDENT))
        assert event.body == "It is still off tonight."


def test_a_reply_is_threaded_by_its_headers_when_the_subject_lost_the_reference(tenant_a, mailbox, gateway):
    send(gateway, message().as_bytes(), to="contact@northfield.localhost")
    reply = message(
        subject="Re: Broken street light",
        body="Photo attached now.",
        Message_ID="<reply.3@example.org>",
        In_Reply_To="<first.1@example.org>",
        References="<first.1@example.org>",
    )
    send(gateway, reply.as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        case = Case.objects.get()
        assert InboundEmail.objects.get(message_id="<reply.3@example.org>").outcome == "added_to_case"
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RESIDENT, body="Photo attached now.").exists()


@pytest.mark.parametrize(
    ("headers", "envelope_from", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "jane@example.org", "Automatic reply (Auto-Submitted: auto-replied)"),
        ({"Precedence": "bulk"}, "jane@example.org", "Bulk or automatic mail (Precedence: bulk)"),
        ({"X_Autoreply": "yes"}, "jane@example.org", "Automatic reply (X-Autoreply)"),
        ({}, "", "Bounce or delivery report (empty return path)"),
        ({"From": "MAILER-DAEMON@mx.example.org"}, "mx@example.org", "Sent by a mail system"),
        ({"From": "contact@northfield.localhost"}, "x@example.org", "Sent from one of our own addresses (mail loop)"),
        ({"X_Borough_Loop": "northfield"}, "jane@example.org", "One of our own emails came back (mail loop)"),
        ({"List_Id": "<news.example.org>"}, "jane@example.org", "Mailing list message"),
    ],
)
def test_automatic_mail_never_opens_a_case_or_gets_an_answer(
    tenant_a, mailbox, gateway, headers, envelope_from, reason
):
    email = message(subject="Out of office", body="I am away until Monday.", **headers)
    send(gateway, email.as_bytes(), to="contact@northfield.localhost", sender=envelope_from)
    with tenant_scope(tenant_a):
        received = only(InboundEmail.objects.all())
        assert received.outcome == InboundEmail.Outcome.IGNORED
        assert received.reason.startswith(reason)
        assert not Case.objects.exists() and not OutboxMessage.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("address", "answer"),
    [
        ("nobody@northfield.localhost", b"has no mailbox called nobody"),
        ("contact@unknown.localhost", b"No such recipient here"),
        ("contact@example.com", b"No such recipient here"),
    ],
)
def test_unknown_recipients_are_refused_at_once(tenant_a, mailbox, gateway, address, answer):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(gateway, message(To=address).as_bytes(), to=address)
    code, text = refused.value.recipients[address]
    assert code == 550 and answer in text
    assert spool_waiting() == []


def test_a_suspended_tenant_takes_no_mail(tenant_a, mailbox, gateway):
    tenant_a.status = "suspended"
    tenant_a.save(update_fields=["status"])
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(gateway, message().as_bytes(), to="contact@northfield.localhost")


def test_each_tenant_gets_only_its_own_mail(tenant_a, tenant_b, mailbox, gateway):
    setup_mailbox(tenant_b)
    to_b = f"contact@{tenant_b.slug}.localhost"
    send(gateway, message(To=to_b).as_bytes(), to=to_b)
    with tenant_scope(tenant_a):
        assert not InboundEmail.objects.exists() and not Case.objects.exists()
    with tenant_scope(tenant_b):
        assert only(Case.objects.all()).tenant_id == tenant_b.pk


def test_a_message_over_the_size_limit_is_refused(tenant_a, mailbox):
    small = gateway_controller(ingest_spooled, port=free_port(), max_bytes=10_000)  # the real limit is 35 MB
    small.start()
    try:
        with pytest.raises(smtplib.SMTPResponseException) as refused:  # at MAIL FROM (SIZE) or after DATA
            send(small, message(body=("x" * 70 + "\n") * 300).as_bytes(), to="contact@northfield.localhost")
    finally:
        small.stop()
    assert refused.value.smtp_code == 552
    with tenant_scope(tenant_a):
        assert not InboundEmail.objects.exists()
    assert spool_waiting() == []


def test_a_reply_to_our_acknowledgement_is_threaded_by_its_in_reply_to(tenant_a, mailbox, gateway):
    send(gateway, message().as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        case = Case.objects.get()
        ack = Interaction.objects.get(case=case, direction=Interaction.Direction.OUTBOUND)
        assert EmailThread.objects.get(message_id=ack.data["message_id"]).case == case
    reply = message(
        subject="Re: your email",
        body="Thank you.",
        Message_ID="<reply.4@example.org>",
        In_Reply_To=ack.data["message_id"],
    )
    send(gateway, reply.as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        assert InboundEmail.objects.get(message_id="<reply.4@example.org>").case == case


def test_our_own_acknowledgement_coming_back_is_a_loop(tenant_a, mailbox, gateway, mailoutbox):
    send(gateway, message().as_bytes(), to="contact@northfield.localhost")
    with tenant_scope(tenant_a):
        OutboxMessage.objects.get()  # delivered by the eager task
    html, mimetype = only(mailoutbox).alternatives[0]
    assert mimetype == "text/html" and tenant_a.name in html and "Your reference: <strong>NOR-000001</strong>" in html
    sent = only(mailoutbox).message()
    assert sent["Auto-Submitted"] == "auto-generated" and sent["X-Borough-Loop"] == str(tenant_a.pk)
    # From the council's contact mailbox, so the resident's reply comes back through the gateway.
    assert sent["From"] == f'"{tenant_a.name}" <contact@northfield.localhost>' or sent["From"] == (
        f"{tenant_a.name} <contact@northfield.localhost>"
    )
    assert sent["Reply-To"] == "contact@northfield.localhost"
    assert sent["Message-ID"].endswith("@northfield.localhost>")
    del sent["To"]
    sent["To"] = "contact@northfield.localhost"  # a resident's forwarding rule sends it straight back
    send(gateway, sent.as_bytes(), to="contact@northfield.localhost", sender="jane@example.org")
    with tenant_scope(tenant_a):
        assert InboundEmail.objects.order_by("-id").first().outcome == InboundEmail.Outcome.IGNORED
        assert Case.objects.count() == 1


TO = "contact@northfield.localhost"


def test_a_mailbox_switched_off_is_refused_once_the_gateways_memory_of_it_expires(tenant_a, mailbox, gateway):
    send(gateway, message().as_bytes(), to=TO)
    with tenant_scope(tenant_a):
        mailbox.is_active = False
        mailbox.save(update_fields=["is_active"])
    # Still accepted while the gateway remembers the mailbox; ingestion asks again, so it waits for review.
    send(gateway, message(Message_ID="<second.1@example.org>").as_bytes(), to=TO)
    with tenant_scope(tenant_a):
        assert sorted(InboundEmail.objects.values_list("outcome", flat=True)) == ["case_created", "review"]
    gateway.handler.recipients.seconds = 0  # the memory expires
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(gateway, message(Message_ID="<third.1@example.org>").as_bytes(), to=TO)
