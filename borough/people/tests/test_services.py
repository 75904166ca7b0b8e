"""Creating people, finding them by a contact, adding contact points and addresses, consent and updates."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import Actor, acting_as, audit_history
from borough.core.models import AuditEvent
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import (
    address_add,
    consent_record,
    contact_point_add,
    person_consents_in_force,
    person_create,
    person_find_or_create,
    person_update,
)
from borough.tenancy.scope import tenant_scope


def field_errors(raised) -> dict[str, list[str]]:
    return raised.value.message_dict


def test_create_a_person_with_contacts_and_an_address(in_a):
    person = person_create(
        tenant=in_a,
        given_name=" Seán ",
        family_name="O'Brien",
        email="Sean.OBrien@Example.com",
        phone="07700 900123",
        address={"line_1": "1 High Street", "town": "Northfield", "postcode": "nf12ab", "uprn": "100012345678"},
        preferred_channel="sms",
        preferred_language="cy",
    )
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.search_name) == ("Seán", "O'Brien", "sean obrien")
    assert (person.preferred_channel, person.preferred_language) == ("sms", "cy")
    points = {(p.kind, p.value, p.normalised, p.is_primary) for p in person.contact_points.all()}
    assert points == {
        ("email", "Sean.OBrien@Example.com", "sean.obrien@example.com", True),
        ("phone", "07700 900123", "+447700900123", True),
    }
    address = person.addresses.get()
    assert (address.postcode, address.uprn, address.is_primary) == ("NF1 2AB", "100012345678", True)
    event = audit_history(person).get()
    assert event.action == "person.create" and event.actor_label == "test"
    assert event.changes["family_name"] == [None, "O'Brien"]
    assert event.changes["email"] == [None, "sean.obrien@example.com"]


def test_create_an_organisation(in_a):
    person = person_create(tenant=in_a, kind="organisation", organisation_name="Acme (Holdings) Ltd.")
    assert person.display_name == "Acme (Holdings) Ltd." and person.search_name == "acme holdings ltd"


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"email": "not-an-email", "family_name": "X"}, "email", "not an email address"),
        ({"phone": "12345", "family_name": "X"}, "phone", "start a UK number with 0"),
        ({}, "family_name", "Enter a name, an email address or a phone number"),
        ({"kind": "organisation"}, "organisation_name", "Enter the organisation's name"),
        ({"kind": "robot", "family_name": "X"}, "kind", "'robot' is not one of: person, organisation"),
        ({"family_name": "X" * 101}, "family_name", "Use 100 characters or fewer (this has 101)"),
        ({"family_name": "X", "preferred_channel": "pigeon"}, "preferred_channel", "'pigeon' is not one of"),
        ({"family_name": "X", "preferred_language": "fr"}, "preferred_language", "'fr' is not one of: en, cy"),
        ({"family_name": "X", "address": {"line_1": "1 High St", "postcode": "NF1"}}, "address.postcode", "NF1"),
        ({"family_name": "X", "address": {"postcode": "NF1 2AB"}}, "address.line_1", "first line"),
        (
            {"family_name": "X", "address": {"line_1": "1", "postcode": "NF1 2AB", "uprn": "12a"}},
            "address.uprn",
            "UPRN",
        ),
        ({"family_name": "X", "address": {"line_1": "1", "postcode": "NF1 2AB", "flat": "2"}}, "address.flat", "Not"),
        ({"family_name": 7}, "family_name", "Enter text"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(in_a, arguments, field, message):
    with pytest.raises(ValidationError) as raised:
        person_create(tenant=in_a, **arguments)
    assert any(message in m for m in field_errors(raised)[field]), field_errors(raised)
    assert (
        Person.objects.count()
        == ContactPoint.objects.count()
        == AuditEvent.objects.filter(action="person.create").count()
        == 0
    )


def test_every_bad_field_is_reported_at_once(in_a):
    with pytest.raises(ValidationError) as raised:
        person_create(tenant=in_a, given_name="A", email="nope", phone="nope", address={"line_1": "", "postcode": ""})
    assert set(field_errors(raised)) == {"email", "phone", "address.line_1", "address.postcode"}


def test_find_or_create_finds_by_email_or_phone_in_any_form(in_a):
    ann = person_create(
        tenant=in_a, given_name="Ann", family_name="Jones", email="ann@example.com", phone="07700900123"
    )
    assert person_find_or_create(tenant=in_a, email=" ANN@example.COM ") == ann
    assert person_find_or_create(tenant=in_a, phone="+44 7700 900123") == ann
    assert person_find_or_create(tenant=in_a, email="other@example.com", phone="07700 900123") == ann
    assert Person.objects.count() == 1


def test_find_or_create_creates_when_nobody_matches(in_a):
    person = person_find_or_create(tenant=in_a, phone="07700 900999", given_name="Bo", channel="sms")
    assert person.given_name == "Bo" and person.preferred_channel == "sms"
    assert person.contact_points.get().normalised == "+447700900999"
    by_email = person_find_or_create(tenant=in_a, email="new@example.com")
    assert by_email.display_name == "Unnamed" and by_email.preferred_channel == "email"


def test_find_or_create_names_a_nameless_person_but_never_renames(in_a):
    nameless = person_find_or_create(tenant=in_a, email="who@example.com")
    named = person_find_or_create(tenant=in_a, email="who@example.com", given_name="Cy", family_name="Twp")
    assert named == nameless and (named.given_name, named.family_name, named.search_name) == ("Cy", "Twp", "cy twp")
    again = person_find_or_create(tenant=in_a, email="who@example.com", given_name="Someone", family_name="Else")
    assert (again.given_name, again.family_name) == ("Cy", "Twp")


def test_find_or_create_skips_merged_and_anonymised_records(in_a):
    from django.utils import timezone

    old = person_create(tenant=in_a, family_name="Old", email="old@example.com")
    Person.objects.filter(pk=old.pk).update(anonymised_at=timezone.now())
    found = person_find_or_create(tenant=in_a, email="old@example.com")
    assert found != old and Person.objects.count() == 2


def test_find_gives_the_oldest_record_holding_the_contact(in_a):
    newer = person_create(tenant=in_a, family_name="Newer", email="both@example.com")
    older = person_create(tenant=in_a, family_name="Older", email="both@example.com")
    Person.objects.filter(pk=older.pk).update(created_at=newer.created_at - timedelta(days=1))
    found = person_find_or_create(tenant=in_a, email="Both@Example.com")
    assert found == older and found.family_name == "Older" and found.created_at < newer.created_at


def test_find_or_create_never_finds_another_tenants_person(tenant_a, tenant_b):
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        theirs = person_create(tenant=tenant_b, family_name="B", email="shared@example.com")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        ours = person_find_or_create(tenant=tenant_a, email="shared@example.com")
        assert ours.pk != theirs.pk and ours.tenant_id == tenant_a.pk


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "email"),
        ({"email": "bad"}, "email"),
        ({"phone": "bad"}, "phone"),
        ({"email": "a@example.com", "channel": "fax"}, "channel"),
    ],
)
def test_find_or_create_refuses_bad_input(in_a, arguments, field):
    with pytest.raises(ValidationError) as raised:
        person_find_or_create(tenant=in_a, **arguments)
    assert field in field_errors(raised)
    assert Person.objects.count() == 0


def test_contact_points_first_is_primary_and_a_new_primary_replaces_it(in_a):
    person = person_create(tenant=in_a, family_name="Jones")
    first = contact_point_add(person=person, kind="email", value="a@example.com")
    second = contact_point_add(person=person, kind="email", value="b@example.com")
    phone = contact_point_add(person=person, kind="phone", value="01632 960001")
    assert first.is_primary and not second.is_primary and phone.is_primary
    third = contact_point_add(person=person, kind="email", value="c@example.com", is_primary=True)
    primaries = list(person.contact_points.filter(kind="email", is_primary=True))
    assert primaries == [third]
    event = audit_history(person).filter(action="person.contact_point_add").first()
    assert event.changes == {"email": [None, "c@example.com"], "primary": [None, True]}


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "A@Example.com", "already has a@example.com"),
        ("email", "nope", "not an email address"),
        ("phone", "999", "start a UK number with 0"),
        ("fax", "01632 960001", "'fax' is not one of"),
    ],
)
def test_contact_point_bad_or_repeated_value_is_refused(in_a, kind, value, message):
    person = person_create(tenant=in_a, family_name="Jones", email="a@example.com")
    with pytest.raises(ValidationError) as raised:
        contact_point_add(person=person, kind=kind, value=value)
    assert message in str(raised.value)
    assert person.contact_points.count() == 1


def test_addresses(in_a):
    person = person_create(tenant=in_a, family_name="Jones")
    home = address_add(person=person, line_1="1 High Street", postcode="nf1 2ab")
    work = address_add(person=person, line_1="Unit 4", line_2="Mill Lane", town="Northfield", postcode="NF3 9ZZ")
    assert home.is_primary and not work.is_primary and work.postcode == "NF3 9ZZ"
    with pytest.raises(ValidationError) as raised:
        address_add(person=person, line_1="", postcode="nowhere")
    assert set(field_errors(raised)) == {"line_1", "postcode"}
    assert Address.objects.count() == 2


def test_update_sets_the_search_name_and_audits_before_and_after(in_a):
    person = person_create(tenant=in_a, given_name="Ann", family_name="Jones")
    person = person_update(person=person, family_name="Jönes-Smith", needs="Large print", legal_hold_reason="Debt")
    person.refresh_from_db()
    assert person.search_name == "ann jones smith" and person.needs == "Large print"
    event = audit_history(person).filter(action="person.update").get()
    assert event.changes == {
        "family_name": ["Jones", "Jönes-Smith"],
        "legal_hold_reason": ["", "Debt"],
        "needs": ["", "Large print"],
    }


def test_update_refuses_unknown_fields_and_bad_values(in_a):
    person = person_create(tenant=in_a, given_name="Ann", family_name="Jones")
    with pytest.raises(ValidationError) as raised:
        person_update(person=person, tenant_id=99, preferred_language="xx")
    assert set(field_errors(raised)) == {"tenant_id", "preferred_language"}
    with pytest.raises(ValidationError) as raised:
        person_update(person=person, kind="organisation")
    assert "organisation_name" in field_errors(raised)
    person.refresh_from_db()
    assert person.kind == "person" and person.preferred_language == "en"


def test_merged_or_anonymised_records_cannot_be_changed(in_a):
    from django.utils import timezone

    person = person_create(tenant=in_a, family_name="Jones")
    person.anonymised_at = timezone.now()
    for change in (
        lambda: person_update(person=person, given_name="X"),
        lambda: contact_point_add(person=person, kind="email", value="x@example.com"),
        lambda: address_add(person=person, line_1="1", postcode="NF1 2AB"),
        lambda: consent_record(person=person, purpose="surveys", granted=True, channel="web"),
    ):
        with pytest.raises(ValidationError, match="anonymised"):
            change()


def test_consent_history_and_the_record_in_force(in_a, tenant_a, make_staff):
    officer = make_staff(tenant_a, ("crm.agent",), username="consent-officer")
    person = person_create(tenant=in_a, family_name="Jones")
    consent_record(person=person, purpose="email_updates", granted=True, channel="web")
    with acting_as(Actor.for_user(officer)):
        withdrawn = consent_record(person=person, purpose="email_updates", granted=False, channel="phone", note="Call")
    consent_record(person=person, purpose="surveys", granted=True, channel="web")
    assert person_consents_in_force(person=person) == {"email_updates": False, "surveys": True}
    assert withdrawn.recorded_by == officer and Consent.objects.count() == 3
    event = audit_history(person).filter(action="person.consent", detail__consent_id=withdrawn.pk).get()
    assert event.changes == {"email_updates": [True, False]} and event.actor_label == "consent-officer"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"purpose": "marketing", "granted": True, "channel": "web"}, "purpose"),
        ({"purpose": "surveys", "granted": "yes", "channel": "web"}, "granted"),
        ({"purpose": "surveys", "granted": True, "channel": "carrier"}, "channel"),
        ({"purpose": "surveys", "granted": True, "channel": "web", "note": "x" * 301}, "note"),
    ],
)
def test_consent_bad_input_is_refused(in_a, arguments, field):
    person = person_create(tenant=in_a, family_name="Jones")
    with pytest.raises(ValidationError) as raised:
        consent_record(person=person, **arguments)
    assert field in field_errors(raised) and Consent.objects.count() == 0
