"""Erasure: refused under a legal hold (or an open case), otherwise anonymised with case statistics kept."""

import json
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count

from borough.core.audit import audit_history
from borough.crm.models import Case, CaseAttachment, CaseEvent, Interaction
from borough.people.erasure import ERASED, person_erase
from borough.people.merge import person_merge
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import consent_record, person_create, person_update
from borough.people.tests.conftest import make_case, make_interaction, make_service

REASON = "Erasure request ER-2041 from the resident"


@pytest.fixture
def resident(in_a):
    person = person_create(
        tenant=in_a,
        title="Ms",
        given_name="Ann",
        family_name="Jones",
        email="ann@example.com",
        phone="07700 900123",
        address={"line_1": "1 High Street", "postcode": "NF1 2AB", "uprn": "100012345678"},
        needs="Large print",
    )
    consent_record(person=person, purpose="surveys", granted=True, channel="web")
    return person


def closed_case(tenant, person, service=None, **fields):
    return make_case(tenant, person, status=Case.Status.CLOSED, service=service, **fields)


def test_a_legal_hold_refuses_erasure_and_nothing_changes(in_a, resident):
    person_update(person=resident, legal_hold_reason="Council tax arrears of £340")
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        person_erase(person=resident, reason=REASON)
    assert "A legal hold applies: Council tax arrears of £340" in str(raised.value)
    resident.refresh_from_db()
    assert resident.anonymised_at is None and resident.given_name == "Ann" and resident.contact_points.count() == 2


def test_an_open_case_counts_as_a_legal_hold(in_a, resident):
    case = make_case(in_a, resident, status=Case.Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as raised:
        person_erase(person=resident, reason=REASON)
    message = raised.value.message_dict["person"][0]
    assert f"1 open case ({case.reference})" in message and "counts as a legal hold" in message
    assert Person.objects.get(pk=resident.pk).anonymised_at is None


@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_a_reason_is_needed(in_a, resident, reason):
    with pytest.raises(ValidationError) as raised:
        person_erase(person=resident, reason=reason)
    assert "reason" in raised.value.message_dict


def test_erasure_anonymises_and_keeps_statistics(in_a, resident, django_capture_on_commit_callbacks):
    bins, potholes = make_service(in_a), make_service(in_a, "pothole", "Pothole")
    other = person_create(tenant=in_a, given_name="Bob", family_name="Smith", email="bob@example.com")
    cases = [
        closed_case(
            in_a,
            resident,
            bins,
            answers={"bin_type": "Black bag"},
            address="1 High Street",
            postcode="NF1 2AB",
            latitude="52.123456",
            longitude="-1.123456",
            feedback_rating=4,
            feedback_comment="Thanks Ann here",
        ),
        closed_case(in_a, resident, potholes),
        closed_case(in_a, other, potholes),
    ]
    CaseEvent.objects.create(
        tenant=in_a, case=cases[0], kind="note", body="Ann rang, lives alone", actor_label="Amy", data={"x": 1}
    )
    CaseEvent.objects.create(tenant=in_a, case=cases[0], kind="status", body="", actor_label="Amy", data={"to": "c"})
    attachment = CaseAttachment.objects.create(
        tenant=in_a,
        case=cases[0],
        file=ContentFile(b"\x89PNG fake", name="bin.png"),
        original_name="my-bin.png",
        content_type="image/png",
        size=9,
    )
    path = attachment.file.path
    make_interaction(in_a, resident, case=cases[0], body="Ann Jones, 1 High Street", data={"from": "ann@example.com"})
    make_interaction(in_a, None, case=cases[1], direction="out", body="Dear Ms Jones")
    by_service_before = dict(Case.objects.values_list("service__code").annotate(n=Count("pk")))

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=resident, reason=REASON)

    resident.refresh_from_db()
    assert resident.anonymised_at is not None and resident.display_name == "Anonymised person"
    assert (resident.title, resident.given_name, resident.family_name, resident.search_name, resident.needs) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert not ContactPoint.objects.filter(person=resident).exists()
    assert not Address.objects.filter(person=resident).exists()
    assert not Consent.objects.filter(person=resident).exists()
    mine = Interaction.objects.filter(case__in=cases[:2])
    assert set(mine.values_list("summary", "body")) == {(ERASED, ERASED)} and mine.count() == 2
    assert all(i.data == {} for i in mine)

    first = Case.objects.get(pk=cases[0].pk)
    assert first.description == ERASED and first.answers == {"bin_type": ERASED}
    assert (first.address, first.uprn, first.latitude, first.longitude, first.postcode) == ("", "", None, None, "NF1")
    assert (first.feedback_rating, first.feedback_comment, first.status) == (4, ERASED, "closed")
    assert first.requester_id == resident.pk and first.service == bins and first.due_at == cases[0].due_at
    events = {e.kind: e for e in first.events.all()}
    assert events["note"].body == ERASED and events["note"].data == {} and events["status"].data == {"to": "c"}
    assert not CaseAttachment.objects.exists() and not os.path.exists(path)

    # Statistics: the cases still count by service; somebody else's case is untouched.
    assert dict(Case.objects.values_list("service__code").annotate(n=Count("pk"))) == by_service_before
    assert Case.objects.get(pk=cases[2].pk).description == "The bin was not collected on Tuesday."
    assert Person.objects.get(pk=other.pk).contact_points.count() == 1

    event = audit_history(resident).get(action="person.erase")
    assert event.detail["erased"] == {
        "emails": 0,
        "calls": 0,
        "records": 1,
        "contact_points": 2,
        "addresses": 1,
        "consents": 1,
        "interactions": 2,
        "cases": 2,
        "attachments": 1,
        "audit_events_redacted": event.detail["erased"]["audit_events_redacted"],
    }
    assert event.detail["erased"]["audit_events_redacted"] == 2  # person.create and person.consent
    recorded = json.dumps([event.changes, event.detail, event.object_repr])
    for value in ("Ann", "Jones", "ann@example.com", "7700", "High Street", "NF1 2AB", "Large print"):
        assert value not in recorded


