"""Creating and changing IMAP accounts: every setting checked, with a message per field; nothing written when any is
wrong; each change audited; a secret only ever named (an environment variable of the account's own tenant)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from borough.channels.email.imap_session import secret_env_allowed
from borough.channels.models import ImapAccount
from borough.channels.services import imap_account_create, imap_account_update
from borough.channels.tests.conftest import setup_mailbox
from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db

GOOD = {
    "host": "imap.northfield.example",
    "port": 993,
    "security": "tls",
    "username": "contact@northfield.example",
    "auth_method": "password",
    "secret_env": "BOROUGH_IMAP_SECRET_NORTHFIELD__CONTACT",
}


def create(tenant, mailbox, **changes):
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return imap_account_create(tenant=tenant, mailbox=mailbox, **{**GOOD, **changes})


def errors_of(tenant, mailbox, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        create(tenant, mailbox, **changes)
    return raised.value.message_dict


def test_an_account_is_created_and_audited_without_its_secret(tenant_a, mailbox):
    account = create(tenant_a, mailbox, host="IMAP.Northfield.Example.", port="993")
    assert (account.host, account.port, account.folder, account.processed_folder) == (
        "imap.northfield.example",
        993,
        "INBOX",
        "",
    )
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="imap_account.create")
    assert event.changes["secret_env"] == [None, "BOROUGH_IMAP_SECRET_NORTHFIELD__CONTACT"]
    assert event.changes["mailbox"] == [None, mailbox.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"host": "https://imap.example.org"}, "host"),
        ({"host": "imap.example.org:993"}, "host"),
        ({"host": ""}, "host"),
        ({"host": "-bad-.example.org"}, "host"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"port": "imap"}, "port"),
        ({"port": True}, "port"),
        ({"security": "ssl3"}, "security"),
        ({"security": "none"}, "security"),  # not loopback
        ({"username": ""}, "username"),
        ({"username": "a\r\nb"}, "username"),
        ({"auth_method": "kerberos"}, "auth_method"),
        ({"secret_env": ""}, "secret_env"),
        ({"secret_env": "SECRET_KEY"}, "secret_env"),
        ({"secret_env": "DATABASE_URL"}, "secret_env"),
        ({"secret_env": "BOROUGH_IMAP_SECRET_SOUTHVALE__CONTACT"}, "secret_env"),  # another tenant's
        ({"secret_env": "BOROUGH_IMAP_SECRET_NORTHFIELD__"}, "secret_env"),
        ({"folder": ""}, "folder"),
        ({"folder": 'In"box'}, "folder"),
        ({"folder": "Inbox/*"}, "folder"),
        ({"folder": "Boîte"}, "folder"),
        ({"processed_folder": "inbox"}, "processed_folder"),  # the folder itself
        ({"processed_folder": "Done\\"}, "processed_folder"),
        ({"is_active": "yes"}, "is_active"),
        ({"password": "hunter2"}, "password"),  # no such setting: a secret is never stored
    ],
)
def test_a_wrong_setting_is_refused_with_its_field_and_nothing_is_written(tenant_a, mailbox, changes, field):
    assert field in errors_of(tenant_a, mailbox, **changes)
    with tenant_scope(tenant_a):
        assert not ImapAccount.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="imap_account.").exists()


def test_no_tls_is_allowed_only_to_this_machine(tenant_a, mailbox):
    assert create(tenant_a, mailbox, host="127.0.0.1", port=10143, security="none").security == "none"


def test_the_mailbox_must_be_the_tenants_own(tenant_a, tenant_b, mailbox):
    other = setup_mailbox(tenant_b)
    assert errors_of(tenant_a, other) == {"mailbox": ["Choose a mailbox of this council"]}
    assert "mailbox" in errors_of(tenant_a, None)


def test_one_folder_of_one_user_feeds_one_mailbox(tenant_a, mailbox):
    create(tenant_a, mailbox)
    assert "folder" in errors_of(tenant_a, mailbox)
    assert create(tenant_a, mailbox, folder="Council/Contact").folder == "Council/Contact"


def test_pointing_an_account_at_another_folder_starts_polling_again(tenant_a, mailbox):
    account = create(tenant_a, mailbox)
    with tenant_scope(tenant_a):
        ImapAccount.objects.filter(pk=account.pk).update(uidvalidity=7, last_uid=42, last_error="old")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        kept = imap_account_update(account=account, is_active=False, processed_folder="Done")
        assert (kept.uidvalidity, kept.last_uid, kept.is_active) == (7, 42, False)
        moved = imap_account_update(account=account, folder="Contact")
        assert (moved.uidvalidity, moved.last_uid, moved.last_error) == (None, 0, "")
        events = list(AuditEvent.objects.filter(action="imap_account.update").order_by("id"))
        assert events[0].changes == {"is_active": [True, False], "processed_folder": ["", "Done"]}
        assert events[1].changes == {"folder": ["INBOX", "Contact"]}
        with pytest.raises(ValidationError) as raised:
            imap_account_update(account=account, port=-1)
        assert list(raised.value.message_dict) == ["port"]
        assert ImapAccount.objects.get(pk=account.pk).port == 993


def test_a_secret_name_belongs_to_one_tenant_only():
    north, north_field = SimpleNamespace(slug="north"), SimpleNamespace(slug="north-field")
    assert secret_env_allowed(north, "BOROUGH_IMAP_SECRET_NORTH__CONTACT")
    assert secret_env_allowed(north_field, "BOROUGH_IMAP_SECRET_NORTH_FIELD__CONTACT_2")
    assert not secret_env_allowed(north, "BOROUGH_IMAP_SECRET_NORTH_FIELD__CONTACT")
    assert not secret_env_allowed(north, "BOROUGH_IMAP_SECRET_NORTH__FIELD__CONTACT")
    assert not secret_env_allowed(north, "BOROUGH_IMAP_SECRET_NORTH__contact")
    assert not secret_env_allowed(north, "SECRET_KEY")
