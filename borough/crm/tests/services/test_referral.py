"""Referral to another organisation on the platform: the other tenant gets a linked case with only what the
resident agreed to share, made inside its own scope; the sharing of contact details needs recorded consent."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent, UsageRecord
from borough.crm.models import Case, CaseEvent, CaseLink, Service
from borough.crm.services import case_refer
from borough.crm.tests.case_factories import make_person, make_service, new_case
from borough.people.models import Address, ContactPoint, Person
from borough.people.services import consent_record
from borough.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(catalogue, tenant_b):
    """A pothole reported to Northfield (a district) that belongs to Southvale."""
    tenant_a = catalogue["tenant"]
    with tenant_scope(tenant_a):
        jane = make_person(
            tenant_a,
            phone="07700 900123",
            address={"line_1": "1 High Street", "town": "Northfield", "postcode": "NF1 2AB"},
        )
        case = new_case(
            tenant_a,
            catalogue["pothole"],
            description="A deep pothole on the county road by the bridge.",
            requester=jane,
            answers={"depth": "15"},
            latitude="52.1",
            longitude="-1.2",
            address="Bridge Road",
            postcode="NF1 2AB",
        )
    return {**catalogue, "jane": jane, "case": case, "tenant_b": tenant_b}


def refer(context, **flags):
    with tenant_scope(context["tenant"]), acting_as(Actor.system("agent")):
        return case_refer(case=context["case"], to_tenant=context["tenant_b"], **flags)


def the_other_case(tenant_b) -> Case:
    with tenant_scope(tenant_b):
        return Case.objects.select_related("service", "requester").get()


def test_a_referral_without_details_or_contact_carries_only_the_service(referral):
    link = refer(referral, share_description=False, share_contact=False)
    tenant_a, tenant_b = referral["tenant"], referral["tenant_b"]
    other = the_other_case(tenant_b)
    assert (link.kind, link.other_tenant, link.other_reference) == ("referred_to", tenant_b, other.reference)
    assert other.reference.startswith(tenant_b.reference_prefix + "-")
    assert other.description == (
        f"Pothole: referred by {tenant_a.name}. The resident did not agree to share the details."
    )
    assert (other.requester, other.answers, other.latitude, other.address, other.postcode) == (None, {}, None, "", "")
    assert (other.service.code, other.service.is_active) == ("referral", False)  # Southvale has no pothole service
    assert other.channel == "staff"
    with tenant_scope(tenant_b):
        back = CaseLink.objects.get()
        assert (back.case, back.kind, back.other_tenant, back.other_reference) == (
            other,
            "referred_from",
            tenant_a,
            referral["case"].reference,
        )
        assert Person.objects.count() == 0
        assert CaseEvent.objects.filter(case=other, kind="referral").get().data["shared"] == ["service"]
        assert AuditEvent.objects.filter(action="case.referral_received").count() == 1
        assert UsageRecord.objects.filter(service="crm.case").aggregate(total=Sum("quantity"))["total"] == 1
    with tenant_scope(tenant_a):
        event = CaseEvent.objects.get(case=referral["case"], kind="referral")
        assert event.is_public and other.reference in event.body
        assert AuditEvent.objects.filter(action="case.refer").count() == 1


def test_a_referral_with_details_and_consented_contact(referral):
    tenant_b = referral["tenant_b"]
    with tenant_scope(tenant_b):
        make_service(tenant_b, "pothole", name="Pothole (county roads)")
    with tenant_scope(referral["tenant"]), acting_as(Actor.system("agent")):
        consent_record(person=referral["jane"], purpose="share_with_partners", granted=True, channel="phone")
    refer(referral, share_description=True, share_contact=True)
    other = the_other_case(tenant_b)
    assert other.service.name == "Pothole (county roads)"
    assert other.description == "A deep pothole on the county road by the bridge."
    assert (str(other.latitude), str(other.longitude), other.address, other.postcode) == (
        "52.100000",
        "-1.200000",
        "Bridge Road",
        "NF1 2AB",
    )
    assert other.answers == {}  # answers belong to the sender's questions
    with tenant_scope(tenant_b):
        person = other.requester
        assert (person.given_name, person.family_name) == ("Jane", "Smith")
        assert set(ContactPoint.objects.filter(person=person).values_list("normalised", flat=True)) == {
            "jane.smith@example.org",
            "+447700900123",
        }
        assert Address.objects.count() == 0  # her home address was not part of what is shared
        assert CaseEvent.objects.get(case=other, kind="referral").data["shared"] == [
            "service",
            "description",
            "location",
            "contact",
        ]


def test_sharing_contact_details_needs_consent_and_nothing_is_written_without_it(referral):
    tenant_b = referral["tenant_b"]
    with tenant_scope(referral["tenant"]), acting_as(Actor.system("agent")):
        consent_record(person=referral["jane"], purpose="share_with_partners", granted=True, channel="web")
        consent_record(person=referral["jane"], purpose="share_with_partners", granted=False, channel="web")
    with pytest.raises(ValidationError) as raised:
        refer(referral, share_description=True, share_contact=True)
    assert "has not agreed to their details being shared" in raised.value.message_dict["share_contact"][0]
    with tenant_scope(tenant_b):
        assert Case.objects.count() == 0 and Person.objects.count() == 0
    with tenant_scope(referral["tenant"]):
        assert CaseLink.objects.count() == 0


def test_an_anonymous_case_has_no_contact_to_share(referral):
    with tenant_scope(referral["tenant"]):
        referral["case"] = new_case(referral["tenant"], referral["missed_bin"], answers={"bin_type": "general"})
    with pytest.raises(ValidationError, match="no resident whose contact details"):
        refer(referral, share_description=True, share_contact=True)


def test_refused_targets(referral, make_tenant):
    with pytest.raises(ValidationError, match="Choose another organisation"):
        refer({**referral, "tenant_b": referral["tenant"]}, share_description=True, share_contact=False)
    bakery = make_tenant("bakery", kind="business")
    with pytest.raises(ValidationError, match="is not taking referrals"):
        refer({**referral, "tenant_b": bakery}, share_description=True, share_contact=False)
    refer(referral, share_description=True, share_contact=False)
    with pytest.raises(ValidationError, match="already been referred"):
        refer(referral, share_description=True, share_contact=False)


def test_each_tenant_sees_only_its_own_end(referral, on_postgres):
    """On PostgreSQL the database itself (row-level security) keeps each end in its tenant."""
    refer(referral, share_description=True, share_contact=False)
    counts = {}
    for tenant in (referral["tenant"], referral["tenant_b"]):
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT reference FROM crm_case")
            counts[tenant.slug] = [row[0] for row in cursor.fetchall()]
    assert counts == {
        "northfield": [referral["case"].reference],
        "southvale": [the_other_case(referral["tenant_b"]).reference],
    }
    with tenant_scope(referral["tenant_b"]):
        assert not Service.objects.filter(code="pothole", tenant=referral["tenant"]).exists()