def test_records_merged_into_the_person_are_erased_too(in_a, resident):
    duplicate = person_create(tenant=in_a, given_name="Anne", family_name="Jones", email="ann@example.com")
    person_merge(survivor=resident, duplicate=duplicate)
    person_erase(person=resident, reason=REASON)
    duplicate.refresh_from_db()
    assert duplicate.anonymised_at is not None and duplicate.given_name == ""
    assert not ContactPoint.objects.filter(person=duplicate).exists()


def test_a_merged_record_is_erased_through_its_survivor(in_a, resident):
    duplicate = person_create(tenant=in_a, family_name="Jones")
    person_merge(survivor=resident, duplicate=duplicate)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError, match="erase the record it was merged into"):
        person_erase(person=duplicate, reason=REASON)


def test_erasing_twice_is_refused(in_a, resident):
    person_erase(person=resident, reason=REASON)
    with pytest.raises(ValidationError, match="already been anonymised"):
        person_erase(person=resident, reason=REASON)


def test_no_audit_event_keeps_the_erased_persons_values_and_the_history_stays(in_a, resident):
    from borough.core.models import AuditEvent
    from borough.people.services import address_add, contact_point_add

    duplicate = person_create(tenant=in_a, given_name="Annie", family_name="Jones", email="annie.j@example.com")
    person_merge(survivor=resident, duplicate=duplicate)
    person_update(person=resident, given_name="Anna", needs="Large print and a loop")
    contact_point_add(person=resident, kind="phone", value="07700 900999")
    address_add(person=resident, line_1="2 Low Road", postcode="NF2 3CD")
    closed_case(in_a, resident)
    before = list(AuditEvent.objects.order_by("pk").values_list("pk", "action", "object_type", "object_id"))

    person_erase(person=resident, reason=REASON)

    after = AuditEvent.objects.order_by("pk")
    assert list(after.values_list("pk", "action", "object_type", "object_id"))[: len(before)] == before
    everything = json.dumps([[e.object_repr, e.changes, e.detail] for e in after])
    for value in ("Ann", "Jones", "ann@example.com", "annie.j", "900123", "900999", "High Street", "Low Road",
                  "NF1 2AB", "NF2 3CD", "Large print"):  # fmt: skip
        assert value not in everything, value
    created = after.get(action="person.create", object_id=str(resident.pk))
    assert created.object_repr == ERASED and created.changes
    assert all(pair == [ERASED, ERASED] for pair in created.changes.values())


