"""Open311 POST requests and tokens: form-encoded, multipart, JSON and XML bodies, in both answer formats."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from borough.core.models import AuditEvent
from borough.crm.models import Case, CaseAttachment, Interaction
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.test_open311_fixtures import (
    PNG,
    as_json,
    as_xml,
    error_descriptions,
    pothole_fields,
    xml_requests,
)
from borough.people.models import ContactPoint
from borough.tenancy.scope import tenant_scope

BOTH = pytest.mark.parametrize("fmt", ["xml", "json"])

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key


def created(response, fmt: str) -> dict:
    assert response.status_code == 201, response.content
    if fmt == "xml":
        [answer] = xml_requests(as_xml(response))
    else:
        [answer] = as_json(response)
    return answer


@BOTH
def test_form_encoded_post_creates_an_open311_case(api, tenant_a, catalogue, open311_key, fmt):
    fields = pothole_fields(
        open311_key,
        **{"attribute[hazard]": "high", "attribute[surfaces][]": ["road", "pavement"], "phone": "07700 900123"},
    )
    answer = created(api.post(f"/open311/v2/requests.{fmt}", fields), fmt)
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    with tenant_scope(tenant_a):
        case = Case.objects.select_related("requester", "team").get(reference=answer["service_request_id"])
        contacts = set(ContactPoint.objects.filter(person=case.requester).values_list("kind", "normalised"))
        interaction = Interaction.objects.get(case=case, direction="in")
        audit = AuditEvent.objects.get(action="case.create", object_id=str(case.pk))
    assert case.channel == "open311"
    assert case.open311_token == answer["token"]
    assert case.description == "Deep pothole by the bus stop"
    assert case.answers == {"depth": 12, "hazard": "high", "surfaces": ["road", "pavement"]}
    assert (str(case.latitude), str(case.longitude)) == ("52.123456", "-1.654321")
    assert case.team == catalogue.team
    assert (case.requester.given_name, case.requester.family_name) == ("Rita", "Resident")
    assert contacts == {("email", "resident@example.com"), ("phone", "+447700900123")}
    assert interaction.person_id == case.requester_id
    assert audit.actor_label == "API key FixMyStreet"
    assert answer["service_notice"].startswith("Pothole: we aim to deal with this by ")


@BOTH
def test_token_gives_the_service_request_id(api, catalogue, open311_key, fmt):
    answer = created(api.post(f"/open311/v2/requests.{fmt}", pothole_fields(open311_key)), fmt)
    response = api.get(f"/open311/v2/tokens/{answer['token']}.{fmt}")
    assert response.status_code == 200
    [found] = xml_requests(as_xml(response)) if fmt == "xml" else as_json(response)
    assert found == {"service_request_id": answer["service_request_id"], "token": answer["token"]}
    unknown = api.get(f"/open311/v2/tokens/not-a-token.{fmt}")
    assert unknown.status_code == 404
    assert "not-a-token" in error_descriptions(unknown, fmt)[0][1]


def test_anonymous_report_without_contact_details(api, tenant_a, catalogue, open311_key):
    fields = pothole_fields(open311_key)
    for name in ("email", "first_name", "last_name"):
        del fields[name]
    answer = created(api.post("/open311/v2/requests.json", fields), "json")
    with tenant_scope(tenant_a):
        assert Case.objects.get(reference=answer["service_request_id"]).requester is None


def test_description_is_optional_and_defaults_to_the_service_name(api, tenant_a, catalogue, open311_key):
    fields = pothole_fields(open311_key)
    del fields["description"]
    answer = created(api.post("/open311/v2/requests.json", fields), "json")
    with tenant_scope(tenant_a):
        assert Case.objects.get(reference=answer["service_request_id"]).description == "Pothole"


def test_address_string_address_id_and_media_url(api, tenant_a, catalogue, open311_key):
    fields = pothole_fields(
        open311_key,
        address_string="Outside 4 High Street, Northfield nf12ab",
        address_id="100023336956",
        media_url="https://example.org/photos/1.jpg",
        account_id="fms-user-77",
        device_id="android-123",
    )
    del fields["lat"], fields["long"]
    answer = created(api.post("/open311/v2/requests.json", fields), "json")
    with tenant_scope(tenant_a):
        case = Case.objects.get(reference=answer["service_request_id"])
    assert case.address == "Outside 4 High Street, Northfield nf12ab"
    assert case.postcode == "NF1 2AB"
    assert case.uprn == "100023336956"
    assert case.description == "Deep pothole by the bus stop\n\nPhoto: https://example.org/photos/1.jpg"
    assert answer["account_id"] == ""


@BOTH
def test_multipart_post_with_a_photo_attaches_it(api, tenant_a, catalogue, open311_key, fmt):
    fields = pothole_fields(open311_key, media=SimpleUploadedFile("hole.png", PNG, content_type="image/png"))
    answer = created(api.post(f"/open311/v2/requests.{fmt}", fields), fmt)
    with tenant_scope(tenant_a):
        [photo] = CaseAttachment.objects.filter(case__reference=answer["service_request_id"])
    assert (photo.content_type, photo.size, photo.original_name, photo.is_public) == (
        "image/png",
        len(PNG),
        "hole.png",
        True,
    )
    [shown] = as_json(api.get(f"/open311/v2/requests/{answer['service_request_id']}.json"))
    assert shown["media_url"].endswith(f"/open311/v2/media/{answer['service_request_id']}/{photo.pk}")


def test_json_body(api, tenant_a, catalogue, open311_key):
    body = {
        "api_key": open311_key,
        "service_code": "pothole",
        "lat": 52.5,
        "long": -1.25,
        "description": "Sent as JSON",
        "attribute": {"depth": 4, "surfaces": ["road"]},
    }
    answer = created(api.post("/open311/v2/requests.json", json.dumps(body), content_type="application/json"), "json")
    with tenant_scope(tenant_a):
        case = Case.objects.get(reference=answer["service_request_id"])
    assert case.answers == {"depth": 4, "surfaces": ["road"]}
    assert case.description == "Sent as JSON"


def test_xml_body(api, tenant_a, catalogue, open311_key):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
    <service_request>
      <api_key>{open311_key}</api_key>
      <service_code>pothole</service_code>
      <lat>52.5</lat><long>-1.25</long>
      <description>Sent as XML &amp; escaped</description>
      <attributes>
        <attribute><code>depth</code><value>9</value></attribute>
        <attribute><code>surfaces</code><value>road</value><value>pavement</value></attribute>
      </attributes>
    </service_request>"""
    answer = created(api.post("/open311/v2/requests.xml", body, content_type="text/xml"), "xml")
    with tenant_scope(tenant_a):
        case = Case.objects.get(reference=answer["service_request_id"])
    assert case.answers == {"depth": 9, "surfaces": ["road", "pavement"]}
    assert case.description == "Sent as XML & escaped"


