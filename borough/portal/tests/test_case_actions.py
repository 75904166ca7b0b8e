"""On a verified case: adding information (text, a photo), reopening within the tenant's period, feedback once."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.crm.models import Case, CaseAttachment, CaseEvent
from borough.crm.services import case_publish_update, case_transition
from borough.crm.settings import crm_settings
from borough.portal.tests.helpers import emailed_code, make_case, png
from borough.tenancy.scope import tenant_scope


@pytest.fixture
def followed(client_for, catalogue, tenant_a):
    """A case of Ann's, and a browser that has verified her code for it."""
    case = make_case(tenant_a)
    client = client_for(tenant_a)
    client.post("/track/", {"reference": case.reference, "contact": "ann@example.org"})
    assert client.post("/track/code/", {"code": emailed_code(tenant_a)}).status_code == 302
    return client, case


def refreshed(case: Case) -> Case:
    with tenant_scope(case.tenant):
        return Case.objects.get(pk=case.pk)


def set_status(case: Case, status: str, **changes) -> Case:
    with tenant_scope(case.tenant), acting_as(Actor.system("test")):
        case = case_transition(case=case, to_status=status)
        if changes:
            Case.objects.filter(pk=case.pk).update(**changes)
        return case


def page_of(client, case) -> str:
    return client.get(f"/track/{case.reference}/").content.decode()


def test_the_case_page_shows_public_updates_but_not_internal_notes(followed):
    client, case = followed
    with tenant_scope(case.tenant), acting_as(Actor.system("test")):
        case_publish_update(case=case, body="A crew will collect it on Thursday.")
        CaseEvent.objects.create(tenant=case.tenant, case=case, kind="note", body="Resident is grumpy", actor_label="x")
    html = page_of(client, case)
    assert "A crew will collect it on Thursday." in html and "Update from us" in html
    assert "grumpy" not in html


def test_information_added_goes_on_the_case(followed):
    client, case = followed
    response = client.post(
        f"/track/{case.reference}/add-information/", {"body": "It happened again today.", "photo": png("again.png")}
    )
    assert response.status_code == 302 and response["Location"] == f"/track/{case.reference}/"
    assert "Your information was added" in page_of(client, case)
    with tenant_scope(case.tenant):
        event = CaseEvent.objects.get(case=case, kind="resident")
        assert event.is_public and event.body == "It happened again today."
        assert CaseAttachment.objects.get(case=case).original_name == "again.png"
    assert "It happened again today." in page_of(client, case)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Enter the information to add, or choose a photo"),
        (
            {"body": "x", "photo": SimpleUploadedFile("virus.png", b"MZ\x90\x00", content_type="image/png")},
            "virus.png must be a photo or a PDF",
        ),
        ({"body": "x" * 5001}, "Use 5000 characters or fewer"),
    ],
)
def test_bad_information_is_refused(followed, data, message):
    client, case = followed
    response = client.post(f"/track/{case.reference}/add-information/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<title>Error: " in response.content.decode()
    with tenant_scope(case.tenant):
        assert not CaseEvent.objects.filter(case=case, kind="resident").exists()


def test_a_finished_case_takes_no_information_until_reopened(followed):
    client, case = followed
    set_status(case, "resolved")
    assert "Add information" not in page_of(client, case)
    response = client.post(f"/track/{case.reference}/add-information/", {"body": "More"})
    assert response.status_code == 400
    assert "reopen it to add information" in response.content.decode()


def test_a_resolved_case_can_be_reopened_within_the_period(followed):
    client, case = followed
    assert "Reopen this report" not in page_of(client, case)
    assert client.post(f"/track/{case.reference}/reopen/", {"reason": "Too soon"}).status_code == 400
    set_status(case, "resolved")
    html = page_of(client, case)
    assert "Reopen this report" in html and "Resolved" in html
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "The bin is still full."})
    assert response.status_code == 302
    case = refreshed(case)
    assert (case.status, case.reopen_count) == ("open", 1)
    assert "The bin is still full." in page_of(client, case)


def test_reopening_needs_a_reason(followed):
    client, case = followed
    set_status(case, "resolved")
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": " "})
    assert response.status_code == 400
    assert "Tell us why the problem is not resolved" in response.content.decode()


def test_a_case_resolved_longer_ago_than_the_period_cannot_be_reopened(followed):
    client, case = followed
    with tenant_scope(case.tenant):
        days = crm_settings(case.tenant).reopen_days
    set_status(case, "resolved", resolved_at=timezone.now() - timedelta(days=days, minutes=1))
    assert "Reopen this report" not in page_of(client, case)
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "Still broken"})
    assert response.status_code == 400
    assert "can no longer be reopened" in response.content.decode()
    assert refreshed(case).status == "resolved"


def test_the_period_is_the_tenants_setting(followed):
    client, case = followed
    with tenant_scope(case.tenant):
        settings = crm_settings(case.tenant)
        settings.reopen_days = 60
        settings.save()
    set_status(case, "resolved", resolved_at=timezone.now() - timedelta(days=45))
    assert "Reopen this report" in page_of(client, case)
    assert client.post(f"/track/{case.reference}/reopen/", {"reason": "Back again"}).status_code == 302


def test_feedback_is_given_once_after_resolution(followed):
    client, case = followed
    assert "Tell us what you think" not in page_of(client, case)
    refused = client.post(f"/track/{case.reference}/feedback/", {"rating": "4"})
    assert refused.status_code == 400
    assert "Feedback can be given once the case is resolved" in refused.content.decode()
    set_status(case, "resolved")
    form = client.get(f"/track/{case.reference}/feedback/").content.decode()
    assert form.count('type="radio"') == 5 and "5 stars: very satisfied" in form
    response = client.post(f"/track/{case.reference}/feedback/", {"rating": "4", "comment": "Quick, thanks."})
    assert response.status_code == 302
    assert "Thank you for your feedback" in page_of(client, case)
    case = refreshed(case)
    assert (case.feedback_rating, case.feedback_comment) == (4, "Quick, thanks.")
    assert "Tell us what you think" not in page_of(client, case)
    again = client.post(f"/track/{case.reference}/feedback/", {"rating": "1"})
    assert again.status_code == 400
    assert "Feedback has already been given" in again.content.decode()
    assert refreshed(case).feedback_rating == 4


@pytest.mark.parametrize(("rating", "message"), [("", "Select how satisfied you were"), ("9", "Select one of")])
def test_a_bad_rating_is_refused(followed, rating, message):
    client, case = followed
    set_status(case, "closed")
    response = client.post(f"/track/{case.reference}/feedback/", {"rating": rating})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_rating_0"' in response.content.decode()
    assert refreshed(case).feedback_rating is None
