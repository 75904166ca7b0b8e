"""Open311 POST requests and Service.allow_anonymous: a report without email or phone is taken only by a service
that allows anonymous reports; otherwise a 400 in the spec's error body names the missing fields."""

import json

import pytest

from borough.core.models import AuditEvent
from borough.crm.models import Case
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.test_open311_fixtures import as_json, as_xml, error_descriptions, xml_requests
from borough.people.models import Person
from borough.tenancy.scope import tenant_scope

BOTH = pytest.mark.parametrize("fmt", ["xml", "json"])

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key


def enquiry_fields(api_key: str, **extra) -> dict:
    """A council tax question (no location, no anonymous reports), as a client sends it."""
    return {"api_key": api_key, "service_code": "council-tax", "description": "Why did my bill go up?", **extra}


def nothing_written(tenant) -> bool:
    """No case, no person and no audit event of either."""
    with tenant_scope(tenant):
        audited = AuditEvent.objects.filter(tenant=tenant, object_type__in=["crm.case", "people.person"])
        return not (Case.objects.exists() or Person.objects.exists() or audited.exists())


def reference_of(response, fmt: str) -> str:
    assert response.status_code == 201, response.content
    [answer] = xml_requests(as_xml(response)) if fmt == "xml" else as_json(response)
    return answer["service_request_id"]


@BOTH
@pytest.mark.parametrize("contact", [{}, {"first_name": "Bo", "last_name": "Tax"}, {"email": "", "phone": ""}])
def test_no_email_or_phone_for_a_service_without_anonymous_reports_is_a_400(
    api, tenant_a, catalogue, open311_key, fmt, contact
):
    response = api.post(f"/open311/v2/requests.{fmt}", enquiry_fields(open311_key, **contact))
    assert response.status_code == 400
    assert error_descriptions(response, fmt) == [
        (
            400,
            "email or phone is required: Council tax enquiry does not take anonymous reports, so send the "
            "resident's email address or phone number (or both).",
        )
    ]
    assert nothing_written(tenant_a)


@pytest.mark.parametrize("contact", [{"email": "bo@example.org"}, {"phone": "07700 900123"}])
def test_an_email_or_a_phone_is_enough(api, tenant_a, catalogue, open311_key, contact):
    reference = reference_of(api.post("/open311/v2/requests.json", enquiry_fields(open311_key, **contact)), "json")
    with tenant_scope(tenant_a):
        assert Case.objects.get(reference=reference).requester is not None


def test_a_bad_email_is_still_named_as_such(api, tenant_a, catalogue, open311_key):
    response = api.post("/open311/v2/requests.xml", enquiry_fields(open311_key, email="not-an-email"))
    assert response.status_code == 400
    assert error_descriptions(response, "xml")[0][1].startswith("email: ")
    assert nothing_written(tenant_a)


def test_a_json_body_without_contact_is_refused_too(api, tenant_a, catalogue, open311_key):
    body = json.dumps(enquiry_fields(open311_key))
    response = api.post("/open311/v2/requests.json", body, content_type="application/json")
    assert response.status_code == 400
    assert "email or phone is required" in error_descriptions(response, "json")[0][1]


def test_a_service_that_allows_it_takes_an_anonymous_report(api, tenant_a, catalogue, open311_key):
    with tenant_scope(tenant_a):
        catalogue.council_tax.allow_anonymous = True
        catalogue.council_tax.save()
    reference = reference_of(api.post("/open311/v2/requests.xml", enquiry_fields(open311_key)), "xml")
    with tenant_scope(tenant_a):
        assert Case.objects.get(reference=reference).requester is None


def test_a_located_service_may_refuse_anonymous_reports(api, tenant_a, catalogue, open311_key):
    """allow_anonymous, not needs_location, decides."""
    with tenant_scope(tenant_a):
        catalogue.pothole.allow_anonymous = False
        catalogue.pothole.save()
    fields = shared.pothole_fields(open311_key)
    for name in ("email", "first_name", "last_name"):
        del fields[name]
    response = api.post("/open311/v2/requests.xml", fields)
    assert response.status_code == 400
    assert (
        "email or phone is required: Pothole does not take anonymous reports"
        in error_descriptions(response, "xml")[0][1]
    )
    assert nothing_written(tenant_a)
