"""Open311 errors: the spec's error body in both formats, 404/403/400 as the spec says, and nothing half-made."""

import json

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.core.audit import Actor, acting_as
from borough.crm.attachments import MAX_ATTACHMENT_BYTES
from borough.crm.models import Case, CaseAttachment
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.sweep_factories import (
    an_open311_photo,
    an_open311_request,
    an_open311_service,
    an_open311_token,
)
from borough.crm.tests.test_open311_fixtures import (
    JPEG,
    PNG,
    add_catalogue,
    error_descriptions,
    make_case,
    make_key,
    pothole_fields,
)
from borough.identity.models import ApiKey
from borough.identity.services import apikey_revoke
from borough.people.models import Person
from borough.tenancy.scope import tenant_scope

BOTH = pytest.mark.parametrize("fmt", ["xml", "json"])

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key


@pytest.fixture
def nothing_created(tenant_a):
    """After the test: no case, person or attachment was written."""
    yield
    with tenant_scope(tenant_a):
        assert Case.objects.count() == 0
        assert Person.objects.count() == 0
        assert CaseAttachment.objects.count() == 0


def post(api, fmt, fields, **extra):
    return api.post(f"/open311/v2/requests.{fmt}", fields, **extra)


# 403: the api_key


@BOTH
def test_missing_api_key_is_403(api, catalogue, open311_key, nothing_created, fmt):
    fields = pothole_fields(open311_key)
    del fields["api_key"]
    response = post(api, fmt, fields)
    assert response.status_code == 403
    [(_code, description)] = error_descriptions(response, fmt)
    assert "api_key is required" in description


@BOTH
def test_unknown_api_key_is_403(api, catalogue, nothing_created, fmt):
    response = post(api, fmt, pothole_fields("brk_not-a-real-key-at-all-0123456789"))
    assert response.status_code == 403
    assert "unknown or has been revoked" in error_descriptions(response, fmt)[0][1]


def test_revoked_api_key_is_403(api, tenant_a, catalogue, open311_key, nothing_created):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        apikey_revoke(api_key=ApiKey.objects.get())
    assert post(api, "xml", pothole_fields(open311_key)).status_code == 403


def test_api_key_without_the_open311_scope_is_403(api, tenant_a, catalogue, nothing_created):
    key = make_key(tenant_a, scopes=("read", "write"), name="Reporting")
    response = post(api, "json", pothole_fields(key))
    assert response.status_code == 403
    assert error_descriptions(response, "json") == [(403, "The api_key does not have the open311 scope.")]


def test_another_tenants_api_key_is_403(api, tenant_b, catalogue, nothing_created):
    add_catalogue(tenant_b)
    key_of_b = make_key(tenant_b)
    assert post(api, "xml", pothole_fields(key_of_b)).status_code == 403


def test_a_wrong_api_key_on_a_read_is_403_too(api, catalogue):
    response = api.get("/open311/v2/servicerequestupdates.xml", {"api_key": "brk_wrong-wrong-wrong"})
    assert response.status_code == 403


# 404: resources, services, jurisdictions


@BOTH
def test_unknown_service_code_is_404(api, catalogue, open311_key, nothing_created, fmt):
    response = post(api, fmt, pothole_fields(open311_key, service_code="unicorn-sighting"))
    assert response.status_code == 404
    assert "unicorn-sighting" in error_descriptions(response, fmt)[0][1]


def test_retired_service_takes_no_requests(api, catalogue, open311_key, nothing_created):
    assert post(api, "xml", pothole_fields(open311_key, service_code="retired")).status_code == 404


@BOTH
def test_unknown_jurisdiction_is_404_before_anything_else(api, catalogue, open311_key, nothing_created, fmt):
    response = post(api, fmt, pothole_fields("", jurisdiction_id="southvale"))
    assert response.status_code == 404
    assert "southvale" in error_descriptions(response, fmt)[0][1]
    assert api.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "elsewhere.gov.uk"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("/open311/v2/services", "xml"),
        ("/open311/v2/services.csv", "xml"),
        ("/open311/v2/requests/", "xml"),
        ("/open311/v2/nothing/here.json", "json"),
        ("/open311/v2/", "xml"),
    ],
)
def test_unknown_resource_is_404_in_the_spec_body(api, catalogue, path, fmt):
    response = api.get(path)
    assert response.status_code == 404
    [(_code, description)] = error_descriptions(response, fmt)
    assert "There is no Open311 resource" in description


