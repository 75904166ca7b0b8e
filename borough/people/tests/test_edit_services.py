"""The services that keep a record up to date: person_update, contact points and addresses (add, make main,
change, remove), and consent, each audited, refusing bad input, closed records and another tenant's objects."""

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import audit_history
from borough.core.models import AuditEvent
from borough.people.erasure import person_erase
from borough.people.merge import person_merge, person_unmerge
from borough.people.models import Address, Consent, ContactPoint, Person
from borough.people.services import (
    address_add,
    address_make_primary,
    address_remove,
    address_update,
    consent_record,
    contact_point_add,
    contact_point_make_primary,
    contact_point_remove,
    person_create,
    person_update,
)
from borough.tenancy.scope import tenant_scope

HOME = {"line_1": "1 High Street", "postcode": "NF1 2AB"}


def field_errors(raised) -> dict[str, list[str]]:
    return raised.value.message_dict


def events(person, action: str):
    return audit_history(person).filter(action=action)


@pytest.fixture
def ann(in_a):
    return person_create(tenant=in_a, given_name="Ann", family_name="Jones", email="ann@example.com", address=HOME)


@pytest.fixture
def merged_away(in_a, ann):
    """A second record of Ann, merged into the first: closed to changes."""
    duplicate = person_create(tenant=in_a, given_name="Anne", family_name="Jones", phone="07700 900123")
    person_merge(survivor=ann, duplicate=duplicate)
    return Person.objects.get(pk=duplicate.pk)


@pytest.fixture
def erased(in_a):
    person = person_create(tenant=in_a, family_name="Gone", email="gone@example.com", address=HOME)
    person_erase(person=person, reason="Erasure request ER-1")
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def theirs(tenant_b, in_a):
    """Tenant B's person with a second email and address, made in B's scope (the test then acts in A's)."""
    with tenant_scope(tenant_b):
        person = person_create(tenant=tenant_b, family_name="Theirs", email="b1@example.com", address=HOME)
        contact_point_add(person=person, kind="email", value="b2@example.com")
        address_add(person=person, line_1="2 Low Road", postcode="SV1 1AA")
        return person, list(person.contact_points.order_by("pk")), list(person.addresses.order_by("pk"))


# Details


def test_update_changes_names_and_preferences_with_one_audit_event(ann):
    person_update(person=ann, given_name="Anna", preferred_channel="sms", preferred_language="cy", title="Dr")
    ann.refresh_from_db()
    assert (ann.given_name, ann.preferred_channel, ann.preferred_language) == ("Anna", "sms", "cy")
    assert ann.search_name == "anna jones"
    assert events(ann, "person.update").get().changes == {
        "given_name": ["Ann", "Anna"],
        "preferred_channel": ["email", "sms"],
        "preferred_language": ["en", "cy"],
        "title": ["", "Dr"],
    }


def test_update_that_changes_nothing_writes_nothing(ann):
    updated_at = ann.updated_at
    person_update(person=ann, given_name=" Ann ", family_name="Jones")
    ann.refresh_from_db()
    assert ann.updated_at == updated_at and not events(ann, "person.update").exists()


def test_a_named_person_keeps_a_name_but_a_nameless_one_may_change_preferences(in_a, ann):
    with pytest.raises(ValidationError) as raised:
        person_update(person=ann, given_name="", family_name=" ")
    assert field_errors(raised) == {"family_name": ["Enter their first name or last name"]}
    ann.refresh_from_db()
    assert ann.family_name == "Jones"
    nameless = person_create(tenant=in_a, email="someone@example.com")
    person_update(person=nameless, preferred_language="cy")
    nameless.refresh_from_db()
    assert nameless.preferred_language == "cy"


def test_an_organisation_needs_its_name_said_once(ann):
    with pytest.raises(ValidationError) as raised:
        person_update(person=ann, kind="organisation", organisation_name="")
    assert field_errors(raised) == {"organisation_name": ["Enter the organisation's name"]}
    person_update(person=ann, kind="organisation", organisation_name="Jones Bakery Ltd")
    ann.refresh_from_db()
    assert ann.display_name == "Jones Bakery Ltd" and "bakery" in ann.search_name


def test_update_checks_the_database_not_the_callers_copy(merged_away):
    stale = Person.objects.get(pk=merged_away.pk)
    stale.merged_into = None  # as read before the merge
    with pytest.raises(ValidationError, match="merged into another"):
        person_update(person=stale, given_name="Changed")
    assert Person.objects.get(pk=merged_away.pk).given_name == "Anne"


def test_another_tenants_person_is_unreachable(theirs):
    person, _, _ = theirs
    with pytest.raises(ValidationError, match="There is no such record"):
        person_update(person=person, family_name="Changed")
    with pytest.raises(ValidationError, match="There is no such record"):
        contact_point_add(person=person, kind="email", value="new@example.com")
    with pytest.raises(ValidationError, match="There is no such record"):
        address_add(person=person, line_1="3 New Road", postcode="NF1 2AB")
    with pytest.raises(ValidationError, match="There is no such record"):
        consent_record(person=person, purpose="surveys", granted=True, channel="web")
    with tenant_scope(person.tenant_id):
        person.refresh_from_db()
        assert person.family_name == "Theirs" and person.contact_points.count() == 2 and person.addresses.count() == 2
        assert not person.consents.exists()


