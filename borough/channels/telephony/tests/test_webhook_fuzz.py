"""A property test of the webhook against its own OpenAPI schema (schemathesis): whatever the generated event,
valid or not, it answers without a server error and as its schema says. Bounded so it runs in the ordinary suite."""

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

from borough.channels.telephony.tests.conftest import make_key


def _openapi() -> dict:
    generated = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_openapi()).include(path_regex=r"^/api/v1/telephony/")
WSGI = get_wsgi_application()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def platform_key(desk):
    key = make_key(desk["tenant"], "telephony")
    cache.clear()  # the throttle budget
    # As Django's test client does: a request must not close the connection that holds the test's data.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield desk["tenant"], key
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
def test_the_webhook_follows_its_schema(case, platform_key):
    tenant, key = platform_key
    response = case.call(
        app=WSGI, base_url=f"http://{tenant.slug}.localhost", headers={"Authorization": f"Api-Key {key}"}
    )
    case.validate_response(response, checks=CHECKS)
