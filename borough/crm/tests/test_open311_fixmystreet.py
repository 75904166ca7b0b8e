"""The request shapes FixMyStreet's Open311 client sends (perllib/Open311.pm), replayed, and its reading of the
answers (XML::Simple with ForceArray: `$obj->{request}->[0]->{service_request_id}` and the like)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseAttachment, CaseEvent, CaseLink
from borough.crm.open311.formats import w3c
from borough.crm.services import case_link, case_publish_update, case_transition
from borough.crm.tests import test_open311_fixtures as shared
from borough.crm.tests.test_open311_fixtures import (
    JPEG,
    as_json,
    as_xml,
    error_descriptions,
    make_case,
    xml_requests,
)
from borough.tenancy.scope import tenant_scope

# The shared fixtures, by name (pytest finds fixtures among a module's names).
api, catalogue, open311_key = shared.api, shared.catalogue, shared.open311_key


def fms_report(api_key: str, **extra) -> dict:
    """_populate_service_request_params for a report placed on the map, with the body's extra fields."""
    return {
        "jurisdiction_id": "northfield",
        "api_key": api_key,
        "description": "title: Pothole on Station Road\n\ndetail: Big enough to lose a wheel in\n\nurl: "
        "https://www.fixmystreet.com/report/4242\n\nSubmitted via FixMyStreet\n",
        "service_code": "pothole",
        "first_name": "Fiona",
        "last_name": "Fixer",
        "email": "fiona@example.org",
        "lat": "52.201234",
        "long": "-1.456789",
        "media_url": "https://www.fixmystreet.com/photo/4242.0.full.jpeg",
        "attribute[depth]": "15",
        "attribute[hazard]": "high",
        "attribute[fixmystreet_id]": "4242",
        "attribute[easting]": "441234",
        "attribute[northing]": "263456",
        "attribute[title]": "Pothole on Station Road",
        "attribute[report_url]": "https://www.fixmystreet.com/report/4242",
        "attribute[uprn]": "10002345678",
        **extra,
    }


def fms_service_request_id(response) -> str:
    assert response.status_code in (200, 201), response.content
    [request] = xml_requests(as_xml(response))
    return request["service_request_id"]


def test_fixmystreet_report_form_encoded(api, tenant_a, catalogue, open311_key):
    reference = fms_service_request_id(api.post("/open311/v2/requests.xml", fms_report(open311_key)))
    with tenant_scope(tenant_a):
        case = Case.objects.get(reference=reference)
    assert case.channel == "open311"
    assert case.answers == {"depth": 15, "hazard": "high"}  # FixMyStreet's own attributes are not questions
    assert case.uprn == "10002345678"
    assert case.description.endswith("Photo: https://www.fixmystreet.com/photo/4242.0.full.jpeg")
    assert "Submitted via FixMyStreet" in case.description


def test_fixmystreet_report_not_pinpointed_sends_a_postcode(api, tenant_a, catalogue, open311_key):
    fields = fms_report(open311_key, address_string="NF1 2AB")
    del fields["lat"], fields["long"], fields["attribute[uprn]"]
    reference = fms_service_request_id(api.post("/open311/v2/requests.xml", fields))
    with tenant_scope(tenant_a):
        case = Case.objects.get(reference=reference)
    assert (case.postcode, case.latitude, case.uprn) == ("NF1 2AB", None, "")


def test_fixmystreet_address_id_not_pinpointed_is_accepted(api, tenant_a, catalogue, open311_key):
    fields = fms_report(open311_key, address_id="#NOTPINPOINTED#")
    del fields["attribute[uprn]"]
    reference = fms_service_request_id(api.post("/open311/v2/requests.xml", fields))
    with tenant_scope(tenant_a):
        assert Case.objects.get(reference=reference).uprn == ""


def test_fixmystreet_multipart_photos(api, tenant_a, catalogue, open311_key):
    """upload_files / always_upload_photos: photo1, photo2 as files, and no media_url."""
    fields = fms_report(open311_key)
    del fields["media_url"]
    fields["photo1"] = SimpleUploadedFile("4242.0.full.jpeg", JPEG, content_type="image/jpeg")
    fields["photo2"] = SimpleUploadedFile("4242.1.full.jpeg", JPEG, content_type="image/jpeg")
    reference = fms_service_request_id(api.post("/open311/v2/requests.xml", fields))
    with tenant_scope(tenant_a):
        photos = list(CaseAttachment.objects.filter(case__reference=reference).order_by("original_name"))
    assert [(p.original_name, p.content_type) for p in photos] == [
        ("4242.0.full.jpeg", "image/jpeg"),
        ("4242.1.full.jpeg", "image/jpeg"),
    ]


