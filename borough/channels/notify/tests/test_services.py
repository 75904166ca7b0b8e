"""Configuring a tenant's Notify account: every field checked, the callback token kept only as a hash."""

import hashlib
import uuid

import pytest
from django.core.exceptions import ValidationError

from borough.channels.notify.models import NotifyAccount
from borough.channels.notify.services import api_key_env_name, notify_account_configure
from borough.core.models import AuditEvent

TEMPLATE = str(uuid.uuid4())
TOKEN = "a-callback-token-of-some-length"


def test_an_account_keeps_only_the_tokens_hash(in_a):
    account = notify_account_configure(
        tenant=in_a, callback_token=TOKEN, sms_template_id=TEMPLATE.upper(), inbound_number="07700 900000"
    )
    assert account.sms_template_id == TEMPLATE and account.inbound_number == "+447700900000"
    assert account.callback_token_hash == hashlib.sha256(TOKEN.encode()).hexdigest()
    assert account.callback_token_matches(TOKEN) and not account.callback_token_matches(TOKEN + "x")
    assert not account.callback_token_matches("")
    event = AuditEvent.objects.get(action="notify.account_configure")
    assert TOKEN not in str(event.changes) and TOKEN not in str(event.detail)
    assert event.changes["sms_template_id"] == [None, TEMPLATE]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sms_template_id": "not-a-uuid"}, "sms_template_id"),
        ({"sms_template_id": ""}, "sms_template_id"),
        ({"sms_sender_id": "12345"}, "sms_sender_id"),
        ({"inbound_number": "not a number"}, "inbound_number"),
        ({"base_url": "http://notify.example.org"}, "base_url"),
        ({"base_url": "ftp://127.0.0.1"}, "base_url"),
        ({"email_via_notify": True}, "email_template_id"),
        ({"email_via_notify": "yes"}, "email_via_notify"),
        ({"callback_token_hash": "0" * 64}, "callback_token_hash"),
    ],
)
def test_bad_settings_are_refused_field_by_field(in_a, fields, field):
    with pytest.raises(ValidationError) as refused:
        notify_account_configure(tenant=in_a, callback_token=TOKEN, **{"sms_template_id": TEMPLATE, **fields})
    assert field in refused.value.message_dict
    assert not NotifyAccount.objects.exists()


def test_a_new_account_needs_a_callback_token_of_ten_characters(in_a):
    for token in ("", "short"):
        with pytest.raises(ValidationError) as refused:
            notify_account_configure(tenant=in_a, callback_token=token, sms_template_id=TEMPLATE)
        assert "callback_token" in refused.value.message_dict


def test_a_change_keeps_the_token_unless_a_new_one_is_given(in_a):
    notify_account_configure(tenant=in_a, callback_token=TOKEN, sms_template_id=TEMPLATE)
    account = notify_account_configure(tenant=in_a, base_url="http://127.0.0.1:8026", email_via_notify=False)
    assert account.callback_token_matches(TOKEN) and account.base_url == "http://127.0.0.1:8026"
    assert NotifyAccount.objects.count() == 1


def test_the_key_variable_is_named_after_the_tenant(in_a):
    assert api_key_env_name(in_a) == "BOROUGH_NOTIFY_KEY_NORTHFIELD"
