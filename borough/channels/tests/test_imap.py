"""The IMAP poller against a real IMAP server: the throwaway Dovecot that `.ci/dovecot-test.sh` starts (CI sets
BOROUGH_TEST_IMAP=host:port:user:password). Messages are put in with imaplib's APPEND, as a mail server would deliver
them; each test reads its own folder, because the SQLite and PostgreSQL runs share one server."""

import imaplib
import io
import os
import re
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from borough.channels.email import imap as imap_module
from borough.channels.email.imap import imap_poll, imap_spool_name
from borough.channels.email.imap_session import ImapSession, quoted, xoauth2_string
from borough.channels.email.spool import spool_waiting
from borough.channels.models import ImapAccount, InboundEmail, Mailbox
from borough.channels.services import imap_account_create
from borough.channels.tasks import imap_poll_due, mail_spool_sweep
from borough.channels.tests.conftest import setup_mailbox
from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.models import Case
from borough.tenancy.scope import tenant_scope
from conftest import service_missing

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    username: str
    password: str

    @contextmanager
    def connection(self):
        connection = imaplib.IMAP4(self.host, self.port, timeout=30)
        connection.login(self.username, self.password)
        try:
            yield connection
        finally:
            connection.logout()

    def append(self, folder: str, raw: bytes, *, seen: bool = False) -> None:
        with self.connection() as connection:
            typ, data = connection.append(quoted(folder), r"(\Seen)" if seen else None, None, raw)
            assert typ == "OK", data

    def flags(self, folder: str) -> dict[int, set[str]]:
        """Each message's flags, by UID."""
        with self.connection() as connection:
            typ, data = connection.select(quoted(folder), readonly=True)
            assert typ == "OK", data
            if int(data[0]) == 0:
                return {}
            _typ, data = connection.uid("FETCH", "1:*", "(FLAGS)")
        flags = {}
        for line in data:
            uid, names = re.search(rb"UID (\d+)", line).group(1), re.search(rb"FLAGS \(([^)]*)\)", line).group(1)
            flags[int(uid)] = set(names.decode().split()) - {r"\Recent"}
        return flags


@pytest.fixture
def imap_server() -> MailServer:
    setting = os.environ.get("BOROUGH_TEST_IMAP", "")
    if not setting:
        service_missing("no IMAP server: set BOROUGH_TEST_IMAP=host:port:user:password (.ci/dovecot-test.sh)")
    host, port, username, password = setting.split(":", 3)
    server = MailServer(host, int(port), username, password)
    try:
        with server.connection():
            pass
    except (OSError, imaplib.IMAP4.error) as error:
        service_missing(f"the IMAP server {host}:{port} of BOROUGH_TEST_IMAP does not answer ({error})")
    return server


@pytest.fixture
def folder(imap_server):
    """A folder of this test's own (and its -done sibling), removed afterwards."""
    name = f"borough-test-{uuid.uuid4().hex[:12]}"
    with imap_server.connection() as connection:
        assert connection.create(quoted(name))[0] == "OK"
    yield name
    with imap_server.connection() as connection:
        connection.delete(quoted(name))
        connection.delete(quoted(f"{name}-done"))


def secret_env(tenant) -> str:
    return f"BOROUGH_IMAP_SECRET_{tenant.slug.upper()}__TEST"


def make_account(tenant, mailbox, server: MailServer, folder: str, **fields) -> ImapAccount:
    fields = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "username": server.username,
        "secret_env": secret_env(tenant),
        "folder": folder,
        **fields,
    }
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return imap_account_create(tenant=tenant, mailbox=mailbox, **fields)


@pytest.fixture
def account(tenant_a, mailbox, imap_server, folder, monkeypatch):
    monkeypatch.setenv(secret_env(tenant_a), imap_server.password)
    return make_account(tenant_a, mailbox, imap_server, folder)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens on it once the socket is closed