def test_fixmystreet_token_polling(api, catalogue, open311_key):
    """get_service_request_id_from_token: GET tokens/<token>.xml, read request[0].service_request_id."""
    response = api.post("/open311/v2/requests.xml", fms_report(open311_key))
    [answer] = xml_requests(as_xml(response))
    polled = api.get(f"/open311/v2/tokens/{answer['token']}.xml", {"jurisdiction_id": "northfield"})
    assert fms_service_request_id(polled) == answer["service_request_id"]


def test_fixmystreet_fetches_requests_by_id(api, tenant_a, catalogue, open311_key):
    ids = [fms_service_request_id(api.post("/open311/v2/requests.xml", fms_report(open311_key))) for _ in range(2)]
    query = {"service_request_id": ",".join(ids), "jurisdiction_id": "northfield"}
    found = xml_requests(as_xml(api.get("/open311/v2/requests.xml", query)))
    assert sorted(r["service_request_id"] for r in found) == sorted(ids)
    assert {r["status"] for r in found} == {"open"}


# Service request updates: GET (the council's updates, for FixMyStreet to show) ...


@pytest.fixture
def worked_case(tenant_a, catalogue):
    """A pothole with a public update, then in progress, then resolved; an internal note in between."""
    case = make_case(tenant_a, catalogue.pothole)
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        case_publish_update(case=case, body="Inspected: a repair is booked.")
        case = case_transition(case=case, to_status=Case.Status.IN_PROGRESS, note="Crew 4")
        case = case_transition(case=case, to_status=Case.Status.RESOLVED)
    return case


def updates_window() -> dict:
    now = timezone.now()
    return {"start_date": w3c(now - timedelta(hours=1)), "end_date": w3c(now + timedelta(minutes=1))}


def test_fixmystreet_gets_updates_with_extended_statuses(api, worked_case, open311_key):
    query = {"api_key": open311_key, "jurisdiction_id": "northfield", **updates_window()}
    root = as_xml(api.get("/open311/v2/servicerequestupdates.xml", query))
    assert root.tag == "service_request_updates"
    updates = [{c.tag: c.text or "" for c in u} for u in root.findall("request_update")]
    assert [(u["status"], u["description"]) for u in updates] == [
        ("OPEN", "Inspected: a repair is booked."),
        ("IN_PROGRESS", "Status changed from new to in progress."),
        ("FIXED", "Status changed from in progress to resolved."),
    ]
    assert {u["service_request_id"] for u in updates} == {worked_case.reference}
    assert all(u["update_id"].isdigit() and u["updated_datetime"] for u in updates)
    assert [u["external_status_code"] for u in updates] == ["new", "in_progress", "resolved"]
    assert "Crew 4" not in api.get("/open311/v2/servicerequestupdates.xml").content.decode()


def test_updates_in_json_and_duplicates(api, tenant_a, catalogue, worked_case):
    original = make_case(tenant_a, catalogue.pothole, description="The first report")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        case_link(case=worked_case, other_case=original, kind=CaseLink.Kind.DUPLICATE_OF)
    updates = as_json(api.get("/open311/v2/servicerequestupdates.json", updates_window()))
    assert updates[-1]["status"] == "DUPLICATE"
    assert updates[-1]["service_request_id"] == worked_case.reference


def test_updates_window_and_its_errors(api, tenant_a, worked_case):
    with tenant_scope(tenant_a):
        CaseEvent.objects.filter(case=worked_case).update(occurred_at=timezone.now() - timedelta(days=2))
    assert as_json(api.get("/open311/v2/servicerequestupdates.json", updates_window())) == []
    assert len(as_json(api.get("/open311/v2/servicerequestupdates.json"))) == 3  # the last 90 days
    half = api.get("/open311/v2/servicerequestupdates.xml", {"start_date": updates_window()["start_date"]})
    assert half.status_code == 400
    assert "both start_date and end_date" in error_descriptions(half, "xml")[0][1]


# ... and POST (a FixMyStreet user's update, for the council)


def fms_update(api_key: str, reference: str, status: str = "OPEN", **extra) -> dict:
    """_populate_service_request_update_params."""
    return {
        "jurisdiction_id": "northfield",
        "api_key": api_key,
        "updated_datetime": w3c(timezone.now().replace(microsecond=0)),
        "service_request_id": reference,
        "status": status,
        "description": "It is getting bigger",
        "last_name": "Fixer",
        "first_name": "Fiona",
        "email": "fiona@example.org",
        "update_id": "9876",
        **extra,
    }


def fms_update_id(response) -> str:
    assert response.status_code in (200, 201), response.content
    root = as_xml(response)
    assert root.tag == "service_request_updates"
    [update] = root.findall("request_update")
    return update.findtext("update_id")


