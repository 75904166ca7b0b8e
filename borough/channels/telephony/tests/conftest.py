"""Northfield with the CRM test catalogue, two agents, a resident on record with an open case, and an API key for
the telephony platform."""

import json

import pytest
from django.core.cache import cache

from borough.core.audit import Actor, acting_as
from borough.crm.tests import case_factories
from borough.crm.tests.case_factories import make_person, new_case
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope

WEBHOOK = "/api/v1/telephony/calls"
JANE_PHONE = "07700 900123"
catalogue = case_factories.catalogue  # the CRM tests' fixture, used here too


@pytest.fixture(autouse=True)
def fresh_throttle_budgets():
    cache.clear()
    yield
    cache.clear()


def make_key(tenant, *scopes) -> str:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return apikey_create(tenant=tenant, name=f"Key {'-'.join(scopes)}", scopes=list(scopes))[1]


@pytest.fixture
def desk(catalogue, make_staff):
    """The tenant, two agents, Jane (on record by phone) with an open missed-bin case."""
    tenant = catalogue["tenant"]
    agent = make_staff(
        tenant, roles=("crm.agent",), username="anna", email="anna@northfield.example", first_name="Anna"
    )
    other = make_staff(tenant, roles=("crm.agent",), username="omar", first_name="Omar")
    with tenant_scope(tenant):
        jane = make_person(tenant, phone=JANE_PHONE, needs="Hard of hearing: speak slowly")
        case = new_case(tenant, catalogue["missed_bin"], answers={"bin_type": "general"}, requester=jane)
    return {**catalogue, "agent": agent, "other": other, "jane": jane, "case": case}


class Hook:
    """The platform: posts events to the webhook on the tenant's host with its API key."""

    def __init__(self, client, key: str | None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}

    def raw(self, body: str, content_type: str = "application/json"):
        return self.client.post(WEBHOOK, body, content_type=content_type, **self.headers)

    def post(self, **body):
        return self.raw(json.dumps(body))

    def event(self, call_id: str = "c-1", state: str = "ringing", caller: str = JANE_PHONE, **extra):
        return self.post(call_id=call_id, state=state, caller=caller, called="01632 960000", **extra)


@pytest.fixture
def hook(desk, client_for):
    return Hook(client_for(desk["tenant"]), make_key(desk["tenant"], "telephony"))