@pytest.fixture
def offline_account(tenant_a, mailbox, monkeypatch):
    """An account whose server is not there: for what happens before (or instead of) connecting."""
    monkeypatch.setenv(secret_env(tenant_a), "secret")
    return make_account(tenant_a, mailbox, MailServer("127.0.0.1", closed_port(), "someone", "secret"), "INBOX")


def message(subject="Broken street light", sender="Jane Smith <jane@example.org>", extra="") -> bytes:
    return (
        f"From: {sender}\r\nTo: contact@northfield.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.org>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n{extra}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nThe light outside 4 Elm Road is off ({subject}).\r\n"
    ).encode()


def poll(account: ImapAccount, **options):
    """Poll as the task does (in the tenant's scope); returns the result and the account as saved."""
    with tenant_scope(account.tenant):
        fresh = ImapAccount.objects.select_related("tenant", "mailbox").get(pk=account.pk)
        result = imap_poll(fresh, **options)
        return result, ImapAccount.objects.get(pk=account.pk)


def cases(tenant) -> list[str]:
    with tenant_scope(tenant):
        return sorted(Case.objects.values_list("description", flat=True))


def received(tenant) -> list[InboundEmail]:
    with tenant_scope(tenant):
        return list(InboundEmail.objects.order_by("id"))


def test_new_messages_become_cases_and_are_marked_read_on_the_server(tenant_a, account, imap_server, folder):
    imap_server.append(folder, message("Light one"))
    imap_server.append(folder, message("Light two", sender="Raj Patel <raj@example.org>"))
    result, saved = poll(account)
    assert result.error == "" and len(result.spooled) == 2
    assert [description.partition("\n")[0] for description in cases(tenant_a)] == ["Light one", "Light two"]
    emails = received(tenant_a)
    assert {email.outcome for email in emails} == {InboundEmail.Outcome.CASE_CREATED}
    assert {email.recipient for email in emails} == {"contact@northfield.localhost"}
    assert {email.envelope_from for email in emails} == {"jane@example.org", "raj@example.org"}
    assert imap_server.flags(folder) == {1: {r"\Seen"}, 2: {r"\Seen"}}
    assert (saved.last_uid, saved.last_error, saved.polling_since) == (2, "", None)
    assert saved.uidvalidity and saved.last_polled_at
    assert spool_waiting() == []


def test_a_second_poll_takes_nothing_again_and_then_only_what_is_new(tenant_a, account, imap_server, folder):
    imap_server.append(folder, message("First"))
    poll(account)
    result, _saved = poll(account)
    assert result.spooled == [] and len(cases(tenant_a)) == 1
    imap_server.append(folder, message("Second"))
    result, saved = poll(account)
    assert len(result.spooled) == 1 and len(cases(tenant_a)) == 2 and saved.last_uid == 2


def test_the_first_poll_takes_only_unread_messages(tenant_a, account, imap_server, folder):
    imap_server.append(folder, message("Read long ago"), seen=True)
    imap_server.append(folder, message("Not read yet"))
    imap_server.append(folder, message("Also read"), seen=True)
    result, saved = poll(account)
    assert len(result.spooled) == 1 and cases(tenant_a)[0].startswith("Not read yet")
    assert saved.last_uid == 3  # the read history is not taken later either
    imap_server.append(folder, message("New"))
    assert len(poll(account)[0].spooled) == 1 and len(cases(tenant_a)) == 2


def test_taken_mail_is_moved_to_the_processed_folder(tenant_a, mailbox, imap_server, folder, monkeypatch):
    """The processed folder does not exist yet: it is made on first use."""
    monkeypatch.setenv(secret_env(tenant_a), imap_server.password)
    account = make_account(tenant_a, mailbox, imap_server, folder, processed_folder=f"{folder}-done")
    imap_server.append(folder, message("One"))
    imap_server.append(folder, message("Two"))
    result, _saved = poll(account)
    assert len(result.spooled) == 2 and len(cases(tenant_a)) == 2
    assert imap_server.flags(folder) == {}
    assert len(imap_server.flags(f"{folder}-done")) == 2
    assert poll(account)[0].spooled == []


