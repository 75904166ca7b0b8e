"""The desk's queue of text messages waiting for review: list, read, open a case, add to a case, dismiss."""

import pytest

from borough.channels.notify.inbound import inbound_sms_receive
from borough.channels.notify.models import InboundSms, NotifyAccount
from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent
from borough.crm.models import Case, CaseEvent
from borough.crm.tests.case_factories import make_person, make_service, new_case
from borough.people.models import ContactPoint
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def held(tenant, message="Is the tip open on Sunday?", source="447700900321") -> InboundSms:
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        record, _created = inbound_sms_receive(
            tenant=tenant, payload={"id": f"in-{source}-{message[:8]}", "source_number": source, "message": message}
        )
    assert record.outcome == InboundSms.Outcome.REVIEW
    return record


@pytest.fixture
def agent_client(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, roles=("crm.agent",)))


@pytest.fixture
def service(tenant_a):
    with tenant_scope(tenant_a):
        return make_service(tenant_a, "tip", name="Household waste site")


def test_the_queue_lists_texts_waiting_and_shows_one(tenant_a, agent_client):
    record = held(tenant_a)
    listing = agent_client.get("/staff/texts/")
    assert listing.status_code == 200
    assert b"Is the tip open on Sunday?" in listing.content and b"not a service keyword" in listing.content
    page = agent_client.get(f"/staff/texts/{record.pk}/")
    assert page.status_code == 200 and b"+447700900321" in page.content and b"1 part" in page.content


def test_an_agent_opens_a_case_for_the_sender(tenant_a, service, agent_client):
    record = held(tenant_a)
    response = agent_client.post(f"/staff/texts/{record.pk}/open-case/", {"service": service.pk})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        case = Case.objects.get()
        assert case.channel == "sms" and case.description == "Is the tip open on Sunday?"
        assert ContactPoint.objects.get(person=case.requester).normalised == "+447700900321"
        record.refresh_from_db()
        assert record.outcome == InboundSms.Outcome.CASE_CREATED and record.case == case and record.reviewed_at
        assert AuditEvent.objects.filter(action="sms.open_case", object_id=str(record.pk)).exists()


def test_an_agent_adds_the_text_to_a_case(tenant_a, service, agent_client):
    with tenant_scope(tenant_a):
        case = new_case(tenant_a, service, requester=make_person(tenant_a, email="jane@example.org"))
    record = held(tenant_a, "It is me, Jane, from my other phone")
    response = agent_client.post(f"/staff/texts/{record.pk}/add-to-case/", {"reference": case.reference.lower()})
    assert response.status_code == 302 and response["Location"] == f"/staff/crm/cases/{case.reference}/"
    with tenant_scope(tenant_a):
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RESIDENT, body__startswith="It is me").exists()
    again = agent_client.post(f"/staff/texts/{record.pk}/dismiss/", {"note": "twice"})
    assert again.status_code == 400 and b"already been dealt with" in again.content


def test_bad_input_gets_field_errors_and_changes_nothing(tenant_a, agent_client):
    record = held(tenant_a)
    unknown = agent_client.post(f"/staff/texts/{record.pk}/add-to-case/", {"reference": "NOR-999999"})
    assert unknown.status_code == 400 and b"There is no case NOR-999999" in unknown.content
    no_service = agent_client.post(f"/staff/texts/{record.pk}/open-case/", {"service": "999999"})
    assert no_service.status_code == 400 and b"govuk-error-summary" in no_service.content
    no_note = agent_client.post(f"/staff/texts/{record.pk}/dismiss/", {"note": " "})
    assert no_note.status_code == 400 and b"Say why no action is needed" in no_note.content
    with tenant_scope(tenant_a):
        record.refresh_from_db()
        assert record.outcome == InboundSms.Outcome.REVIEW and record.reviewed_at is None


def test_an_agent_dismisses_a_text(tenant_a, agent_client):
    record = held(tenant_a)
    response = agent_client.post(f"/staff/texts/{record.pk}/dismiss/", {"note": "Answered by phone"})
    assert response.status_code == 302 and response["Location"] == "/staff/texts/"
    with tenant_scope(tenant_a):
        record.refresh_from_db()
        assert record.outcome == InboundSms.Outcome.DISMISSED and record.reason == "Dismissed: Answered by phone"


def test_someone_without_a_crm_role_cannot_see_the_queue(tenant_a, make_staff, client_for):
    held(tenant_a)
    outsider = client_for(tenant_a, make_staff(tenant_a, roles=("tenant.admin",)))
    assert outsider.get("/staff/texts/").status_code in (403, 404)


# -- the settings page (tenant administrators) --------------------------------------------------------------------

SETTINGS = "/staff/texts/settings/"


@pytest.fixture
def admin_client(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, roles=("tenant.admin",), username="texts-admin"))


def settings_form(**changes):
    form = {
        "sms_template_id": "6f1d3a52-3c4e-4b8e-9d0e-8a0c2b7f4e11",
        "sms_sender_id": "",
        "email_template_id": "",
        "email_reply_to_id": "",
        "email_route": "smtp",
        "inbound_number": "07700 900000",
        "switch": "on",
        "callback_token": "a-token-for-notify-callbacks",
    }
    return {**form, **changes}


def test_an_administrator_sets_up_notify(tenant_a, admin_client):
    page = admin_client.get(SETTINGS)
    assert page.status_code == 200 and b"BOROUGH_NOTIFY_KEY_NORTHFIELD" in page.content
    assert b"http://northfield.localhost/callbacks/notify/inbound-sms" in page.content
    saved = admin_client.post(SETTINGS, settings_form())
    assert saved.status_code == 302 and saved["Location"] == SETTINGS
    with tenant_scope(tenant_a):
        account = NotifyAccount.objects.get()
        assert account.inbound_number == "+447700900000" and account.is_active and not account.email_via_notify
        assert account.callback_token_matches("a-token-for-notify-callbacks")
    changed = admin_client.post(SETTINGS, settings_form(callback_token="", switch="off"))
    assert changed.status_code == 302
    with tenant_scope(tenant_a):
        account.refresh_from_db()
        assert not account.is_active and account.callback_token_matches("a-token-for-notify-callbacks")
    assert b"a-token-for-notify-callbacks" not in admin_client.get(SETTINGS).content


def test_bad_settings_show_field_errors_and_save_nothing(tenant_a, admin_client):
    answer = admin_client.post(
        SETTINGS, settings_form(sms_template_id="abc", email_route="notify", inbound_number="x", callback_token="")
    )
    assert answer.status_code == 400 and b"govuk-error-summary" in answer.content
    for message in (b"Paste the id from Notify", b"Choose the bearer token", b"is not a phone number"):
        assert message in answer.content
    with tenant_scope(tenant_a):
        assert not NotifyAccount.objects.exists()


def test_agents_cannot_change_the_settings(tenant_a, agent_client):
    assert agent_client.get(SETTINGS).status_code in (403, 404)
    assert agent_client.post(SETTINGS, settings_form()).status_code in (403, 404)