# Contact points


def test_add_refuses_the_same_number_written_another_way(ann):
    contact_point_add(person=ann, kind="phone", value="07700 900123")
    with pytest.raises(ValidationError) as raised:
        contact_point_add(person=ann, kind="phone", value="+44 (0)7700-900123")
    assert field_errors(raised) == {"value": ["Ann Jones already has +447700900123"]}
    assert ann.contact_points.filter(kind="phone").count() == 1


def test_make_primary_moves_the_main_mark_and_audits_it(ann):
    first = ann.contact_points.get()
    second = contact_point_add(person=ann, kind="email", value="Ann.Work@Example.com")
    phone = contact_point_add(person=ann, kind="phone", value="01632 960001")
    contact_point_make_primary(contact_point=second)
    assert set(ann.contact_points.filter(is_primary=True)) == {second, phone}
    event = events(ann, "person.contact_point_primary").get()
    assert event.changes == {"main_email": ["ann@example.com", "ann.work@example.com"]}
    assert event.detail == {"contact_point_id": second.pk, "previous_contact_point_id": first.pk}
    contact_point_make_primary(contact_point=second)  # already main: nothing to write
    assert events(ann, "person.contact_point_primary").count() == 1


def test_removing_the_main_one_makes_the_oldest_other_main(ann):
    main = ann.contact_points.get()
    older = contact_point_add(person=ann, kind="email", value="older@example.com")
    contact_point_add(person=ann, kind="email", value="newer@example.com")
    successor = contact_point_remove(contact_point=main)
    assert successor == older and ContactPoint.objects.get(pk=older.pk).is_primary
    assert not ContactPoint.objects.filter(pk=main.pk).exists()
    event = events(ann, "person.contact_point_remove").get()
    assert event.changes == {"email": ["ann@example.com", None], "main_email": [None, "older@example.com"]}
    assert event.detail["was_primary"] and event.detail["contact_points_remaining"] == 2


def test_removing_a_secondary_one_leaves_the_main_one(ann):
    other = contact_point_add(person=ann, kind="email", value="other@example.com")
    assert contact_point_remove(contact_point=other) is None
    assert list(ann.contact_points.values_list("normalised", "is_primary")) == [("ann@example.com", True)]


def test_the_last_contact_point_may_be_removed(ann):
    assert contact_point_remove(contact_point=ann.contact_points.get()) is None
    assert not ann.contact_points.exists()
    assert events(ann, "person.contact_point_remove").get().detail["contact_points_remaining"] == 0


def test_a_contact_point_removed_since_it_was_read_is_refused(ann):
    point = ann.contact_points.get()
    ContactPoint.objects.filter(pk=point.pk).delete()
    for change in (contact_point_make_primary, contact_point_remove):
        with pytest.raises(ValidationError) as raised:
            change(contact_point=point)
        assert field_errors(raised) == {
            "contact_point": ["This email address or phone number is no longer on this record"]
        }


def test_contact_points_of_closed_records_cannot_be_changed(in_a, merged_away, erased):
    # The merged record's own contact point stayed with it: its phone moved to the survivor with the merge.
    point = ContactPoint(tenant=in_a, person=merged_away, kind="email", normalised="x@example.com", pk=0)
    for change in (contact_point_make_primary, contact_point_remove):
        with pytest.raises(ValidationError, match="merged into another"):
            change(contact_point=point)
    with pytest.raises(ValidationError, match="anonymised"):
        contact_point_add(person=erased, kind="email", value="back@example.com")
    assert not erased.contact_points.exists() and not merged_away.contact_points.exists()
    assert not AuditEvent.objects.filter(action__startswith="person.contact_point").exists()


def test_another_tenants_contact_points_are_unreachable(theirs):
    person, points, _ = theirs
    for change in (contact_point_make_primary, contact_point_remove):
        with pytest.raises(ValidationError, match="There is no such record"):
            change(contact_point=points[1])
    with tenant_scope(person.tenant_id):
        assert list(ContactPoint.objects.order_by("pk").values_list("is_primary", flat=True)) == [True, False]


def test_main_ones_changed_between_a_merge_and_its_undoing_leave_one_main_each(in_a, ann):
    duplicate = person_create(tenant=in_a, given_name="Anne", family_name="Jones", email="d1@example.com")
    d2 = contact_point_add(person=duplicate, kind="email", value="d2@example.com")
    event = person_merge(survivor=ann, duplicate=duplicate)
    contact_point_make_primary(contact_point=ContactPoint.objects.get(pk=d2.pk))  # ann@example.com is no longer main
    undo = person_unmerge(audit_event=event)
    assert points_of(ann) == [("ann@example.com", True)]  # had none main: its own became main again
    assert points_of(duplicate) == [("d1@example.com", True), ("d2@example.com", False)]  # had two: the older kept
    assert undo.detail["main_marks_repaired"] == {
        "set": [f"contactpoint {ann.contact_points.get().pk}"],
        "unset": [f"contactpoint {d2.pk}"],
    }