def test_a_limit_per_poll_leaves_the_rest_for_the_next(tenant_a, account, imap_server, folder):
    for number in range(3):
        imap_server.append(folder, message(f"Message {number}"))
    assert len(poll(account, limit=2)[0].spooled) == 2
    assert len(cases(tenant_a)) == 2 and imap_server.flags(folder)[3] == set()
    assert len(poll(account, limit=2)[0].spooled) == 1
    assert len(cases(tenant_a)) == 3


def test_a_changed_uidvalidity_starts_again_from_the_unread_messages(tenant_a, account, imap_server, folder):
    first = message("Taken before the folder was rebuilt")
    imap_server.append(folder, first)
    _result, before = poll(account)
    with imap_server.connection() as connection:  # the folder is rebuilt: every UID starts again
        assert connection.delete(quoted(folder))[0] == "OK"
        assert connection.create(quoted(folder))[0] == "OK"
    imap_server.append(folder, first)  # the same message again, unread: it must not become a second case
    imap_server.append(folder, message("Read by someone"), seen=True)
    imap_server.append(folder, message("New since"))
    result, after = poll(account)
    assert after.uidvalidity != before.uidvalidity and after.last_uid == 3
    assert len(result.spooled) == 2 and result.spooled[0] == imap_spool_name(account, first)
    assert [d.partition("\n")[0] for d in cases(tenant_a)] == ["New since", "Taken before the folder was rebuilt"]
    assert len(received(tenant_a)) == 2
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="imap_account.restart")
    assert event.changes["uidvalidity"] == [before.uidvalidity, after.uidvalidity]
    assert "rebuilt" in event.detail["reason"]
    assert imap_server.flags(folder) == {1: {r"\Seen"}, 2: {r"\Seen"}, 3: {r"\Seen"}}


def test_a_message_is_not_lost_when_ingestion_fails(tenant_a, account, imap_server, folder, monkeypatch):
    def database_down(name):
        raise DatabaseError("the database is down")

    imap_server.append(folder, message("Kept in the spool"))
    with monkeypatch.context() as patch:
        patch.setattr("borough.channels.tasks.ingest_spooled", database_down)
        result, saved = poll(account)
    assert result.error == "" and saved.last_uid == 1
    assert imap_server.flags(folder) == {1: {r"\Seen"}}  # taken from the server: the spool keeps it
    assert spool_waiting() == result.spooled and cases(tenant_a) == []
    assert mail_spool_sweep(older_than_seconds=0) == 1
    assert cases(tenant_a)[0].startswith("Kept in the spool") and spool_waiting() == []


def test_a_crash_before_marking_does_not_ingest_twice(tenant_a, account, imap_server, folder, monkeypatch):
    """The worker dies after spooling a message, before marking it read on the server."""

    def crash(self, uid):
        raise RuntimeError("the worker died")

    imap_server.append(folder, message("Spooled, then the crash"))
    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(ImapSession, "mark_seen", crash)
        poll(account)
    with tenant_scope(tenant_a):
        saved = ImapAccount.objects.get(pk=account.pk)
    assert saved.last_error == "Stopped by an unexpected error (RuntimeError); see the log"
    assert saved.polling_since is None and imap_server.flags(folder) == {1: set()}
    assert mail_spool_sweep(older_than_seconds=0) == 1  # the sweep ingests what the crash left in the spool
    result, saved = poll(account)  # the message is still unread on the server: taken again, ingested once
    assert len(result.spooled) == 1 and saved.last_error == ""
    assert len(cases(tenant_a)) == 1 and len(received(tenant_a)) == 1
    assert imap_server.flags(folder) == {1: {r"\Seen"}}