def test_the_emails_and_calls_of_the_person_are_erased(in_a, resident, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from borough.channels.models import InboundEmail
    from borough.channels.telephony.models import Call, CallBack, CallEvent
    from borough.channels.telephony.services import call_event_record, callback_schedule

    case = closed_case(in_a, resident)
    email = InboundEmail(
        tenant=in_a, spool_name="s-1", received_at=timezone.now(), envelope_from="ann@example.com",
        recipient="contact@northfield.localhost", from_address="ann@example.com", from_name="Ann Jones",
        subject="My bin, 1 High Street", message_id="<m1@example.com>", body_text="Ann here", size=10,
        outcome=InboundEmail.Outcome.REVIEW, reason="held",
    )  # fmt: skip
    email.raw.save("s-1.eml", ContentFile(b"From: Ann Jones <ann@example.com>\r\n\r\nHello"), save=False)
    email.save()
    raw_path = email.raw.path
    someone_else = InboundEmail.objects.create(
        tenant=in_a, spool_name="s-2", received_at=timezone.now(), recipient="contact@northfield.localhost",
        from_address="bob@example.com", subject="Bob's", size=1, outcome=InboundEmail.Outcome.REVIEW, raw="x.eml",
    )  # fmt: skip
    call, _recorded, _warnings = call_event_record(
        tenant=in_a, call_id="c-1", caller="07700 900123", called="01632 960000", state="ringing"
    )
    Call.objects.filter(pk=call.pk).update(notes="Ann rang about her bin")
    callback_schedule(
        tenant=in_a, phone="+447700900123", due_at=timezone.now() + timedelta(hours=1), notes="Ring Ann", case=case
    )

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=resident, reason=REASON)

    email.refresh_from_db()
    assert (email.from_address, email.from_name, email.envelope_from, email.message_id) == ("", "", "", "")
    assert (email.subject, email.body_text, email.raw.name) == (ERASED, ERASED, "")
    assert email.outcome == InboundEmail.Outcome.REVIEW and not os.path.exists(raw_path)
    assert InboundEmail.objects.get(pk=someone_else.pk).from_address == "bob@example.com"
    call.refresh_from_db()
    assert (call.caller, call.caller_normalised, call.notes) == ("", "", ERASED) and call.state == "ringing"
    assert all(event.payload == {} for event in CallEvent.objects.filter(call=call))
    callback = CallBack.objects.get()
    assert (callback.phone, callback.notes) == ("", ERASED)
    erased = audit_history(resident).get(action="person.erase").detail["erased"]
    assert (erased["emails"], erased["calls"]) == (1, 2)


def test_liability_on_a_revenues_account_counts_as_a_legal_hold(in_a, resident):
    from datetime import date

    from borough.revenues.services import account_open
    from borough.revenues.tests.factories import make_dwelling

    account = account_open(
        tenant=in_a, dwelling=make_dwelling(in_a), parties=[{"name": "Ann Jones", "person": resident}],
        start=date(2026, 4, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        person_erase(person=resident, reason=REASON)
    message = raised.value.message_dict["person"][0]
    assert f"Liable on 1 council tax or business rates account ({account.number})" in message
    assert Person.objects.get(pk=resident.pk).anonymised_at is None
