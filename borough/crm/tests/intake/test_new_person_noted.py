"""A person created in this request is noted with their contact points (ADR 0020), so acknowledging their first
contact reads nothing back; anything recorded about them afterwards in the same request is read again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borough.core.audit import Actor, acting_as
from borough.crm.services import case_create
from borough.people.models import ContactPoint
from borough.people.services import consent_record, person_create
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def report(tenant, person):
    return case_create(
        tenant=tenant,
        service="missed-bin",
        channel="web",
        description="Bin",
        answers={"bin_type": "general"},
        requester=person,
    )


def test_a_new_residents_acknowledgement_reads_back_nothing_about_them(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        person = person_create(tenant=tenant, email="new@example.org")
        with CaptureQueriesContext(connection) as queries:
            case = report(tenant, person)
    assert case.created_event.data["notified"]["sent"] is True
    assert case.created_event.data["notified"]["channel"] == "email"
    read = " ".join(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
    assert "people_contactpoint" not in read and "people_consent" not in read


def test_consent_withdrawn_in_the_same_request_is_respected(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        person = person_create(tenant=tenant, email="careful@example.org")
        consent_record(person=person, purpose="email_updates", granted=False, channel="web")
        case = report(tenant, person)
    notified = case.created_event.data["notified"]
    assert notified["sent"] is False and "withdrawn" in notified["reason"]


def test_a_contact_point_saved_in_the_same_request_is_seen(catalogue):
    tenant = catalogue["tenant"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        person = person_create(tenant=tenant, phone="07700 900123", preferred_channel="email")
        ContactPoint.objects.create(
            tenant=tenant, person=person, kind="email", value="late@example.org", normalised="late@example.org"
        )
        case = report(tenant, person)
    assert case.created_event.data["notified"]["channel"] == "email"
