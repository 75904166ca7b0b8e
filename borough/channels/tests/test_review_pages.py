"""The desk's email review queue: list, read, open a case, add to a case, dismiss, download the original."""

import pytest

from borough.channels.email.ingest import ingest_spooled
from borough.channels.email.spool import spool_store
from borough.channels.models import InboundEmail
from borough.core.models import AuditEvent
from borough.crm.models import Case, CaseEvent
from borough.crm.tests.case_factories import make_person, new_case
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db

TO = "contact@northfield.localhost"


def held_for_review(subject="Re: NOR-000001 still broken", sender="neighbour@example.net") -> InboundEmail:
    raw = f"From: A Neighbour <{sender}>\r\nTo: {TO}\r\nSubject: {subject}\r\n\r\nThe light is still off.\r\n"
    record = ingest_spooled(spool_store(raw.encode(), envelope_from=sender, recipient=TO))
    assert record.outcome == InboundEmail.Outcome.REVIEW
    return record


@pytest.fixture
def agent_client(tenant_a, make_staff, client_for):
    return client_for(tenant_a, make_staff(tenant_a, roles=("crm.agent",)))


@pytest.fixture
def case(tenant_a, mailbox):
    with tenant_scope(tenant_a):
        return new_case(tenant_a, mailbox.service, requester=make_person(tenant_a, email="jane@example.org"))


def test_the_queue_lists_emails_waiting_and_shows_one(tenant_a, case, agent_client):
    record = held_for_review()
    listing = agent_client.get("/staff/mail/")
    assert listing.status_code == 200
    assert b"Re: NOR-000001 still broken" in listing.content and b"not from the resident" in listing.content
    page = agent_client.get(f"/staff/mail/{record.pk}/")
    assert page.status_code == 200 and b"The light is still off." in page.content


def test_an_agent_adds_the_email_to_the_case(tenant_a, case, agent_client):
    record = held_for_review()
    response = agent_client.post(f"/staff/mail/{record.pk}/add-to-case/", {"reference": case.reference.lower()})
    assert response.status_code == 302 and response["Location"] == f"/staff/crm/cases/{case.reference}/"
    with tenant_scope(tenant_a):
        record.refresh_from_db()
        assert (record.outcome, record.case_id) == (InboundEmail.Outcome.ADDED_TO_CASE, case.pk)
        assert record.reviewed_at is not None
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RESIDENT, body="The light is still off.")
        assert AuditEvent.objects.filter(action="email.add_to_case", object_id=str(record.pk)).exists()
    again = agent_client.post(f"/staff/mail/{record.pk}/dismiss/", {"note": "twice"})
    assert again.status_code == 400 and b"already been dealt with" in again.content


def test_an_agent_opens_a_case_for_the_sender(tenant_a, case, agent_client):
    record = held_for_review()
    response = agent_client.post(f"/staff/mail/{record.pk}/open-case/", {"service": case.service_id})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        opened = Case.objects.exclude(pk=case.pk).get()
        assert opened.channel == "email" and opened.requester.contact_points.get().normalised == record.from_address
        assert opened.description == "Re: NOR-000001 still broken\n\nThe light is still off."


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("add-to-case", {"reference": ""}, b"Enter a case reference"),
        ("add-to-case", {"reference": "NOR-999999"}, b"There is no case NOR-999999"),
        ("open-case", {"service": ""}, b"Choose a service"),
        ("open-case", {"service": "99999"}, b"Select a valid choice"),
        ("dismiss", {"note": ""}, b"Say why no action is needed"),
        ("dismiss", {"note": "x" * 300}, b"at most 250 characters"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(tenant_a, case, agent_client, action, data, message):
    record = held_for_review()
    response = agent_client.post(f"/staff/mail/{record.pk}/{action}/", data)
    assert response.status_code == 400 and message in response.content
    assert b"There is a problem" in response.content
    with tenant_scope(tenant_a):
        record.refresh_from_db()
        assert record.outcome == InboundEmail.Outcome.REVIEW and record.reviewed_at is None


def test_dismissing_keeps_the_email_with_the_reason(tenant_a, case, agent_client):
    record = held_for_review()
    response = agent_client.post(f"/staff/mail/{record.pk}/dismiss/", {"note": "A neighbour's duplicate report"})
    assert response.status_code == 302 and response["Location"] == "/staff/mail/"
    with tenant_scope(tenant_a):
        record.refresh_from_db()
        assert record.outcome == InboundEmail.Outcome.DISMISSED
        assert record.reason == "Dismissed: A neighbour's duplicate report"


def test_the_original_downloads_as_a_message_file(tenant_a, case, agent_client):
    record = held_for_review()
    response = agent_client.get(f"/staff/mail/{record.pk}/original.eml")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="email-{record.pk}.eml"'
    assert b"The light is still off." in b"".join(response.streaming_content)


def test_only_the_desk_sees_the_queue(tenant_a, case, make_staff, client_for):
    record = held_for_review()
    payroll = client_for(tenant_a, make_staff(tenant_a, roles=("payroll.administrator",)))
    assert payroll.get("/staff/mail/").status_code == 403
    assert payroll.post(f"/staff/mail/{record.pk}/dismiss/", {"note": "not mine"}).status_code == 403
