"""Open311 GET resources in both formats: discovery, services, service definitions, requests, a request, photos."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseAttachment
from borough.crm.open311 import selectors
from borough.crm.open311.formats import w3c
from borough.crm.services import case_add_note, case_publish_update, case_transition
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.test_open311_fixtures import (
    PNG,
    as_json,
    as_xml,
    error_descriptions,
    make_case,
    xml_requests,
)
from borough.tenancy.scope import tenant_scope

BOTH = pytest.mark.parametrize("fmt", ["xml", "json"])

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key


@BOTH
def test_discovery_names_this_endpoint_and_both_formats(api, tenant_a, fmt):
    response = api.get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = as_xml(response)
        endpoint = root.find("endpoints/endpoint")
        url = endpoint.findtext("url")
        formats = [f.text for f in endpoint.findall("formats/format")]
        specification = endpoint.findtext("specification")
        key_service = root.findtext("key_service")
    else:
        body = as_json(response)
        endpoint = body["endpoints"][0]
        url, formats, specification = endpoint["url"], endpoint["formats"], endpoint["specification"]
        key_service = body["key_service"]
    assert url == "http://northfield.localhost/open311/v2"
    assert formats == ["text/xml", "application/json"]
    assert specification == "http://wiki.open311.org/GeoReport_v2"
    assert "open311 scope" in key_service


@BOTH
def test_services_lists_the_active_catalogue(api, catalogue, fmt):
    response = api.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = as_xml(response)
        assert root.tag == "services"
        services = [{c.tag: c.text or "" for c in s} for s in root.findall("service")]
        metadata = {s["service_code"]: s["metadata"] for s in services}
        assert metadata == {"council-tax": "false", "pothole": "true"}
    else:
        services = as_json(response)
        metadata = {s["service_code"]: s["metadata"] for s in services}
        assert metadata == {"council-tax": False, "pothole": True}
    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert pothole["service_name"] == "Pothole"
    assert pothole["description"] == "A hole in a road or pavement"
    assert pothole["group"] == "Roads"
    assert pothole["keywords"] == "pothole, hole, road"
    assert pothole["type"] == "realtime"
    assert "retired" not in metadata


def test_service_definition_in_xml_has_the_questions_as_attributes(api, catalogue):
    root = as_xml(api.get("/open311/v2/services/pothole.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "pothole"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["hazard", "depth", "surfaces", "noticed", "notes"]
    datatypes = {a.findtext("code"): a.findtext("datatype") for a in attributes}
    assert datatypes == {
        "hazard": "singlevaluelist",
        "depth": "number",
        "surfaces": "multivaluelist",
        "noticed": "datetime",
        "notes": "text",
    }
    depth = attributes[1]
    assert depth.findtext("variable") == "true"
    assert depth.findtext("required") == "true"
    assert depth.findtext("order") == "2"
    assert depth.findtext("description") == "How deep is it?"
    assert depth.findtext("datatype_description") == "In centimetres"
    assert depth.find("values") is None
    values = [(v.findtext("key"), v.findtext("name")) for v in attributes[0].findall("values/value")]
    assert values == [("low", "Low"), ("high", "High")]


def test_service_definition_in_json(api, catalogue):
    body = as_json(api.get("/open311/v2/services/pothole.json"))
    assert body["service_code"] == "pothole"
    hazard, depth = body["attributes"][:2]
    assert hazard == {
        "variable": True,
        "code": "hazard",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": 1,
        "description": "How dangerous is it?",
        "values": [{"key": "low", "name": "Low"}, {"key": "high", "name": "High"}],
    }
    assert depth["required"] is True and "values" not in depth


@BOTH
@pytest.mark.parametrize("code", ["no-such-service", "retired"])
def test_unknown_or_retired_service_definition_is_404(api, catalogue, fmt, code):
    response = api.get(f"/open311/v2/services/{code}.{fmt}")
    assert response.status_code == 404
    [(status, description)] = error_descriptions(response, fmt)
    assert code in description


@pytest.fixture
def cases(tenant_a, catalogue):
    """Two potholes (one resolved, with a public update, an internal note and a photo), and a council tax enquiry."""
    photo = SimpleUploadedFile("hole.png", PNG, content_type="image/png")
    first = make_case(tenant_a, catalogue.pothole, address="4 High Street", postcode="NF1 2AB", attachments=[photo])
    second = make_case(tenant_a, catalogue.pothole, description="Another pothole", answers={"depth": "3"})
    enquiry = make_case(tenant_a, catalogue.council_tax, description="My bill is wrong", latitude=None, longitude=None)
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        case_publish_update(case=first, body="An inspector will visit this week.")
        case_add_note(case=first, body="Internal: the contractor is slow.")
        second = case_transition(case=second, to_status=Case.Status.RESOLVED, note="Filled")
        first.refresh_from_db()
    return first, second, enquiry


def test_requests_in_xml_show_the_spec_fields(api, tenant_a, catalogue, cases):
    first, second, enquiry = cases
    found = {r["service_request_id"]: r for r in xml_requests(as_xml(api.get("/open311/v2/requests.xml")))}
    assert set(found) == {first.reference, second.reference}  # the council tax enquiry is never published
    shown = found[first.reference]
    assert shown["status"] == "open"
    assert shown["service_code"] == "pothole" and shown["service_name"] == "Pothole"
    assert shown["description"] == "A deep pothole outside number 4"
    assert shown["status_notes"] == "An inspector will visit this week."
    assert shown["agency_responsible"] == "Highways team"
    assert shown["requested_datetime"] == w3c(first.created_at)
    assert shown["expected_datetime"] == w3c(first.due_at)
    assert shown["address"] == "4 High Street" and shown["zipcode"] == "NF1 2AB"
    assert (shown["lat"], shown["long"]) == ("52.100000", "-1.200000")
    with tenant_scope(tenant_a):
        photo = CaseAttachment.objects.get(case=first)
    assert shown["media_url"] == f"http://northfield.localhost/open311/v2/media/{first.reference}/{photo.pk}"
    assert found[second.reference]["status"] == "closed"
    assert found[second.reference]["media_url"] == ""
    assert "contractor" not in api.get("/open311/v2/requests.xml").content.decode()


def test_requests_in_json_use_numbers_for_coordinates(api, cases):
    first, second, _enquiry = cases
    body = as_json(api.get("/open311/v2/requests.json"))
    assert [r["service_request_id"] for r in body] == [second.reference, first.reference]  # newest first
    shown = body[1]
    assert (shown["lat"], shown["long"]) == (52.1, -1.2)
    assert shown["status_notes"] == "An inspector will visit this week."
    assert shown["expected_datetime"] == w3c(first.due_at)


@BOTH
def test_one_request_by_id(api, cases, fmt):
    first, _second, enquiry = cases
    response = api.get(f"/open311/v2/requests/{first.reference}.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        [shown] = xml_requests(as_xml(response))
    else:
        [shown] = as_json(response)
    assert shown["service_request_id"] == first.reference
    assert shown["status"] == "open"
    hidden = api.get(f"/open311/v2/requests/{enquiry.reference}.{fmt}")
    assert hidden.status_code == 404
    assert enquiry.reference in error_descriptions(hidden, fmt)[0][1]


def test_photo_behind_media_url_is_served_and_only_while_public(api, tenant_a, cases):
    first, _second, _enquiry = cases
    [shown] = as_json(api.get(f"/open311/v2/requests/{first.reference}.json"))
    path = shown["media_url"].removeprefix("http://northfield.localhost")
    response = api.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    with tenant_scope(tenant_a):
        CaseAttachment.objects.filter(case=first).update(is_public=False)
    assert api.get(path).status_code == 404
    [shown] = as_json(api.get(f"/open311/v2/requests/{first.reference}.json"))
    assert shown["media_url"] == ""


def test_photo_of_another_case_or_unpublished_case_is_404(api, tenant_a, catalogue, cases):
    first, second, _enquiry = cases
    enquiry = make_case(
        tenant_a,
        catalogue.council_tax,
        latitude=None,
        longitude=None,
        attachments=[SimpleUploadedFile("bill.png", PNG, content_type="image/png")],
    )
    with tenant_scope(tenant_a):
        photo = CaseAttachment.objects.get(case=first)
        enquiry_photo = CaseAttachment.objects.get(case=enquiry)
    assert api.get(f"/open311/v2/media/{second.reference}/{photo.pk}").status_code == 404
    assert api.get(f"/open311/v2/media/{enquiry.reference}/{enquiry_photo.pk}").status_code == 404


@BOTH
def test_filter_by_service_request_ids_overrides_the_date_window(api, tenant_a, cases, fmt):
    first, second, enquiry = cases
    with tenant_scope(tenant_a):
        Case.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=400))
    ids = f"{first.reference},{second.reference},{enquiry.reference},NOPE-1"
    response = api.get(f"/open311/v2/requests.{fmt}", {"service_request_id": ids, "start_date": "2020-01-01T00:00:00Z"})
    shown = xml_requests(as_xml(response)) if fmt == "xml" else as_json(response)
    assert {r["service_request_id"] for r in shown} == {first.reference, second.reference}


def test_default_window_is_the_last_90_days_and_dates_choose_another(api, tenant_a, cases):
    first, second, _enquiry = cases
    old = timezone.now() - timedelta(days=120)
    with tenant_scope(tenant_a):
        Case.objects.filter(pk=first.pk).update(created_at=old)
    default = {r["service_request_id"] for r in as_json(api.get("/open311/v2/requests.json"))}
    assert default == {second.reference}
    window = {"start_date": w3c(old - timedelta(days=1)), "end_date": w3c(old + timedelta(days=1))}
    chosen = {r["service_request_id"] for r in as_json(api.get("/open311/v2/requests.json", window))}
    assert chosen == {first.reference}
    only_end = {
        r["service_request_id"] for r in as_json(api.get("/open311/v2/requests.json", {"end_date": window["end_date"]}))
    }
    assert only_end == {first.reference}


def test_an_offset_sent_unescaped_in_the_query_string_still_reads(api, cases):
    first, second, _enquiry = cases
    start = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    response = api.get(f"/open311/v2/requests.json?start_date={start}+00:00")
    assert response.status_code == 200
    assert {r["service_request_id"] for r in as_json(response)} == {first.reference, second.reference}


@pytest.mark.parametrize(
    ("status", "expected"), [("open", {"first"}), ("closed", {"second"}), ("open,closed", {"first", "second"})]
)
def test_filter_by_status(api, cases, status, expected):
    first, second, _enquiry = cases
    names = {first.reference: "first", second.reference: "second"}
    shown = as_json(api.get("/open311/v2/requests.json", {"status": status}))
    assert {names[r["service_request_id"]] for r in shown} == expected


def test_filter_by_service_code(api, tenant_a, catalogue, cases):
    with tenant_scope(tenant_a):
        catalogue.council_tax.needs_location = True  # published from now on, to show the filter picks
        catalogue.council_tax.save()
    both = {r["service_code"] for r in as_json(api.get("/open311/v2/requests.json"))}
    assert both == {"pothole", "council-tax"}
    picked = as_json(api.get("/open311/v2/requests.json", {"service_code": "council-tax"}))
    assert {r["service_code"] for r in picked} == {"council-tax"}
    several = as_json(api.get("/open311/v2/requests.json", {"service_code": "council-tax,pothole"}))
    assert len(several) == 3


def test_at_most_max_results_requests_newest_first(api, cases, monkeypatch):
    first, second, _enquiry = cases
    monkeypatch.setattr(selectors, "MAX_RESULTS", 1)
    assert [r["service_request_id"] for r in as_json(api.get("/open311/v2/requests.json"))] == [second.reference]


@BOTH
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"start_date": "yesterday"}, "start_date must be a W3C date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date must be a W3C date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "at most 90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "not be after"),
        ({"status": "pending"}, "Unknown status 'pending'"),
        ({"service_request_id": ",".join(f"NOR-{n}" for n in range(1001))}, "at most 1000 service_request_id"),
    ],
)
def test_bad_filters_are_400(api, catalogue, fmt, query, words):
    response = api.get(f"/open311/v2/requests.{fmt}", query)
    assert response.status_code == 400
    [(_code, description)] = error_descriptions(response, fmt)
    assert words in description
