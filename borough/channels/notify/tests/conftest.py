"""The Notify stand-in on a free loopback port, and a tenant whose Notify account points at it."""

import uuid

import pytest

from borough.channels.notify.services import api_key_env_name, notify_account_configure
from borough.channels.notify.standin import NotifyStandIn
from borough.core.audit import Actor, acting_as
from borough.tenancy.scope import tenant_scope

CALLBACK_TOKEN = "northfield-callback-token-0123456789"
SMS_TEMPLATE = str(uuid.uuid4())
EMAIL_TEMPLATE = str(uuid.uuid4())
INBOUND_NUMBER = "07700900000"


@pytest.fixture
def notify_standin():
    with NotifyStandIn() as standin:
        yield standin


def configure_notify(tenant, standin: NotifyStandIn, monkeypatch, **fields):
    monkeypatch.setenv(api_key_env_name(tenant), standin.api_key)
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return notify_account_configure(
            tenant=tenant,
            callback_token=CALLBACK_TOKEN,
            base_url=standin.url,
            sms_template_id=SMS_TEMPLATE,
            email_template_id=EMAIL_TEMPLATE,
            inbound_number=INBOUND_NUMBER,
            **fields,
        )


@pytest.fixture
def notify_account(tenant_a, notify_standin, monkeypatch):
    return configure_notify(tenant_a, notify_standin, monkeypatch)


@pytest.fixture
def in_a(tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        yield tenant_a