def test_tenant_without_the_crm_is_404(make_tenant, client_for):
    shop = make_tenant("cornershop", kind="business")
    assert not shop.has_module("crm")
    response = client_for(shop).get("/open311/v2/services.json")
    assert response.status_code == 404
    assert error_descriptions(response, "json") == [(404, "There is no Open311 service on this site.")]


def test_other_tenants_objects_are_404_on_this_host(api, tenant_a, tenant_b, catalogue):
    theirs = add_catalogue(tenant_b)
    make_key(tenant_b)
    case_of_b = make_case(tenant_b, theirs.pothole)
    with tenant_scope(tenant_b):
        Case.objects.filter(pk=case_of_b.pk).update(open311_token="token-of-b")
        Case.objects.filter(pk=case_of_b.pk).update(reference="ZZZ-000001")
    assert api.get("/open311/v2/requests/ZZZ-000001.xml").status_code == 404
    assert api.get("/open311/v2/tokens/token-of-b.json").status_code == 404
    ids = {r["service_request_id"] for r in json.loads(api.get("/open311/v2/requests.json").content)}
    assert ids == set()


# 400: everything else


@BOTH
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"lat": "fifty-two"}, "lat must be a number of degrees"),
        ({"long": "1e999"}, "long must be between -180 and 180"),
        ({"lat": "91"}, "lat must be between -90 and 90"),
        ({"lat": ""}, "Give both lat and long"),
        ({"attribute[hazard]": "banana"}, "attribute[hazard]: "),
        ({"attribute[depth]": "deep"}, "attribute[depth]: "),
        ({"attribute[depth]": ""}, "attribute[depth]: "),
        ({"email": "not-an-email"}, "email: "),
        ({"phone": "call me"}, "phone: "),
        ({"description": "x" * 4001}, "description may have at most 4000 characters"),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https address"),
        ({"description": "nul\x00byte"}, "description: remove the NUL character"),
    ],
)
def test_bad_fields_are_400_and_create_nothing(api, catalogue, open311_key, nothing_created, fmt, changes, words):
    response = post(api, fmt, pothole_fields(open311_key, **changes))
    assert response.status_code == 400, response.content
    descriptions = [description for _code, description in error_descriptions(response, fmt)]
    assert any(words in description for description in descriptions), descriptions


def test_located_service_without_any_location_is_400(api, catalogue, open311_key, nothing_created):
    fields = pothole_fields(open311_key)
    del fields["lat"], fields["long"]
    response = post(api, "json", fields)
    assert response.status_code == 400
    assert error_descriptions(response, "json")[0][1].startswith("address_string: Give the location")


def test_every_bad_attribute_is_reported_at_once(api, catalogue, open311_key, nothing_created):
    fields = pothole_fields(open311_key, **{"attribute[hazard]": "banana", "attribute[depth]": "deep"})
    descriptions = [d for _c, d in error_descriptions(post(api, "xml", fields), "xml")]
    assert {d.split(":")[0] for d in descriptions} == {"attribute[hazard]", "attribute[depth]"}


@BOTH
@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        ('{"service_code": "pothole", ', "application/json", "not valid JSON"),
        ('["pothole"]', "application/json", "must be an object"),
        ('{"service_code": {"nested": true}}', "application/json", "give a string or a number"),
        ("<service_request><service_code>pothole</service_code>", "text/xml", "not well-formed XML"),
        ("not xml at all", "application/xml", "not well-formed XML"),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "boom">]><r><service_code>&e;</service_code></r>',
            "text/xml",
            "may not declare a DOCTYPE",
        ),
        ("service_code=pothole", "text/plain", "Send the fields form-encoded"),
    ],
)
def test_malformed_bodies_are_400(api, catalogue, nothing_created, fmt, body, content_type, words):
    response = api.post(f"/open311/v2/requests.{fmt}", body, content_type=content_type)
    assert response.status_code == 400
    [(_code, description)] = error_descriptions(response, fmt)
    assert words in description