def test_a_uid_not_recorded_before_a_crash_is_not_ingested_twice(tenant_a, account, imap_server, folder):
    imap_server.append(folder, message("One"))
    imap_server.append(folder, message("Two"))
    poll(account)
    with tenant_scope(tenant_a):
        ImapAccount.objects.filter(pk=account.pk).update(last_uid=0)  # marked read, but the UID never recorded
    result, saved = poll(account)
    assert len(result.spooled) == 2 and saved.last_uid == 2
    assert len(cases(tenant_a)) == 2 and len(received(tenant_a)) == 2


def test_a_bounce_is_kept_and_ignored(tenant_a, account, imap_server, folder):
    imap_server.append(folder, message("Undeliverable", sender="MAILER-DAEMON <mailer-daemon@example.org>"))
    imap_server.append(folder, message("Delivery failed", extra="Return-Path: <>\r\n"))
    poll(account)
    assert {email.outcome for email in received(tenant_a)} == {InboundEmail.Outcome.IGNORED}
    assert cases(tenant_a) == []


def test_a_message_over_the_size_limit_is_left_in_the_folder(tenant_a, account, imap_server, folder, monkeypatch):
    monkeypatch.setattr(imap_module, "MAX_MESSAGE_BYTES", 400)
    imap_server.append(folder, message("Small"))
    imap_server.append(folder, message("Large", extra=f"X-Padding: {'x' * 500}\r\n"))
    result, saved = poll(account)
    assert len(result.spooled) == 1 and len(cases(tenant_a)) == 1
    assert imap_server.flags(folder) == {1: {r"\Seen"}, 2: set()}
    assert saved.last_error.startswith("Message 2 is over the size limit") and "left in the folder" in saved.last_error


def test_a_wrong_password_is_recorded_and_raises_nothing(tenant_a, account, imap_server, folder, monkeypatch):
    monkeypatch.setenv(secret_env(tenant_a), "not-the-password")
    imap_server.append(folder, message("Waits on the server"))
    assert imap_poll_due() >= 1  # the periodic task
    with tenant_scope(tenant_a):
        saved = ImapAccount.objects.get(pk=account.pk)
    assert saved.last_error.startswith("The server refused the username or password")
    assert saved.last_polled_at and saved.polling_since is None
    assert imap_server.flags(folder) == {1: set()} and cases(tenant_a) == []


def test_a_missing_secret_is_recorded(tenant_a, offline_account, monkeypatch):
    monkeypatch.delenv(secret_env(tenant_a))
    result, saved = poll(offline_account)
    assert (
        saved.last_error
        == result.error
        == (f"The password is not set: the environment variable {secret_env(tenant_a)} is empty")
    )


def test_a_server_that_refuses_connections_is_recorded(offline_account):
    port = offline_account.port
    assert poll(offline_account)[1].last_error == f"The server 127.0.0.1:{port} refused the connection"


def test_security_that_the_server_cannot_give_is_recorded(tenant_a, account, monkeypatch):
    with tenant_scope(tenant_a):
        ImapAccount.objects.filter(pk=account.pk).update(security="starttls")
    assert poll(account)[1].last_error.startswith("The server does not offer STARTTLS")
    with tenant_scope(tenant_a):
        ImapAccount.objects.filter(pk=account.pk).update(security="tls")
    assert poll(account)[1].last_error.startswith(f"A secure connection to 127.0.0.1:{account.port} could not be made")


def test_a_switched_off_mailbox_leaves_mail_on_the_server(tenant_a, account, mailbox, imap_server, folder):
    with tenant_scope(tenant_a):
        Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    imap_server.append(folder, message("Waits"))
    assert poll(account)[1].last_error == "The mailbox contact is switched off: its mail is left on the server"
    assert imap_server.flags(folder) == {1: set()}


