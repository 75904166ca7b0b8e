"""Dwellings, parishes and band history: validation, audit, band changes that re-bill."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from borough.core.models import AuditEvent
from borough.revenues.models import Account, BandHistory, Dwelling, PropertyStatus, RevenuesSettings
from borough.revenues.selectors import NotCouncilTaxNation, accounts_to_rebill, tenant_country
from borough.revenues.services import dwelling_create, dwelling_delete, dwelling_update, parish_create
from borough.revenues.tests.factories import make_account, make_dwelling


def test_dwelling_create_normalises_records_history_and_audits(council):
    parish = parish_create(tenant=council, code="p01", name="Upper Mill")
    dwelling = make_dwelling(council, postcode="nf12ab", uprn="100010001001", parish=parish, band="b")
    assert (dwelling.postcode, dwelling.band, dwelling.parish.code) == ("NF1 2AB", "B", "P01")
    [history] = BandHistory.objects.filter(dwelling=dwelling)
    assert (history.band, history.effective_from, history.source) == ("B", date(1993, 4, 1), "manual")
    event = AuditEvent.objects.get(action="revenues.dwelling_create", object_id=str(dwelling.pk))
    assert event.changes["band"] == [None, "B"]
    assert event.actor_label == "test"


def test_dwelling_create_reports_every_bad_field_and_writes_nothing(council):
    with pytest.raises(ValidationError) as caught:
        dwelling_create(
            tenant=council,
            voa_reference="",
            address_line_1="",
            band="Z",
            band_effective_from="2026-04-01",
            postcode="nowhere",
            uprn="12ab",
        )
    assert set(caught.value.message_dict) == {
        "voa_reference",
        "address_line_1",
        "band",
        "band_effective_from",
        "postcode",
        "uprn",
    }
    assert "A to H" in caught.value.message_dict["band"][0]
    assert not Dwelling.objects.exists()


def test_voa_reference_and_uprn_are_unique_per_tenant_only(council, tenant_b):
    make_dwelling(council, voa_reference="R1", uprn="1")
    make_dwelling(council, voa_reference="R2")  # no UPRN twice is fine
    make_dwelling(council, voa_reference="R3")
    with pytest.raises(ValidationError) as caught:
        make_dwelling(council, voa_reference="R1", uprn="1")
    assert set(caught.value.message_dict) == {"voa_reference", "uprn"}
    with pytest.raises(IntegrityError), transaction.atomic():  # the database agrees
        Dwelling.objects.create(
            tenant=council, voa_reference="R1", address_line_1="x", band="A", band_effective_from=date(1993, 4, 1)
        )


def test_band_i_is_a_welsh_band_only(council, welsh_council):
    assert tenant_country(welsh_council) == "wales"
    welsh = make_dwelling(welsh_council, band="I")
    assert welsh.band == "I"
    welsh.full_clean()


def test_band_i_refused_in_england(council):
    assert tenant_country(council) == "england"
    with pytest.raises(ValidationError, match="A to H"):
        make_dwelling(council, band="I")
    dwelling = make_dwelling(council)
    dwelling.band = "I"
    with pytest.raises(ValidationError, match="band"):
        dwelling.full_clean()


def test_a_scottish_tenant_has_no_council_tax_bands_here(make_tenant):
    from borough.tenancy.scope import tenant_scope

    tenant = make_tenant("glenford", nation="scotland")
    with tenant_scope(tenant):
        with pytest.raises(NotCouncilTaxNation):
            tenant_country(tenant)
        with pytest.raises(ValidationError, match="Scotland"):
            make_dwelling(tenant)


def test_backdated_band_change_records_history_and_marks_accounts(council):
    dwelling = make_dwelling(council, band="D")
    account = make_account(council, dwelling=dwelling, start=date(2025, 4, 1))
    untouched = make_account(council)
    assert dwelling_update(dwelling=dwelling, band="E", band_effective_from=date(2025, 10, 1)) is True
    account.refresh_from_db()
    assert account.rebill_from == date(2025, 10, 1)
    assert list(accounts_to_rebill(tenant=council)) == [account]
    assert list(BandHistory.objects.filter(dwelling=dwelling).values_list("band", "effective_from")) == [
        ("D", date(1993, 4, 1)),
        ("E", date(2025, 10, 1)),
    ]
    assert Account.objects.get(pk=untouched.pk).rebill_from is None
    # An earlier change moves the re-billing date back; a later one leaves it.
    dwelling_update(dwelling=dwelling, band="F", band_effective_from=date(2025, 6, 1))
    dwelling_update(dwelling=dwelling, band="C", band_effective_from=date(2026, 1, 1))
    account.refresh_from_db()
    assert account.rebill_from == date(2025, 6, 1)


def test_band_change_does_not_mark_an_account_that_ended_before_it(council):
    from borough.revenues.services import account_move_out

    dwelling = make_dwelling(council)
    account = make_account(council, dwelling=dwelling, start=date(2024, 4, 1))
    account_move_out(account=account, end=date(2025, 3, 31))
    dwelling_update(dwelling=dwelling, band="E", band_effective_from=date(2025, 10, 1))
    account.refresh_from_db()
    assert account.rebill_from is None


def test_band_change_needs_its_date_and_unchanged_update_writes_nothing(council):
    dwelling = make_dwelling(council, town="Northfield")
    with pytest.raises(ValidationError) as caught:
        dwelling_update(dwelling=dwelling, band="E")
    assert list(caught.value.message_dict) == ["band_effective_from"]
    events = AuditEvent.objects.count()
    assert dwelling_update(dwelling=dwelling, town="Northfield", postcode="nf1 2ab") is False
    assert AuditEvent.objects.count() == events
    assert dwelling_update(dwelling=dwelling, address_line_2="Upper Floor") is True


def test_delete_ends_liability_the_day_before(council):
    dwelling = make_dwelling(council)
    account = make_account(council, dwelling=dwelling, start=date(2026, 4, 1))
    assert dwelling_delete(dwelling=dwelling, deleted_from=date(2026, 7, 1)) is True
    dwelling.refresh_from_db()
    period = account.liability_periods.get()
    assert (dwelling.status, period.end, period.end_reason) == (
        PropertyStatus.DELETED,
        date(2026, 6, 30),
        "property_deleted",
    )
    assert dwelling_delete(dwelling=dwelling, deleted_from=date(2026, 7, 1)) is False


def test_settings_are_one_per_tenant(council):
    RevenuesSettings.objects.create(tenant=council, country="wales")
    with pytest.raises(IntegrityError), transaction.atomic():
        RevenuesSettings.objects.create(tenant=council, country="england")
