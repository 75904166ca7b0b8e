"""Duplicate candidates with their reasons, search, and a person's timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.people.models import Person
from borough.people.selectors import (
    SAME_EMAIL,
    SAME_PHONE,
    SIMILAR_NAME_AT_POSTCODE,
    names_similar,
    person_duplicates,
    person_duplicates_of,
    person_search,
    person_timeline,
)
from borough.people.services import person_create
from borough.people.tests.conftest import make_case, make_interaction
from borough.tenancy.scope import tenant_scope

HOME = {"line_1": "1 High Street", "postcode": "NF1 2AB"}


@pytest.fixture
def ann(in_a):
    return person_create(
        tenant=in_a, given_name="Ann", family_name="Jones", email="ann@example.com", phone="07700 900123", address=HOME
    )


def reasons(candidates) -> dict[int, tuple[str, ...]]:
    return {c.person.pk: c.reasons for c in candidates}


def test_same_email_in_another_form(in_a, ann):
    assert reasons(person_duplicates(tenant=in_a, email=" ANN@Example.com")) == {ann.pk: (SAME_EMAIL,)}


def test_same_phone_in_another_form(in_a, ann):
    assert reasons(person_duplicates(tenant=in_a, phone="+44 (0)7700 900 123")) == {ann.pk: (SAME_PHONE,)}


@pytest.mark.parametrize(
    ("given_name", "family_name"),
    [("Ann", "Jones"), ("Anne", "Jones"), ("ann", "JONES"), ("A", "Jones"), ("Annie", "Jones"), ("Ann", "Jone")],
)
def test_similar_name_at_the_same_postcode(in_a, ann, given_name, family_name):
    found = person_duplicates(tenant=in_a, given_name=given_name, family_name=family_name, postcode="nf12ab")
    assert reasons(found) == {ann.pk: (SIMILAR_NAME_AT_POSTCODE,)}


@pytest.mark.parametrize(
    ("given_name", "family_name", "postcode"),
    [("Bob", "Smith", "NF1 2AB"), ("Ann", "Jones", "NF9 9ZZ"), ("Ann", "Jones", ""), ("", "", "NF1 2AB")],
)
def test_no_match_for_another_name_or_another_postcode(in_a, ann, given_name, family_name, postcode):
    assert person_duplicates(tenant=in_a, given_name=given_name, family_name=family_name, postcode=postcode) == []


def test_every_reason_is_given_and_the_strongest_match_comes_first(in_a, ann):
    other = person_create(tenant=in_a, given_name="Bob", family_name="Smith", phone="07700 900123")
    found = person_duplicates(
        tenant=in_a, given_name="Ann", family_name="Jones", email="ann@example.com", phone="07700900123", postcode=""
    )
    assert [c.person for c in found] == [ann, other]
    found = person_duplicates(
        tenant=in_a, given_name="Ann", family_name="Jones", email="ann@example.com", postcode="NF1 2AB"
    )
    assert found[0].reasons == (SAME_EMAIL, SIMILAR_NAME_AT_POSTCODE)


def test_unparseable_values_are_ignored_not_errors(in_a, ann):
    assert person_duplicates(tenant=in_a, email="nope", phone="nope", postcode="nope", family_name="Jones") == []


def test_no_match_across_tenants(tenant_a, tenant_b):
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        person_create(tenant=tenant_b, given_name="Ann", family_name="Jones", email="ann@example.com", address=HOME)
    with tenant_scope(tenant_a):
        found = person_duplicates(
            tenant=tenant_a, given_name="Ann", family_name="Jones", email="ann@example.com", postcode="NF1 2AB"
        )
        assert found == []


def test_merged_and_anonymised_records_are_not_candidates(in_a, ann):
    Person.objects.filter(pk=ann.pk).update(anonymised_at=timezone.now())
    assert person_duplicates(tenant=in_a, email="ann@example.com") == []


def test_duplicates_of_a_person_exclude_themself(in_a, ann):
    twin = person_create(tenant=in_a, given_name="Anne", family_name="Jones", address=HOME)
    assert reasons(person_duplicates_of(person=ann)) == {twin.pk: (SIMILAR_NAME_AT_POSTCODE,)}
    assert reasons(person_duplicates_of(person=twin)) == {ann.pk: (SIMILAR_NAME_AT_POSTCODE,)}


def test_the_duplicate_check_uses_a_fixed_number_of_queries(in_a, ann):
    for n in range(30):
        person_create(tenant=in_a, given_name=f"Person{n}", family_name=f"Other{n}", address=HOME)
    with CaptureQueriesContext(connection) as queries:
        person_duplicates(tenant=in_a, given_name="Ann", family_name="Jones", email="a@example.com", postcode="NF1 2AB")
    assert len(queries) <= 6


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("ann jones", "ann jones", True),
        ("ann jones", "anne jones", True),
        ("a jones", "ann jones", True),
        ("ann mary jones", "ann jones", True),
        ("ann jones", "bob jones", False),
        ("ann jones", "ann smith", False),
        ("jones", "jones", True),
        ("jones", "james", False),
        ("", "ann jones", False),
    ],
)
def test_names_similar(a, b, similar):
    assert names_similar(a, b) is similar


@pytest.mark.parametrize(
    "query",
    ["ann@example.com", "ANN@EXAMPLE.COM", "07700 900123", "+447700900123", "nf1 2ab", "Jones", "ann jones", "Jön"],
)
def test_search_finds_by_email_phone_postcode_or_name(in_a, ann, query):
    person_create(tenant=in_a, given_name="Bob", family_name="Smith", email="bob@example.com")
    assert person_search(tenant=in_a, query=query) == [ann]


@pytest.mark.parametrize("query", ["", "   ", "zzz", "nobody@example.com", "01632 960999", "NF9 9ZZ", "!!"])
def test_search_without_a_match(in_a, ann, query):
    assert person_search(tenant=in_a, query=query) == []


def test_search_leaves_out_merged_records_and_other_tenants(tenant_a, tenant_b, in_a, ann):
    twin = person_create(tenant=in_a, given_name="Ann", family_name="Jones")
    Person.objects.filter(pk=twin.pk).update(merged_into=ann, merged_at=timezone.now())
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        person_create(tenant=tenant_b, given_name="Ann", family_name="Jones")
    assert person_search(tenant=tenant_a, query="jones") == [ann]


def test_timeline_has_interactions_and_cases_newest_first(in_a, ann):
    now = timezone.now()
    old_case = make_case(in_a, ann, created_at=now - timedelta(days=10))
    email = make_interaction(in_a, ann, case=old_case, occurred_at=now - timedelta(days=9))
    new_case = make_case(in_a, ann, created_at=now - timedelta(days=1))
    call = make_interaction(in_a, ann, channel="phone", occurred_at=now)
    make_case(in_a, None)  # someone else's
    entries = [(e.kind, e.item) for e in person_timeline(person=ann)]
    assert entries == [("interaction", call), ("case", new_case), ("interaction", email), ("case", old_case)]