def test_a_poll_already_running_is_not_overlapped(tenant_a, offline_account):
    account = offline_account
    with tenant_scope(tenant_a):
        ImapAccount.objects.filter(pk=account.pk).update(polling_since=timezone.now())
    result, saved = poll(account)
    assert result.busy and saved.last_polled_at is None
    with tenant_scope(tenant_a):  # a poll that died long ago does not block the account for ever
        ImapAccount.objects.filter(pk=account.pk).update(polling_since=timezone.now() - timedelta(hours=1))
    result, saved = poll(account)
    assert not result.busy and saved.last_polled_at and saved.polling_since is None


def test_xoauth2_initial_response():
    assert xoauth2_string("contact@northfield.gov.uk", "ya29.token") == (
        b"user=contact@northfield.gov.uk\x01auth=Bearer ya29.token\x01\x01"
    )


def test_xoauth2_login(tenant_a, mailbox, imap_server, folder, monkeypatch):
    """Dovecot hands an XOAUTH2 bearer token to its password database, so the test user's password serves as its
    token: this checks the SASL exchange imaplib sends, not an OAuth2 provider."""
    account = make_account(tenant_a, mailbox, imap_server, folder, auth_method="oauth2")
    imap_server.append(folder, message("By OAuth2"))
    monkeypatch.setenv(secret_env(tenant_a), imap_server.password)
    result, _saved = poll(account)
    assert result.error == "" and len(result.spooled) == 1
    monkeypatch.setenv(secret_env(tenant_a), "expired-token")
    assert poll(account)[1].last_error.startswith("The server refused the OAuth2 access token (status 401")


def test_the_periodic_task_polls_every_active_account_of_every_tenant(
    tenant_a, tenant_b, mailbox, imap_server, folder, monkeypatch
):
    monkeypatch.setenv(secret_env(tenant_a), imap_server.password)
    monkeypatch.setenv(secret_env(tenant_b), imap_server.password)
    other_folder, idle_folder = f"{folder}-b", f"{folder}-idle"
    with imap_server.connection() as connection:
        connection.create(quoted(other_folder))
        connection.create(quoted(idle_folder))
    try:
        make_account(tenant_a, mailbox, imap_server, folder)
        make_account(tenant_b, setup_mailbox(tenant_b), imap_server, other_folder)
        make_account(tenant_a, mailbox, imap_server, idle_folder, is_active=False)
        imap_server.append(folder, message("For Northfield"))
        imap_server.append(other_folder, message("For Southvale"))
        imap_server.append(idle_folder, message("Not polled"))
        assert imap_poll_due() == 2
        assert cases(tenant_a)[0].startswith("For Northfield") and len(cases(tenant_a)) == 1
        assert cases(tenant_b)[0].startswith("For Southvale") and len(cases(tenant_b)) == 1
        assert imap_server.flags(idle_folder) == {1: set()}
    finally:
        with imap_server.connection() as connection:
            connection.delete(quoted(other_folder))
            connection.delete(quoted(idle_folder))


def test_the_beat_polls_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["imap-poll"] == {
        "task": "borough.channels.tasks.imap_poll_due",
        "schedule": 60.0,
    }


def test_a_fault_in_one_poll_does_not_escape_the_periodic_task(tenant_a, offline_account, monkeypatch):
    def broken(account, **options):
        raise RuntimeError("a bug")

    monkeypatch.setattr("borough.channels.tasks.imap_poll", broken)
    assert imap_poll_due() >= 1


def test_the_command_polls_once(tenant_a, account, imap_server, folder, monkeypatch):
    imap_server.append(folder, message("By command"))
    output = io.StringIO()
    call_command("channels_imap_poll", "--tenant", "northfield", stdout=output)
    assert f"northfield: {account}: took 1 message(s)" in output.getvalue()
    assert len(cases(tenant_a)) == 1
    monkeypatch.setenv(secret_env(tenant_a), "wrong")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 IMAP account"):
        call_command("channels_imap_poll", stdout=io.StringIO(), stderr=errors)
    assert "refused the username or password" in errors.getvalue()
    with pytest.raises(CommandError, match="No tenant"):
        call_command("channels_imap_poll", "--tenant", "nowhere")
