"""The tenant administrator's notification pages: settings, the wording of each template with a preview, and
validation errors (a 400 with field messages, nothing saved)."""

import html
import re

import pytest

from borough.channels.notifications.models import NotificationSettings, NotificationTemplate
from borough.channels.notifications.tests.conftest import case_for, person
from borough.core.models import AuditEvent, OutboxMessage
from borough.tenancy.scope import tenant_scope

HOME = "/staff/admin/notifications/"
TEMPLATE = "/staff/admin/notifications/template/"


@pytest.fixture
def admin(catalogue, make_staff, client_for):
    return client_for(catalogue["tenant"], make_staff(catalogue["tenant"], roles=("tenant.admin",), username="boss"))


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_only_administrators_reach_the_pages(catalogue, make_staff, client_for):
    agent = client_for(catalogue["tenant"], make_staff(catalogue["tenant"], roles=("crm.agent",)))
    assert agent.get(HOME).status_code == 403
    assert agent.get(TEMPLATE + "?event=received&channel=email&language=en").status_code == 403
    assert agent.post(HOME, {"bilingual": "on"}).status_code == 403
    assert client_for(catalogue["tenant"]).get(HOME).status_code == 302  # to sign in


def test_the_settings_page_saves_languages_events_and_survey(catalogue, admin):
    page = admin.get(HOME)
    assert page.status_code == 200
    assert "Request assigned to a team Off" in text_of(page)  # assigning is off by default
    assert text_of(page).count("Edit ") == 14  # 7 events, email and text, English only
    response = admin.post(
        HOME,
        {"bilingual": "on", "events": ["received", "assigned"], "survey_url": "https://s.example.org/((reference))"},
    )
    assert response.status_code == 302
    with tenant_scope(catalogue["tenant"]):
        saved = NotificationSettings.objects.get()
        assert AuditEvent.objects.filter(action="notifications.settings").count() == 1
    assert (saved.bilingual, saved.both_languages_in_email, saved.events) == (True, False, ["received", "assigned"])
    assert text_of(admin.get(HOME)).count("Edit ") == 28  # now Welsh too


def test_bad_settings_are_field_errors(catalogue, admin):
    response = admin.post(HOME, {"events": ["received", "birthday"], "survey_url": "survey.example.org/((case))"})
    assert response.status_code == 400
    text = text_of(response)
    assert (
        "There is a problem" in text and "Select a valid choice. birthday is not one of the available choices." in text
    )
    response = admin.post(HOME, {"survey_url": "https://s.example.org/((case))"})
    assert response.status_code == 400
    assert "The survey address can only use ((reference)), not ((case))" in text_of(response)
    response = admin.post(HOME, {"survey_url": "survey.example.org"})
    assert "Enter the survey's full address, starting with https://" in text_of(response)
    with tenant_scope(catalogue["tenant"]):
        assert not NotificationSettings.objects.exists()


def test_a_template_shows_borough_wording_with_a_preview_and_saves_the_tenants_own(catalogue, admin):
    url = TEMPLATE + "?event=update&channel=email&language=en"
    page = admin.get(url)
    assert page.status_code == 200
    text = text_of(page)
    assert "This is Borough's wording." in text and "((update))" in text and "((due_date))" not in text
    assert "Dear Jane Smith," in text and "We will collect your bin tomorrow." in text  # the preview
    form = {"event": "update", "channel": "email", "language": "en", "subject": "News on ((reference))"}
    body = "Hello from ((council)).\n\n((update))((name?? Thank you for your patience.))"
    preview = admin.post(TEMPLATE, {**form, "body": body, "action": "preview"})
    assert preview.status_code == 200 and "News on NOR-000123" in text_of(preview)
    assert "Hello from Northfield District Council." in text_of(preview)
    with tenant_scope(catalogue["tenant"]):
        assert not NotificationTemplate.objects.exists()  # a preview saves nothing
    saved = admin.post(TEMPLATE, {**form, "body": body, "action": "save"})
    assert saved.status_code == 302
    with tenant_scope(catalogue["tenant"]):
        own = NotificationTemplate.objects.get()
        assert AuditEvent.objects.filter(action="notifications.template_save").count() == 1
    assert (own.subject, own.body, own.updated_by.username) == ("News on ((reference))", body, "boss")
    assert "Your own" in text_of(admin.get(HOME))
    # Used from now on.
    tenant = catalogue["tenant"]
    case = case_for(catalogue, person(tenant))
    from borough.core.audit import Actor, acting_as
    from borough.crm.services import case_publish_update

    with tenant_scope(tenant), acting_as(Actor.system("test")):
        update = case_publish_update(case=case, body="Collected.")
        email = OutboxMessage.objects.get(idempotency_key=f"case-update-{update.pk}").payload
    assert email["subject"] == f"News on {case.reference}"
    assert "Hello from Northfield District Council.\n\nCollected. Thank you for your patience." in email["body"]
    # And back to Borough's wording.
    assert admin.post(TEMPLATE + "reset/", {"event": "update", "channel": "email", "language": "en"}).status_code == 302
    with tenant_scope(tenant):
        assert not NotificationTemplate.objects.exists()


def test_an_unknown_placeholder_is_a_field_error_listing_the_allowed_ones(catalogue, admin):
    form = {"event": "received", "channel": "sms", "language": "cy", "action": "save"}
    response = admin.post(TEMPLATE, {**form, "body": "Cyfeirnod ((reference)), erbyn ((due_date)) – ((colour))"})
    assert response.status_code == 400
    text = text_of(response)
    assert "There is a problem" in text
    assert "((colour)) cannot be used here. You can use: ((name)), ((reference)), ((service)), ((council)), " in text
    assert "((track_link)), ((due_date))" in text
    nested = admin.post(TEMPLATE, {**form, "body": "((name?? Diolch, ((name)).))"})
    assert nested.status_code == 400
    assert "Put no placeholder inside ((name??…)): its text is shown as it is" in text_of(nested)
    empty = admin.post(TEMPLATE, {"event": "received", "channel": "email", "language": "en", "action": "save"})
    assert empty.status_code == 400 and "Enter the subject of the email" in text_of(empty)
    assert "Enter the message" in text_of(empty)
    with tenant_scope(catalogue["tenant"]):
        assert not NotificationTemplate.objects.exists()


def test_a_text_message_preview_counts_its_length(catalogue, admin):
    form = {"event": "closed", "channel": "sms", "language": "cy", "action": "preview"}
    response = admin.post(TEMPLATE, {**form, "body": "Mae ((reference)) wedi cau. Diolch yn fawr – ŵ"})
    assert response.status_code == 200
    assert "43 characters: 1 text message (UCS-2, because of characters such as ŵ or ŷ" in text_of(response)


@pytest.mark.parametrize(
    "query", ["?event=birthday&channel=email&language=en", "?event=update&channel=fax&language=en", "?event=update"]
)
def test_no_such_template_is_404_and_no_query_goes_to_the_list(admin, query):
    assert admin.get(TEMPLATE + query).status_code == 404
    assert admin.post(TEMPLATE + "reset/", {"event": "x"}).status_code == 404
    assert admin.get(TEMPLATE).status_code == 302