def test_fixmystreet_update_adds_information_from_the_resident(api, tenant_a, catalogue, open311_key):
    case = make_case(tenant_a, catalogue.pothole)
    update_id = fms_update_id(
        api.post("/open311/v2/servicerequestupdates.xml", fms_update(open311_key, case.reference))
    )
    with tenant_scope(tenant_a):
        event = CaseEvent.objects.get(pk=update_id)
        case.refresh_from_db()
    assert (event.kind, event.body, event.case_id) == ("resident", "It is getting bigger", case.pk)
    assert event.actor_label == "API key FixMyStreet"
    assert "fiona@example.org" not in event.body  # the case's resident may be someone else
    assert case.status == Case.Status.NEW


def test_fixmystreet_update_fixed_resolves_the_case(api, tenant_a, catalogue, open311_key):
    case = make_case(tenant_a, catalogue.pothole)
    fields = fms_update(open311_key, case.reference, status="FIXED", description="Fixed today, thanks")
    fms_update_id(api.post("/open311/v2/servicerequestupdates.xml", fields))
    with tenant_scope(tenant_a):
        case.refresh_from_db()
        kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert case.status == Case.Status.RESOLVED
    assert kinds[-3:] == ["resident", "status", "note"]


def test_fixmystreet_update_open_reopens_a_resolved_case(api, tenant_a, worked_case, open311_key):
    fields = fms_update(open311_key, worked_case.reference, description="It has opened up again")
    fms_update_id(api.post("/open311/v2/servicerequestupdates.xml", fields))
    with tenant_scope(tenant_a):
        worked_case.refresh_from_db()
    assert (worked_case.status, worked_case.reopen_count) == (Case.Status.OPEN, 1)


def test_fixmystreet_comment_on_a_finished_case_is_kept_as_a_note(api, tenant_a, worked_case, open311_key):
    fields = fms_update(open311_key, worked_case.reference, status="CLOSED", description="Thanks, great job")
    update_id = fms_update_id(api.post("/open311/v2/servicerequestupdates.xml", fields))
    with tenant_scope(tenant_a):
        event = CaseEvent.objects.get(pk=update_id)
        worked_case.refresh_from_db()
    assert event.kind == "note"
    assert event.body.startswith("Comment from Fiona Fixer <fiona@example.org> through Open311")
    assert worked_case.status == Case.Status.RESOLVED


def test_fixmystreet_reopen_after_the_reopen_period_is_refused(api, tenant_a, worked_case, open311_key):
    with tenant_scope(tenant_a):
        Case.objects.filter(pk=worked_case.pk).update(resolved_at=timezone.now() - timedelta(days=60))
    response = api.post("/open311/v2/servicerequestupdates.xml", fms_update(open311_key, worked_case.reference))
    assert response.status_code == 400
    assert "can be reopened up to 28 days" in error_descriptions(response, "xml")[0][1]


def test_fixmystreet_update_with_a_photo(api, tenant_a, catalogue, open311_key):
    """upload_files_for_updates: the comment's photo as photo1."""
    case = make_case(tenant_a, catalogue.pothole)
    fields = fms_update(open311_key, case.reference, photo1=SimpleUploadedFile("c.0.full.jpeg", JPEG, "image/jpeg"))
    fms_update_id(api.post("/open311/v2/servicerequestupdates.xml", fields))
    with tenant_scope(tenant_a):
        assert list(CaseAttachment.objects.filter(case=case).values_list("original_name", flat=True)) == [
            "c.0.full.jpeg"
        ]


def test_update_answer_in_json(api, tenant_a, catalogue, open311_key):
    case = make_case(tenant_a, catalogue.pothole)
    response = api.post("/open311/v2/servicerequestupdates.json", fms_update(open311_key, case.reference))
    assert response.status_code == 201
    [answer] = as_json(response)
    assert answer["update_id"].isdigit()


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"api_key": ""}, 403, "api_key is required"),
        ({"service_request_id": ""}, 400, "service_request_id is required"),
        ({"service_request_id": "NOR-999999"}, 404, "Unknown service_request_id"),
        ({"status": "EXPLODED"}, 400, "Unknown status 'EXPLODED'"),
        ({"updated_datetime": "last Tuesday"}, 400, "updated_datetime must be a W3C date"),
        ({"description": ""}, 400, "Nothing to record"),
    ],
)
def test_update_errors(api, tenant_a, catalogue, open311_key, changes, status, words):
    case = make_case(tenant_a, catalogue.pothole)
    fields = {**fms_update(open311_key, case.reference), **changes}
    response = api.post("/open311/v2/servicerequestupdates.xml", fields)
    assert response.status_code == status
    assert words in error_descriptions(response, "xml")[0][1]
    with tenant_scope(tenant_a):
        assert not CaseEvent.objects.filter(case=case, kind="resident").exists()


def test_updates_reach_only_published_or_open311_cases(api, tenant_a, catalogue, open311_key):
    enquiry = make_case(tenant_a, catalogue.council_tax, latitude=None, longitude=None)
    response = api.post("/open311/v2/servicerequestupdates.xml", fms_update(open311_key, enquiry.reference))
    assert response.status_code == 404
