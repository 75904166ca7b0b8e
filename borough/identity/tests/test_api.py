"""The tenant API foundation: API key and session authentication, scopes and roles, error bodies, pagination,
throttling per key, the OpenAPI schema, and the `borough apikey` command."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from drf_spectacular.drainage import reset_generator_stats

from borough.core.api import exception_handler
from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.identity.models import ApiKey
from borough.identity.services import apikey_create, apikey_revoke, support_access_grant
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope
from borough.tenancy.services import tenant_reactivate, tenant_suspend

ME = "/api/v1/me/"
AUDIT = "/api/v1/audit-events/"


@pytest.fixture(autouse=True)
def fresh_throttle_budgets():
    cache.clear()  # throttling counts in the cache, which outlives a test's database
    yield
    cache.clear()


def make_key(tenant, scopes=("read",), name="Integration") -> tuple[ApiKey, str]:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        return apikey_create(tenant=tenant, name=name, scopes=list(scopes))


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def assert_error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code and body["detail"]
    return body


def add_events(tenant, *specs) -> list[AuditEvent]:
    """Audit events at given moments: (action, object_type, object_id, occurred_at)."""
    with tenant_scope(tenant):
        return [
            AuditEvent.objects.create(
                tenant=tenant,
                actor_type="system",
                actor_label="test",
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=f"{object_type} {object_id}",
                occurred_at=occurred_at,
            )
            for action, object_type, object_id, occurred_at in specs
        ]


# Authentication by API key


@pytest.mark.django_db
def test_a_valid_key_says_who_is_calling_and_records_its_use(tenant_a, client_for):
    api_key, key = make_key(tenant_a, scopes=("read", "write"), name="Website forms")
    response = client_for(tenant_a).get(ME, **auth(key))
    assert response.status_code == 200
    assert response.json() == {
        "caller": {
            "kind": "api_key",
            "name": "Website forms",
            "key_prefix": api_key.prefix,
            "scopes": ["read", "write"],
            "roles": [],
        },
        "tenant": {
            "slug": "northfield",
            "name": "Northfield District Council",
            "modules": tenant_a.enabled_modules,
        },
    }
    with tenant_scope(tenant_a):
        assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


@pytest.mark.django_db
def test_no_credentials_answer_401_with_the_error_body(tenant_a, client_for):
    response = client_for(tenant_a).get(ME)
    assert_error_body(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Api-Key brk_notarealkeyatall", "Api-Key ", "Api-Key short"])
def test_a_wrong_key_answers_401(tenant_a, client_for, header):
    make_key(tenant_a)
    response = client_for(tenant_a).get(ME, HTTP_AUTHORIZATION=header)
    body = assert_error_body(response, 401, "authentication_failed")
    assert body["errors"] == {}


@pytest.mark.django_db
def test_a_key_with_the_right_prefix_but_wrong_secret_answers_401(tenant_a, client_for):
    _api_key, key = make_key(tenant_a)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert_error_body(client_for(tenant_a).get(ME, **auth(forged)), 401, "authentication_failed")


@pytest.mark.django_db
def test_a_revoked_key_answers_401(tenant_a, client_for):
    api_key, key = make_key(tenant_a)
    assert client_for(tenant_a).get(ME, **auth(key)).status_code == 200
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        apikey_revoke(api_key=api_key)
    assert_error_body(client_for(tenant_a).get(ME, **auth(key)), 401, "authentication_failed")


@pytest.mark.django_db
def test_a_key_of_tenant_b_is_unknown_on_tenant_a_host(tenant_a, tenant_b, client_for):
    _api_key, key_b = make_key(tenant_b)
    assert client_for(tenant_b).get(ME, **auth(key_b)).status_code == 200
    assert_error_body(client_for(tenant_a).get(ME, **auth(key_b)), 401, "authentication_failed")


@pytest.mark.django_db
def test_a_key_without_the_scope_gets_403(tenant_a, client_for):
    _api_key, key = make_key(tenant_a, scopes=("runs",))
    body = assert_error_body(client_for(tenant_a).get(AUDIT, **auth(key)), 403, "permission_denied")
    assert "read" in body["detail"]


# Authentication by staff session


@pytest.mark.django_db
def test_a_staff_session_works(tenant_a, make_staff, client_for):
    admin = make_staff(tenant_a, roles=("tenant.admin",), username="alice")
    client = client_for(tenant_a, admin)
    me = client.get(ME).json()
    assert me["caller"] == {
        "kind": "staff",
        "name": "alice",
        "key_prefix": None,
        "scopes": [],
        "roles": ["tenant.admin"],
    }
    assert client.get(AUDIT).status_code == 200


@pytest.mark.django_db
def test_provider_staff_under_a_support_grant_are_shown_as_support(tenant_a, client_for):
    engineer = get_user_model().objects.create_user(username="pat", password="x" * 16, is_provider_staff=True)
    assert_error_body(client_for(tenant_a, engineer).get(ME), 404, "not_found")  # no grant yet
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        support_access_grant(
            tenant=tenant_a,
            user=engineer,
            reason="Investigating ticket 4521",
            roles=["tenant.admin"],
            duration=timedelta(hours=1),
        )
    caller = client_for(tenant_a, engineer).get(ME).json()["caller"]
    assert (caller["kind"], caller["name"], caller["roles"]) == ("support", "pat", ["tenant.admin"])


@pytest.mark.django_db
def test_a_member_without_the_role_gets_403(tenant_a, make_staff, client_for):
    agent = make_staff(tenant_a, roles=("crm.agent",))
    assert client_for(tenant_a, agent).get(ME).status_code == 200
    assert_error_body(client_for(tenant_a, agent).get(AUDIT), 403, "permission_denied")


@pytest.mark.django_db
def test_a_non_member_session_gets_404(tenant_a, tenant_b, make_staff, client_for):
    outsider = make_staff(tenant_b, roles=("tenant.admin",))
    for url in (ME, AUDIT):
        assert_error_body(client_for(tenant_a, outsider).get(url), 404, "not_found")


# Suspension


@pytest.mark.django_db
def test_suspending_a_tenant_refuses_its_keys_and_sessions_at_once(tenant_a, make_staff, client_for):
    _api_key, key = make_key(tenant_a)
    session = client_for(tenant_a, make_staff(tenant_a))
    key_client = client_for(tenant_a)
    assert key_client.get(ME, **auth(key)).status_code == 200
    assert session.get(ME).status_code == 200

    with acting_as(Actor.system("test")):
        tenant_suspend(tenant=tenant_a, reason="Contract ended")
    for response in (key_client.get(ME, **auth(key)), session.get(ME)):
        assert response.status_code == 503
        assert response.json()["code"] == "tenant_unavailable"

    with acting_as(Actor.system("test")):
        tenant_reactivate(tenant=Tenant.objects.get(pk=tenant_a.pk))
    assert key_client.get(ME, **auth(key)).status_code == 200


# Audit events: filters, errors, pagination, isolation


@pytest.mark.django_db
def test_audit_events_filter_by_object_action_and_time(tenant_a, client_for):
    _api_key, key = make_key(tenant_a)
    add_events(
        tenant_a,
        ("case.create", "crm.case", "1", datetime(2025, 1, 10, 9, tzinfo=UTC)),
        ("case.close", "crm.case", "1", datetime(2025, 2, 10, 9, tzinfo=UTC)),
        ("case.create", "crm.case", "2", datetime(2025, 3, 10, 9, tzinfo=UTC)),
    )
    client = client_for(tenant_a)

    def actions(query: str) -> list[tuple[str, str]]:
        response = client.get(AUDIT + query, **auth(key))
        assert response.status_code == 200, response.content
        return [(e["action"], e["object_id"]) for e in response.json()["results"]]

    assert actions("?object_type=crm.case&object_id=1") == [("case.close", "1"), ("case.create", "1")]
    assert actions("?object_type=crm.case&action=case.create") == [("case.create", "2"), ("case.create", "1")]
    assert actions("?object_type=crm.case&since=2025-02-01&until=2025-03-01") == [("case.close", "1")]
    assert actions("?object_type=crm.case&since=2025-02-10T09:00:00Z") == [
        ("case.create", "2"),
        ("case.close", "1"),
    ]


@pytest.mark.django_db
def test_a_bad_filter_answers_400_with_field_level_messages(tenant_a, client_for):
    _api_key, key = make_key(tenant_a)
    client = client_for(tenant_a)
    body = assert_error_body(client.get(AUDIT + "?since=last-tuesday", **auth(key)), 400, "invalid")
    assert list(body["errors"]) == ["since"]
    assert isinstance(body["errors"]["since"], list) and body["errors"]["since"][0]

    body = assert_error_body(client.get(AUDIT + "?since=2025-03-01&until=2025-02-01", **auth(key)), 400, "invalid")
    assert list(body["errors"]) == ["until"]


@pytest.mark.django_db
def test_audit_events_are_paginated(tenant_a, client_for):
    _api_key, key = make_key(tenant_a)
    add_events(
        tenant_a,
        *[("thing.touch", "demo.thing", str(n), datetime(2025, 1, n, tzinfo=UTC)) for n in range(1, 6)],
    )
    client = client_for(tenant_a)

    first = client.get(AUDIT + "?object_type=demo.thing&page_size=2", **auth(key)).json()
    assert first["count"] == 5
    assert [e["object_id"] for e in first["results"]] == ["5", "4"]
    assert first["previous"] is None and "page=2" in first["next"]

    last = client.get(first["next"], **auth(key)).json()
    assert [e["object_id"] for e in last["results"]] == ["3", "2"]
    page3 = client.get(AUDIT + "?object_type=demo.thing&page_size=2&page=3", **auth(key)).json()
    assert [e["object_id"] for e in page3["results"]] == ["1"] and page3["next"] is None

    assert_error_body(client.get(AUDIT + "?page=99", **auth(key)), 404, "not_found")


@pytest.mark.django_db
def test_an_audit_event_is_retrieved_only_by_its_own_tenant(tenant_a, tenant_b, client_for):
    _api_key, key_a = make_key(tenant_a)
    [event_a] = add_events(tenant_a, ("thing.touch", "demo.thing", "1", datetime(2025, 1, 1, tzinfo=UTC)))
    [event_b] = add_events(tenant_b, ("thing.touch", "demo.thing", "1", datetime(2025, 1, 1, tzinfo=UTC)))
    client = client_for(tenant_a)
    found = client.get(f"{AUDIT}{event_a.pk}/", **auth(key_a))
    assert found.status_code == 200
    assert found.json()["id"] == event_a.pk and found.json()["actor_label"] == "test"
    assert_error_body(client.get(f"{AUDIT}{event_b.pk}/", **auth(key_a)), 404, "not_found")
    assert_error_body(client.get(f"{AUDIT}not-a-number/", **auth(key_a)), 404, "not_found")


# Throttling


@pytest.mark.django_db
def test_throttling_counts_per_key(tenant_a, client_for):
    _key1, key1 = make_key(tenant_a, name="Busy")
    _key2, key2 = make_key(tenant_a, name="Quiet")
    client = client_for(tenant_a)
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"per_key": "2/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        assert [client.get(ME, **auth(key1)).status_code for _ in range(2)] == [200, 200]
        throttled = client.get(ME, **auth(key1))
        assert_error_body(throttled, 429, "throttled")
        assert int(throttled["Retry-After"]) > 0
        assert client.get(ME, **auth(key2)).status_code == 200


# Error bodies from services


def test_a_django_validation_error_from_a_service_becomes_a_400_with_field_messages():
    response = exception_handler(DjangoValidationError({"name": "Give the key a name."}), {})
    assert response.status_code == 400
    assert response.data == {
        "detail": response.data["detail"],
        "code": "invalid",
        "errors": {"name": ["Give the key a name."]},
    }
    plain = exception_handler(DjangoValidationError("Not now."), {})
    assert plain.data["errors"] == {"non_field_errors": ["Not now."]}


# The OpenAPI schema and docs


@pytest.mark.django_db
def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    reset_generator_stats()  # warnings counted by earlier generations in this process are not this run's
    target = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--urlconf",
        "config.urls_tenant",
        "--format",
        "openapi-json",
        "--file",
        str(target),
    )
    schema = json.loads(target.read_text())
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "code", "errors"}
    audit_list = schema["paths"]["/api/v1/audit-events/"]["get"]
    assert {p["name"] for p in audit_list["parameters"]} >= {"since", "until", "object_type", "page_size"}
    assert {"400", "401", "403", "404", "429"} <= set(audit_list["responses"])


@pytest.mark.django_db
def test_schema_and_docs_are_served_on_a_tenant_host(tenant_a, client_for):
    client = client_for(tenant_a)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/me/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


# borough apikey


def apikey(*args) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_apikey_create_prints_the_key_alone_on_the_last_line_and_stores_only_a_hash(tenant_a, client_for):
    output = apikey("create", "--tenant", "northfield", "--name", "Website", "--scope", "read", "--scope", "write")
    key = output.strip().splitlines()[-1]
    assert key.startswith("brk_") and " " not in key
    assert key not in "\n".join(output.strip().splitlines()[:-1])

    with tenant_scope(tenant_a):
        stored = ApiKey.objects.get(name="Website")
        assert stored.scopes == ["read", "write"]
        row = json.dumps(list(ApiKey.objects.values()), default=str)
        audit = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert key not in row and key[4:] not in row and key not in audit
    assert stored.prefix in key

    assert client_for(tenant_a).get(ME, **auth(key)).json()["caller"]["name"] == "Website"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nowhere", "--name", "X", "--scope", "read"], "No tenant with slug 'nowhere'"),
        (
            ["--tenant", "northfield", "--name", "X", "--scope", "teleport"],
            "scopes: Unknown or missing scopes: teleport",
        ),
        (["--tenant", "northfield", "--name", "X"], "scopes: Unknown or missing scopes"),
        (["--tenant", "northfield", "--name", "  ", "--scope", "read"], "name: Give the key a name"),
    ],
)
def test_apikey_create_refuses_bad_input_clearly_and_creates_nothing(tenant_a, args, message):
    with pytest.raises(CommandError, match=message):
        apikey("create", *args)
    with tenant_scope(tenant_a):
        assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_apikey_list_and_revoke(tenant_a, tenant_b, client_for):
    key = apikey("create", "--tenant", "northfield", "--name", "Payments", "--scope", "read").strip().splitlines()[-1]
    apikey("create", "--tenant", "southvale", "--name", "Other council", "--scope", "read")
    with tenant_scope(tenant_a):
        prefix = ApiKey.objects.get().prefix

    listing = apikey("list", "--tenant", "northfield").splitlines()
    assert listing[0] == "prefix\tname\tscopes\tlast used\trevoked"
    assert listing[1:] == [f"{prefix}\tPayments\tread\t-\t-"]

    assert "Revoked API key" in apikey("revoke", "--tenant", "northfield", prefix)
    assert client_for(tenant_a).get(ME, **auth(key)).status_code == 401
    assert apikey("list", "--tenant", "northfield").splitlines()[1].split("\t")[4] != "-"
    assert "already revoked" in apikey("revoke", "--tenant", "northfield", prefix)
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="apikey.revoke").count() == 1

    with pytest.raises(CommandError, match="no API key with prefix"):
        apikey("revoke", "--tenant", "southvale", prefix)  # another tenant's key is not found