def points_of(person) -> list[tuple[str, bool]]:
    return list(person.contact_points.order_by("pk").values_list("normalised", "is_primary"))


# Addresses


def test_address_update_normalises_and_audits_each_part(ann):
    address = ann.addresses.get()
    address_update(address=address, line_1="1 High Street", line_2="Flat 2", town="Northfield", postcode=" nf12ab ")
    address.refresh_from_db()
    assert str(address) == "1 High Street, Flat 2, Northfield, NF1 2AB" and address.is_primary
    event = events(ann, "person.address_update").get()
    assert event.changes == {"line_2": ["", "Flat 2"], "town": ["", "Northfield"]}
    assert event.detail == {"address_id": address.pk}
    address_update(address=address, line_1="1 High Street", line_2="Flat 2", town="Northfield", postcode="NF1 2AB")
    assert events(ann, "person.address_update").count() == 1  # nothing changed the second time


@pytest.mark.parametrize(
    ("parts", "errors"),
    [
        ({"line_1": "", "postcode": "NF1"}, {"line_1", "postcode"}),
        ({"postcode": ""}, {"postcode"}),
        ({"uprn": "10A"}, {"uprn"}),
        ({"uprn": "1234567890123"}, {"uprn"}),
        ({"uprn": "１２３"}, {"uprn"}),  # full-width digits are not a UPRN
        ({"town": "x" * 101}, {"town"}),
    ],
)
def test_address_update_refuses_bad_parts_and_writes_nothing(ann, parts, errors):
    address = ann.addresses.get()
    with pytest.raises(ValidationError) as raised:
        address_update(address=address, **{**HOME, **parts})
    assert set(field_errors(raised)) == errors
    address.refresh_from_db()
    assert str(address) == "1 High Street, NF1 2AB" and not events(ann, "person.address_update").exists()


def test_address_update_accepts_a_twelve_digit_uprn(ann):
    address = address_update(address=ann.addresses.get(), **HOME, uprn="100023336956")
    assert Address.objects.get(pk=address.pk).uprn == "100023336956"


def test_address_make_primary_and_remove(ann):
    home = ann.addresses.get()
    work = address_add(person=ann, line_1="Unit 4", postcode="NF3 9ZZ")
    shop = address_add(person=ann, line_1="5 Market Place", postcode="NF3 9ZY")
    address_make_primary(address=work)
    assert list(ann.addresses.filter(is_primary=True)) == [work]
    assert events(ann, "person.address_primary").get().changes == {
        "main_address": ["1 High Street, NF1 2AB", "Unit 4, NF3 9ZZ"]
    }
    assert address_remove(address=home) is None  # not the main one
    assert address_remove(address=work) == shop and Address.objects.get(pk=shop.pk).is_primary
    event = events(ann, "person.address_remove").first()
    assert event.changes == {"address": ["Unit 4, NF3 9ZZ", None], "main_address": [None, "5 Market Place, NF3 9ZY"]}
    assert event.detail["addresses_remaining"] == 1
    assert address_remove(address=shop) is None and not ann.addresses.exists()  # the last one may go too


def test_addresses_of_closed_records_cannot_be_changed(in_a, ann, merged_away, erased):
    moved = ann.addresses.get()
    stale = Address(tenant=in_a, person=merged_away, line_1="1 High Street", postcode="NF1 2AB", pk=moved.pk)
    for change in (address_make_primary, address_remove):
        with pytest.raises(ValidationError, match="merged into another"):
            change(address=stale)
    with pytest.raises(ValidationError, match="merged into another"):
        address_update(address=stale, **HOME)
    with pytest.raises(ValidationError, match="anonymised"):
        address_add(person=erased, **HOME)
    assert Address.objects.get(pk=moved.pk).person_id == ann.pk and not erased.addresses.exists()
    assert not AuditEvent.objects.filter(action__in=["person.address_primary", "person.address_remove"]).exists()


def test_another_tenants_addresses_are_unreachable(theirs):
    person, _, addresses = theirs
    with pytest.raises(ValidationError, match="There is no such record"):
        address_update(address=addresses[1], line_1="Changed", postcode="NF1 2AB")
    for change in (address_make_primary, address_remove):
        with pytest.raises(ValidationError, match="There is no such record"):
            change(address=addresses[1])
    with tenant_scope(person.tenant_id):
        assert list(Address.objects.order_by("pk").values_list("line_1", "is_primary")) == [
            ("1 High Street", True),
            ("2 Low Road", False),
        ]


# Consent


def test_consent_of_closed_records_cannot_be_recorded(merged_away, erased):
    for person, reason in ((merged_away, "merged into another"), (erased, "anonymised")):
        with pytest.raises(ValidationError, match=reason):
            consent_record(person=person, purpose="surveys", granted=True, channel="phone")
    assert not Consent.objects.filter(person__in=[merged_away, erased]).exists()