def test_api_key_may_come_in_the_authorization_header(api, tenant_a, catalogue, open311_key):
    fields = pothole_fields(open311_key)
    del fields["api_key"]
    response = api.post("/open311/v2/requests.json", fields, HTTP_AUTHORIZATION=f"Api-Key {open311_key}")
    assert response.status_code == 201


@pytest.mark.parametrize("jurisdiction", ["northfield", "northfield.localhost", "reports.northfield.gov.uk"])
def test_jurisdiction_id_may_name_the_tenant(api, tenant_a, catalogue, open311_key, jurisdiction):
    from borough.tenancy.models import TenantDomain

    TenantDomain.objects.create(tenant=tenant_a, domain="reports.northfield.gov.uk")
    fields = pothole_fields(open311_key, jurisdiction_id=jurisdiction)
    assert api.post("/open311/v2/requests.xml", fields).status_code == 201
    assert api.get("/open311/v2/services.xml", {"jurisdiction_id": jurisdiction}).status_code == 200


def test_posts_need_no_csrf_token(tenant_a, catalogue, open311_key):
    """Open311 clients are programs without a session: the endpoints are exempt from CSRF checks."""
    client = Client(HTTP_HOST="northfield.localhost", enforce_csrf_checks=True)
    assert client.post("/open311/v2/requests.xml", pothole_fields(open311_key)).status_code == 201


def test_api_key_and_jurisdiction_may_come_in_the_query_string_of_a_post(api, catalogue, open311_key):
    fields = pothole_fields(open311_key)
    del fields["api_key"]
    url = f"/open311/v2/requests.json?api_key={open311_key}&jurisdiction_id=northfield"
    assert api.post(url, fields).status_code == 201
    assert api.post("/open311/v2/requests.json?jurisdiction_id=elsewhere", fields).status_code == 404