@BOTH
def test_oversize_photo_is_400(api, catalogue, open311_key, nothing_created, fmt):
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * MAX_ATTACHMENT_BYTES, content_type="image/jpeg")
    response = post(api, fmt, pothole_fields(open311_key, media=big))
    assert response.status_code == 400
    [(_code, description)] = error_descriptions(response, fmt)
    assert description.startswith("media: big.jpg is 10.0 MB")


def test_file_that_is_not_a_photo_is_400(api, catalogue, open311_key, nothing_created):
    script = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = post(api, "xml", pothole_fields(open311_key, media=script))
    assert response.status_code == 400
    assert "photo.jpg must be a photo or a PDF" in error_descriptions(response, "xml")[0][1]


def test_too_many_photos_is_400(api, catalogue, open311_key, nothing_created):
    photos = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(11)]
    response = post(api, "json", pothole_fields(open311_key, media=photos))
    assert response.status_code == 400
    assert "10 files or fewer" in error_descriptions(response, "json")[0][1]


@BOTH
def test_unsupported_method_is_400(api, catalogue, fmt):
    response = api.put(f"/open311/v2/services.{fmt}")
    assert response.status_code == 400
    assert error_descriptions(response, fmt) == [(400, "PUT is not supported here: use GET.")]


def test_a_valid_post_after_a_refused_one_still_works(api, tenant_a, catalogue, open311_key):
    assert post(api, "xml", pothole_fields(open311_key, lat="north")).status_code == 400
    assert post(api, "xml", pothole_fields(open311_key)).status_code == 201
    with tenant_scope(tenant_a):
        assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "url_name", ["open311:service-xml", "open311:request-json", "open311:token-xml", "open311:media"]
)
def test_the_sweep_factories_make_objects_their_own_host_shows(tenant_b, client_for, url_name):
    """So the isolation sweep's 404 on tenant A's host means isolation, not an object that never resolves."""
    factory = {
        "open311:service-xml": an_open311_service,
        "open311:request-json": an_open311_request,
        "open311:token-xml": an_open311_token,
        "open311:media": an_open311_photo,
    }[url_name]
    with tenant_scope(tenant_b):
        kwargs = factory(tenant_b)
    url = reverse(url_name, urlconf=django_settings.BOROUGH_TENANT_URLCONF, kwargs=kwargs)
    assert client_for(tenant_b).get(url).status_code == 200


# Whatever a client sends, the answer is the spec's: never a server error, never a half-made case.

ANY_TEXT = st.text(max_size=24)
NO_HEALTH_CHECK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@NO_HEALTH_CHECK
@given(
    lat=ANY_TEXT,
    long=ANY_TEXT,
    depth=st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3)),
    hazard=st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3)),
    email=ANY_TEXT,
    description=st.text(max_size=80),
    address_string=ANY_TEXT,
)
def test_any_field_values_get_a_spec_answer(api, tenant_a, catalogue, open311_key, **values):
    fields = pothole_fields(
        open311_key,
        lat=values["lat"],
        long=values["long"],
        email=values["email"],
        description=values["description"],
        address_string=values["address_string"],
        **{"attribute[depth]": values["depth"], "attribute[hazard]": values["hazard"]},
    )
    with tenant_scope(tenant_a):
        before = Case.objects.count()
    response = post(api, "json", fields)
    assert response.status_code in (201, 400), response.content
    with tenant_scope(tenant_a):
        assert Case.objects.count() == before + (response.status_code == 201)
    if response.status_code == 400:
        assert error_descriptions(response, "json")


@NO_HEALTH_CHECK
@given(query=st.dictionaries(st.sampled_from(["start_date", "end_date", "status", "service_code"]), ANY_TEXT))
def test_any_filters_get_a_spec_answer(api, catalogue, query):
    response = api.get("/open311/v2/requests.xml", query)
    assert response.status_code in (200, 400), response.content


@NO_HEALTH_CHECK
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
@pytest.mark.parametrize("content_type", ["application/json", "text/xml"])
def test_any_body_gets_a_spec_answer(api, catalogue, open311_key, content_type, body):
    response = api.post("/open311/v2/requests.json", body, content_type=content_type)
    assert response.status_code in (400, 403, 404), response.content
    assert error_descriptions(response, "json")
