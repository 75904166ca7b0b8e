"""Ingestion of spooled messages: review outcomes, bad MIME and charsets, the database down, repeats."""

import shutil
from unittest import mock

import pytest
from django.db import OperationalError

from borough.channels.email.ingest import SENDER_LIMIT_PER_HOUR, ingest_spooled
from borough.channels.email.spool import spool_dir, spool_store, spool_waiting
from borough.channels.models import InboundEmail
from borough.channels.tasks import mail_spool_sweep
from borough.crm.models import Case, CaseEvent
from borough.crm.tests.case_factories import make_person, new_case
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db

TO = "contact@northfield.localhost"


def raw(
    subject="Noise from the pub",
    body="Music until 2am every night.",
    sender="Jane Smith <jane@example.org>",
    extra="",
    content_type="text/plain; charset=utf-8",
):
    return (
        f"From: {sender}\r\nTo: {TO}\r\nSubject: {subject}\r\n"
        f"Message-ID: <m.{abs(hash(subject + body))}@example.org>\r\n"
        f"{extra}Content-Type: {content_type}\r\n\r\n{body}\r\n"
    ).encode()


def deliver(content: bytes, *, envelope_from="jane@example.org") -> InboundEmail:
    return ingest_spooled(spool_store(content, envelope_from=envelope_from, recipient=TO))


def test_a_reply_from_someone_else_waits_for_review(tenant_a, mailbox):
    with tenant_scope(tenant_a):
        case = new_case(tenant_a, mailbox.service, requester=make_person(tenant_a))
    received = deliver(raw(subject=f"Re: {case.reference}", sender="mallory@example.net"), envelope_from="m@x.net")
    assert received.outcome == InboundEmail.Outcome.REVIEW
    assert received.reason == f"About {case.reference}, but not from the resident's email address"
    with tenant_scope(tenant_a):
        assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RESIDENT).exists()


def test_a_reply_to_a_finished_case_waits_for_review(tenant_a, mailbox):
    with tenant_scope(tenant_a):
        case = new_case(tenant_a, mailbox.service, requester=make_person(tenant_a, email="jane@example.org"))
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    received = deliver(raw(subject=f"Re: Your reference {case.reference}"))
    assert (received.outcome, received.case_id) == (InboundEmail.Outcome.REVIEW, case.pk)
    assert received.reason == f"A reply to {case.reference}, which is closed"


def test_a_sender_writing_too_often_is_held_for_review(tenant_a, mailbox):
    outcomes = [deliver(raw(subject=f"Message {n}")).outcome for n in range(SENDER_LIMIT_PER_HOUR + 1)]
    assert outcomes[:SENDER_LIMIT_PER_HOUR] == [InboundEmail.Outcome.CASE_CREATED] * SENDER_LIMIT_PER_HOUR
    assert outcomes[-1] == InboundEmail.Outcome.REVIEW
    with tenant_scope(tenant_a):
        assert Case.objects.count() == SENDER_LIMIT_PER_HOUR


def test_a_wrong_charset_and_broken_mime_still_make_a_case_and_say_so(tenant_a, mailbox):
    body = "Caf\xe9 bins not emptied".encode("latin-1").decode("latin-1")
    content = raw(body=body, content_type="text/plain; charset=klingon").replace(b"Caf\xc3\xa9", b"Caf\xe9")
    received = deliver(content)
    assert received.outcome == InboundEmail.Outcome.CASE_CREATED
    assert "unknown or wrong character set (klingon)" in received.reason
    with tenant_scope(tenant_a):
        assert "Caf\ufffd bins not emptied" in Case.objects.get().description


def test_garbage_is_kept_for_review_not_lost(tenant_a, mailbox):
    received = deliver(b"\x00\xff this is not an email at all \x00", envelope_from="x@example.org")
    assert received.outcome == InboundEmail.Outcome.REVIEW
    assert received.reason.startswith("The sender's address could not be read")
    assert received.raw.read() == b"\x00\xff this is not an email at all \x00"


def test_an_html_only_email_becomes_text(tenant_a, mailbox):
    html = "<html><head><style>p{}</style></head><body><p>Bins&nbsp;missed</p><p>on <b>Elm Road</b></p></body></html>"
    deliver(raw(body=html, content_type="text/html; charset=utf-8"))
    with tenant_scope(tenant_a):
        assert Case.objects.get().description.endswith("Bins missed\non Elm Road")


def test_a_file_that_cases_do_not_accept_is_noted_and_kept_in_the_original(tenant_a, mailbox):
    content = (
        b"From: jane@example.org\r\nTo: contact@northfield.localhost\r\nSubject: Forms\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n'
        b'--b\r\nContent-Type: application/x-msdownload\r\nContent-Disposition: attachment; filename="form.exe"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n"
    )
    received = deliver(content)
    assert received.outcome == InboundEmail.Outcome.CASE_CREATED
    with tenant_scope(tenant_a):
        case = Case.objects.get()
        assert "[Not attached (kept in the original email): form.exe" in case.description
        assert not case.attachments.exists()


def test_nothing_is_lost_while_the_database_is_down(tenant_a, mailbox):
    name = spool_store(raw(), envelope_from="jane@example.org", recipient=TO)
    with (
        mock.patch("borough.channels.email.ingest._ingest", side_effect=OperationalError("server closed")),
        pytest.raises(OperationalError),
    ):
        ingest_spooled(name)
    assert spool_waiting() == [name]
    assert mail_spool_sweep(older_than_seconds=0) == 1
    assert spool_waiting() == []
    with tenant_scope(tenant_a):
        assert InboundEmail.objects.get().spool_name == name and Case.objects.count() == 1


def test_a_message_ingested_twice_counts_once(tenant_a, mailbox):
    name = spool_store(raw(), envelope_from="jane@example.org", recipient=TO)
    copy = spool_dir() / "copy"
    copy.mkdir()
    for suffix in (".eml", ".json"):
        shutil.copy(spool_dir() / f"{name}{suffix}", copy)
    first = ingest_spooled(name)
    for suffix in (".eml", ".json"):
        shutil.copy(copy / f"{name}{suffix}", spool_dir())  # as if a crash came between commit and removal
    assert ingest_spooled(name) == first
    assert spool_waiting() == []
    with tenant_scope(tenant_a):
        assert InboundEmail.objects.count() == 1 and Case.objects.count() == 1


def test_mail_for_an_address_that_no_longer_reaches_a_tenant_is_set_aside(tenant_a, mailbox):
    name = spool_store(raw(), envelope_from="jane@example.org", recipient="contact@gone.localhost")
    assert ingest_spooled(name) is None
    assert spool_waiting() == []
    assert sorted(path.name for path in (spool_dir() / "unroutable").iterdir()) == [f"{name}.eml", f"{name}.json"]


def test_a_mailbox_whose_service_cannot_take_email_cases_sends_them_to_review(tenant_a, mailbox):
    with tenant_scope(tenant_a):
        mailbox.service.is_active = False
        mailbox.service.save()
    received = deliver(raw())
    assert received.outcome == InboundEmail.Outcome.REVIEW
    assert received.reason.startswith("A case could not be opened: General enquiry is not taking new requests")
