"""Merging two records moves everything to the survivor; unmerging from the audit event restores exactly."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.channels.models import InboundEmail
from borough.channels.telephony.models import Call, CallBack
from borough.channels.telephony.services import call_event_record, callback_schedule
from borough.core.audit import Actor, acting_as, audit_history
from borough.core.models import AuditEvent
from borough.crm.models import Case, Interaction
from borough.people.erasure import person_erase
from borough.people.merge import person_merge, person_unmerge
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import (
    address_add,
    consent_record,
    contact_point_add,
    person_create,
    person_update,
)
from borough.people.tests.conftest import make_case, make_interaction
from borough.revenues.models import AccountParty
from borough.revenues.services import account_open
from borough.revenues.tests.factories import make_dwelling
from borough.tenancy.scope import tenant_scope


def ownership(tenant) -> dict:
    """Who owns every row a merge may move, and which rows are primary: compared before and after."""
    return {
        "contact_points": sorted(ContactPoint.objects.values_list("pk", "person_id", "is_primary")),
        "addresses": sorted(Address.objects.values_list("pk", "person_id", "is_primary")),
        "consents": sorted(Consent.objects.values_list("pk", "person_id")),
        "cases": sorted(Case.objects.values_list("pk", "requester_id")),
        "interactions": sorted(Interaction.objects.values_list("pk", "person_id")),
        "emails": sorted(InboundEmail.objects.values_list("pk", "person_id")),
        "calls": sorted(Call.objects.values_list("pk", "person_id")),
        "call_backs": sorted(CallBack.objects.values_list("pk", "person_id")),
        "account_parties": sorted(AccountParty.objects.values_list("pk", "person_id")),
        "people": sorted(Person.objects.values_list("pk", "merged_into_id", "merged_at", "legal_hold_reason")),
    }


@pytest.fixture
def pair(in_a):
    """Two records of one resident, each with contacts, an address, consent, a case and an interaction."""
    survivor = person_create(
        tenant=in_a,
        given_name="Ann",
        family_name="Jones",
        email="ann@example.com",
        phone="07700 900123",
        address={"line_1": "1 High Street", "postcode": "NF1 2AB"},
    )
    duplicate = person_create(
        tenant=in_a,
        given_name="Anne",
        family_name="Jones",
        email="ANN@example.com",  # the same address: stays behind
        phone="01632 960001",  # primary on the duplicate, but the survivor has a primary phone already
        address={"line_1": "Flat 2, 1 High Street", "postcode": "NF1 2AB"},
    )
    contact_point_add(person=duplicate, kind="email", value="anne.work@example.com")
    consent_record(person=survivor, purpose="surveys", granted=True, channel="web")
    consent_record(person=duplicate, purpose="email_updates", granted=False, channel="phone")
    for person in (survivor, duplicate):
        case = make_case(in_a, person)
        make_interaction(in_a, person, case=case)
    InboundEmail.objects.create(
        tenant=in_a, spool_name="s-1", received_at=timezone.now(), recipient="contact@northfield.localhost",
        from_address="anne.work@example.com", size=1, outcome=InboundEmail.Outcome.REVIEW, person=duplicate,
    )  # fmt: skip
    call, _recorded, _warnings = call_event_record(
        tenant=in_a, call_id="c-1", caller="01632 960001", called="01632 960000", state="ringing"
    )
    assert call.person == duplicate
    callback_schedule(tenant=in_a, phone="+441632960001", due_at=timezone.now(), person=duplicate, call=call)
    account_open(
        tenant=in_a, dwelling=make_dwelling(in_a), parties=[{"name": "Anne Jones", "person": duplicate}],
        start=date(2026, 4, 1),
    )  # fmt: skip
    return survivor, duplicate


def test_merge_moves_everything_but_exact_duplicate_contact_points(in_a, pair):
    survivor, duplicate = pair
    event = person_merge(survivor=survivor, duplicate=duplicate)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.merged_at is not None and not duplicate.is_active
    assert sorted(survivor.contact_points.values_list("normalised", "is_primary")) == [
        ("+441632960001", False),
        ("+447700900123", True),
        ("ann@example.com", True),
        ("anne.work@example.com", False),
    ]
    assert list(duplicate.contact_points.values_list("normalised", flat=True)) == ["ann@example.com"]
    assert survivor.addresses.count() == 2 and survivor.addresses.filter(is_primary=True).count() == 1
    assert survivor.consents.count() == 2 and survivor.cases.count() == 2 and survivor.interactions.count() == 3
    assert not (duplicate.addresses.exists() or duplicate.consents.exists() or duplicate.cases.exists())

    assert event.action == "person.merge" and event.object_id == str(survivor.pk)
    moved = event.detail["moved"]
    assert set(moved) == {
        "contact_points", "addresses", "consents", "cases", "interactions", "emails", "calls", "call_backs",
        "account_parties",
    }  # fmt: skip
    assert Call.objects.get().person == survivor and CallBack.objects.get().person == survivor
    assert AccountParty.objects.get().person == survivor
    assert sorted(moved["cases"]) == sorted(Case.objects.values_list("pk", flat=True).exclude(requester=None))[1:]
    assert len(moved["contact_points"]) == 2 and len(event.detail["contact_points_kept_on_duplicate"]) == 1
    assert len(event.detail["contact_points_no_longer_primary"]) == 1
    assert audit_history(duplicate).filter(action="person.merged_into", detail__merge_event_id=event.pk).exists()


def test_unmerge_restores_exactly(in_a, pair):
    survivor, duplicate = pair
    before = ownership(in_a)
    event = person_merge(survivor=survivor, duplicate=duplicate)
    assert ownership(in_a) != before
    undo = person_unmerge(audit_event=event)
    assert ownership(in_a) == before
    assert undo.action == "person.unmerge" and undo.detail["merge_event_id"] == event.pk
    duplicate.refresh_from_db()
    assert duplicate.is_active
    assert audit_history(duplicate).filter(action="person.unmerged").exists()


def test_a_merge_is_undone_once_only(in_a, pair):
    event = person_merge(survivor=pair[0], duplicate=pair[1])
    person_unmerge(audit_event=event)
    with pytest.raises(ValidationError, match="already been undone"):
        person_unmerge(audit_event=event)


def test_unmerge_is_refused_when_a_moved_row_changed_owner_since(in_a, pair):
    survivor, duplicate = pair
    event = person_merge(survivor=survivor, duplicate=duplicate)
    third = person_create(tenant=in_a, family_name="Third")
    moved_case = Case.objects.get(pk=event.detail["moved"]["cases"][0])
    Case.objects.filter(pk=moved_case.pk).update(requester=third)
    state = ownership(in_a)
    with pytest.raises(ValidationError) as raised:
        person_unmerge(audit_event=event)
    assert f"1 of the cases moved by the merge have changed since (ids [{moved_case.pk}])" in str(raised.value)
    assert ownership(in_a) == state  # nothing moved back


def test_unmerge_is_refused_once_the_survivor_was_merged_again(in_a, pair):
    survivor, duplicate = pair
    first = person_merge(survivor=survivor, duplicate=duplicate)
    other = person_create(tenant=in_a, family_name="Jones", given_name="A")
    person_merge(survivor=other, duplicate=survivor)
    with pytest.raises(ValidationError, match="have changed since"):
        person_unmerge(audit_event=first)


def test_unmerge_needs_a_merge_event(in_a, pair):
    survivor, _duplicate = pair
    not_a_merge = audit_history(survivor).get(action="person.create")
    with pytest.raises(ValidationError, match="does not record a merge"):
        person_unmerge(audit_event=not_a_merge)


def test_merge_refusals(tenant_a, tenant_b, in_a, pair):
    survivor, duplicate = pair
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        person_merge(survivor=survivor, duplicate=survivor)
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        theirs = person_create(tenant=tenant_b, family_name="Jones")
    with pytest.raises(ValidationError, match="different organisations"):
        person_merge(survivor=survivor, duplicate=theirs)
    third = person_create(tenant=in_a, family_name="Third")
    person_merge(survivor=third, duplicate=duplicate)
    with pytest.raises(ValidationError, match="to be merged was already merged"):
        person_merge(survivor=survivor, duplicate=duplicate)
    with pytest.raises(ValidationError, match="to be kept was already merged"):
        person_merge(survivor=duplicate, duplicate=survivor)
    fourth = person_create(tenant=in_a, family_name="Fourth")
    person_erase(person=fourth, reason="Erasure request 123")
    with pytest.raises(ValidationError, match="to be kept has been anonymised"):
        person_merge(survivor=fourth, duplicate=survivor)
    assert AuditEvent.objects.filter(action="person.merge").count() == 1


def test_a_legal_hold_follows_the_merge_and_leaves_with_the_unmerge(in_a, pair):
    survivor, duplicate = pair
    person_update(person=duplicate, legal_hold_reason="Council tax arrears")
    duplicate.refresh_from_db()
    event = person_merge(survivor=survivor, duplicate=duplicate)
    survivor.refresh_from_db()
    assert survivor.legal_hold_reason == "Council tax arrears"
    with pytest.raises(ValidationError, match="legal hold"):
        person_erase(person=survivor, reason="Erasure request 123")
    person_unmerge(audit_event=event)
    survivor.refresh_from_db()
    assert survivor.legal_hold_reason == ""


def test_primary_address_is_kept_and_restored(in_a, pair):
    survivor, duplicate = pair
    address_add(person=duplicate, line_1="3 Low Road", postcode="NF2 1AA", is_primary=True)
    before = ownership(in_a)
    event = person_merge(survivor=survivor, duplicate=duplicate)
    assert survivor.addresses.filter(is_primary=True).count() == 1
    assert len(event.detail["addresses_no_longer_primary"]) == 1
    person_unmerge(audit_event=event)
    assert ownership(in_a) == before
