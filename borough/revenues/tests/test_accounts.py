"""Accounts: opening with liable parties, liability periods, moving out, links to CRM people."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.people.services import person_create
from borough.revenues.models import Account, LiabilityPeriod
from borough.revenues.selectors import account_liability_in_year
from borough.revenues.services import (
    account_move_out,
    account_open,
    account_party_add,
    account_party_link_person,
    dwelling_delete,
    hereditament_save,
    liability_period_add,
)
from borough.revenues.tests.factories import make_account, make_dwelling


def test_account_open_numbers_parties_and_first_period(council):
    person = person_create(tenant=council, given_name="Ann", family_name="Example", email="ann@example.com")
    dwelling = make_dwelling(council)
    account = account_open(
        tenant=council,
        dwelling=dwelling,
        start=date(2026, 5, 10),
        parties=[{"person": person}, {"name": "  Bob   Example "}],
    )
    other = make_account(council)
    assert account.number == f"{council.reference_prefix}-000001"
    assert other.number == f"{council.reference_prefix}-000002"
    assert [(p.name, p.person) for p in account.parties.all()] == [("Ann Example", person), ("Bob Example", None)]
    period = account.liability_periods.get()
    assert (period.start, period.end, period.start_reason) == (date(2026, 5, 10), None, "move_in")
    event = AuditEvent.objects.get(action="revenues.account_open", object_id=str(account.pk))
    assert event.changes["parties"] == [None, ["Ann Example", "Bob Example"]]


def test_account_open_refuses_bad_input(council, tenant_b):
    dwelling = make_dwelling(council)
    with pytest.raises(ValidationError) as caught:
        account_open(tenant=council, parties=[], start="soon", start_reason="arrived")
    assert set(caught.value.message_dict) == {"property", "parties", "start", "start_reason"}
    with pytest.raises(ValidationError) as caught:
        account_open(tenant=council, dwelling=dwelling, parties=[{"name": ""}], start=date(2026, 4, 1))
    assert list(caught.value.message_dict) == ["parties[0]"]
    assert not Account.objects.exists()


def test_liability_must_fall_in_the_property_life(council):
    dwelling = make_dwelling(council, exists_from=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="exists only from 2020-01-01"):
        make_account(council, dwelling=dwelling, start=date(2019, 12, 31))
    dwelling_delete(dwelling=dwelling, deleted_from=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="no longer exists"):
        make_account(council, dwelling=dwelling, start=date(2025, 6, 1))  # open-ended past the deletion
    account = make_account(council, dwelling=make_dwelling(council), start=date(2025, 6, 1))
    with pytest.raises(ValidationError, match="before the start"):
        account_move_out(account=account, end=date(2025, 5, 31))


def test_overlapping_liability_is_refused(council):
    account = make_account(council, start=date(2026, 4, 1))
    with pytest.raises(ValidationError, match="overlaps"):
        liability_period_add(account=account, start=date(2025, 4, 1), end=date(2026, 4, 1))
    liability_period_add(account=account, start=date(2025, 4, 1), end=date(2026, 3, 31))  # the day before is fine
    with pytest.raises(ValidationError, match="overlaps"):
        liability_period_add(account=account, start=date(2027, 1, 1))
    assert account.liability_periods.count() == 2


def test_move_out_ends_the_period_and_closes_the_account(council):
    account = make_account(council, start=date(2026, 4, 1))
    period = account_move_out(account=account, end=date(2026, 9, 15))
    account.refresh_from_db()
    assert (period.end, period.end_reason, account.status) == (date(2026, 9, 15), "move_out", "closed")
    assert AuditEvent.objects.filter(action="revenues.account_move_out", object_id=str(account.pk)).exists()
    with pytest.raises(ValidationError, match="no open liability period"):
        account_move_out(account=account, end=date(2026, 10, 1))
    liability_period_add(account=account, start=date(2027, 1, 1))  # moving back in reopens it
    account.refresh_from_db()
    assert account.status == "open"


def test_liability_in_year_is_the_engines_input(council):
    account = make_account(council, start=date(2025, 5, 1))
    account_move_out(account=account, end=date(2025, 8, 31))
    liability_period_add(account=account, start=date(2026, 2, 1))
    assert account_liability_in_year(account=account, financial_year="2025-26") == [
        (date(2025, 5, 1), date(2025, 8, 31)),
        (date(2026, 2, 1), date(2026, 3, 31)),
    ]
    assert account_liability_in_year(account=account, financial_year="2026-27") == [
        (date(2026, 4, 1), date(2027, 3, 31))
    ]
    assert account_liability_in_year(account=account, financial_year="2024-25") == []
    from borough.revenues.calc.errors import InputError

    with pytest.raises(InputError):
        account_liability_in_year(account=account, financial_year="2025")


def test_parties_are_added_and_linked_to_people(council, tenant_b):
    from borough.tenancy.scope import tenant_scope

    account = make_account(council)
    party = account_party_add(account=account, name="Carol Example")
    person = person_create(tenant=council, given_name="Carol", family_name="Example", email="carol@example.com")
    account_party_link_person(party=party, person=person)
    party.refresh_from_db()
    assert party.person == person
    assert AuditEvent.objects.filter(action="revenues.account_party_link_person").count() == 1
    with pytest.raises(ValidationError) as caught:
        account_party_add(account=account, name="")
    assert list(caught.value.message_dict) == ["name"]
    assert account_party_add(account=account, person=person).name == "Carol Example"
    with tenant_scope(tenant_b):
        stranger = person_create(tenant=tenant_b, given_name="Dan", family_name="Other", email="dan@example.com")
    with pytest.raises(ValidationError, match="person of this council"):
        account_party_link_person(party=party, person=stranger)
    with pytest.raises(ValidationError) as caught:
        account_party_add(account=account, name="Dan", person=stranger)
    assert list(caught.value.message_dict) == ["person"]
    assert account.parties.count() == 3


def test_business_account_on_a_hereditament(council):
    hereditament_save(
        tenant=council,
        values={
            "voa_reference": "B1",
            "address_line_1": "1 Market Yard",
            "postcode": "NF1 4GH",
            "rateable_value": 15500,
            "value_effective_from": date(2023, 4, 1),
        },
    )
    from borough.revenues.models import Hereditament

    hereditament = Hereditament.objects.get(voa_reference="B1")
    account = account_open(
        tenant=council,
        hereditament=hereditament,
        parties=[{"name": "Northfield Bakery Ltd"}],
        start=date(2023, 4, 1),
        start_reason=LiabilityPeriod.StartReason.NEW_PROPERTY,
    )
    assert account.property == hereditament
    with pytest.raises(ValidationError, match="one dwelling or one business property"):
        account_open(
            tenant=council,
            hereditament=hereditament,
            dwelling=make_dwelling(council),
            parties=[{"name": "x"}],
            start=date(2023, 4, 1),
        )
