"""A property test of the case and service endpoints against their own OpenAPI schema (schemathesis): whatever
the generated input, valid or not, the API answers without a server error and as its schema says. Bounded
(25 examples an operation) so it runs in the ordinary test suite.

Generated references would almost never name a case, so most examples of the per-case operations address one of two
real cases (one with a resident, one anonymous); the rest keep the generated reference and meet the 404 path."""

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from borough.core.audit import Actor, acting_as
from borough.crm.tests.case_factories import make_person, new_case
from borough.identity.services import apikey_create
from borough.tenancy.scope import tenant_scope


def _openapi() -> dict:
    generated = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_openapi()).include(path_regex=r"^/api/v1/(cases|services)/")
WSGI = get_wsgi_application()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def key_for_northfield(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        _api_key, key = apikey_create(tenant=tenant, name="Fuzz", scopes=["read", "write"])
        answers = {"bin_type": "general"}
        with_resident = new_case(tenant, catalogue["missed_bin"], answers=answers, requester=make_person(tenant))
        anonymous = new_case(tenant, catalogue["pothole"], postcode="NF1 1AA")
    references = [with_resident.reference, anonymous.reference]
    cache.clear()  # the throttle budget
    # As Django's test client does: a request must not close the connection that holds the test's data.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield tenant, key, references
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
        cache.clear()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_case_and_service_endpoints_follow_their_schema(case, key_for_northfield):
    tenant, key, references = key_for_northfield
    if "reference" in (case.path_parameters or {}):
        generated = str(case.path_parameters["reference"])
        # Three examples in four address a real case; the choice follows the generated value, so it replays.
        if sum(generated.encode()) % 4:
            case.path_parameters["reference"] = references[len(generated) % 2]
    response = case.call(
        app=WSGI, base_url=f"http://{tenant.slug}.localhost", headers={"Authorization": f"Api-Key {key}"}
    )
    case.validate_response(response, checks=CHECKS)
