"""ADR 0020: a process keeps the host's tenant, API keys, the catalogue and settings for a few seconds. What changes
through this process shows at once; nothing read in a rolled-back transaction is served; with the setting at 0
nothing is kept. These tests commit for real (transaction=True): kept values are stored when a transaction commits."""

import json
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, Service
from borough.crm.tests.api.test_crm_api import CASES, make_key
from borough.identity.models import ApiKey
from borough.identity.services import apikey_revoke
from borough.tenancy import kept
from borough.tenancy.scope import scope_memo, tenant_scope
from borough.tenancy.services import tenant_suspend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def keep_for_a_minute():
    kept.forget_all()
    with override_settings(BOROUGH_CONFIG_CACHE_SECONDS=60):
        yield
    kept.forget_all()


def post_case(client, key, service="missed-bin"):
    body = {"service": service, "description": "Bin not emptied", "answers": {"bin_type": "general"}}
    return client.post(CASES, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_a_value_is_kept_until_it_expires_or_is_forgotten():
    loads = []
    with tenant_scope(1):
        first = kept.kept(("k",), lambda: loads.append(1) or "first")
        assert kept.kept(("k",), lambda: loads.append(1) or "second") == first == "first"
        assert len(loads) == 1
        later = kept.time.monotonic() + 61
        with mock.patch.object(kept.time, "monotonic", return_value=later):
            assert kept.kept(("k",), lambda: "third") == "third"
        kept.forget(("k",))
        assert kept.kept(("k",), lambda: "fourth") == "fourth"


def test_nothing_is_kept_when_the_setting_is_zero():
    with override_settings(BOROUGH_CONFIG_CACHE_SECONDS=0):
        assert kept.kept(("z",), lambda: "one") == "one"
        assert kept.kept(("z",), lambda: "two") == "two"


def test_a_value_read_in_a_transaction_that_rolls_back_is_not_kept(tenant_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        with tenant_scope(tenant_a):
            scope_memo(("rolled", tenant_a.pk), lambda: "from the rolled-back transaction")
        raise RuntimeError("roll back")
    with tenant_scope(tenant_a):
        assert scope_memo(("rolled", tenant_a.pk), lambda: "read again") == "read again"


def test_the_host_key_and_catalogue_are_read_once_across_requests(catalogue, client_for):
    tenant = catalogue["tenant"]
    client, key = client_for(tenant), make_key(tenant, "write")
    assert post_case(client, key).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert post_case(client, key).status_code == 201
    read = " ".join(query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT"))
    for table in ("tenancy_tenant", "identity_apikey", "crm_service", "crm_servicequestion", "crm_routingrule"):
        assert f'FROM "{table}"' not in read
    with tenant_scope(tenant):
        assert Case.objects.count() == 2


def test_a_service_changed_in_this_process_shows_at_once(catalogue, client_for):
    tenant = catalogue["tenant"]
    client, key = client_for(tenant), make_key(tenant, "write")
    assert post_case(client, key).status_code == 201
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        service = Service.objects.get(code="missed-bin")
        service.is_active = False
        service.save()
    response = post_case(client, key)
    assert response.status_code == 400
    assert "not taking new requests" in response.content.decode()


def test_a_revoked_key_is_refused_at_once(catalogue, client_for):
    tenant = catalogue["tenant"]
    client, key = client_for(tenant), make_key(tenant, "write")
    assert post_case(client, key).status_code == 201
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        apikey_revoke(api_key=ApiKey.objects.get())
    assert post_case(client, key).status_code == 401


def test_a_suspended_tenant_is_refused_at_once(catalogue, client_for):
    tenant = catalogue["tenant"]
    client, key = client_for(tenant), make_key(tenant, "write")
    assert post_case(client, key).status_code == 201
    with acting_as(Actor.system("test")):
        tenant_suspend(tenant=tenant, reason="Unpaid invoices")
    assert post_case(client, key).status_code == 503
