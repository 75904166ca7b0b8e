"""The year's band D amounts a council sets, which dwellings pay which (a parish's only its own), and the engine's
input built from an account: the charge by band and liability period."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.core.models import AuditEvent
from borough.revenues.calc.council_tax import council_tax_calculate
from borough.revenues.models import Precept
from borough.revenues.selectors import band_d_for, council_tax_inputs
from borough.revenues.services import parish_create, precept_set
from borough.revenues.tests.factories import make_account, make_dwelling

YEAR = "2026-27"
AMOUNTS = (
    ("billing", "Northfield District Council", "250.00"),
    ("county", "Midshire County Council", "1550.00"),
    ("adult_social_care", "Midshire County Council: adult social care", "100.00"),
    ("police", "Midshire Police and Crime Commissioner", "280.00"),
    ("fire", "Midshire Fire and Rescue Authority", "90.00"),
)


@pytest.fixture
def year(council):
    for kind, authority, amount in AMOUNTS:
        precept_set(tenant=council, financial_year=YEAR, kind=kind, authority=authority, band_d=amount)
    upton = parish_create(tenant=council, code="UPT", name="Upton")
    precept_set(tenant=council, financial_year=YEAR, kind="parish", authority="Upton Parish Council",
                band_d="30.00", parish=upton)  # fmt: skip
    other = parish_create(tenant=council, code="OTH", name="Otherby")
    precept_set(tenant=council, financial_year=YEAR, kind="parish", authority="Otherby Parish Council",
                band_d="45.50", parish=other)  # fmt: skip
    return {"upton": upton, "otherby": other}


def test_a_dwelling_pays_every_authority_and_only_its_own_parish(council, year):
    in_upton = make_dwelling(council, parish=year["upton"])
    unparished = make_dwelling(council)
    names = [p.authority for p in band_d_for(dwelling=in_upton, financial_year=YEAR)]
    assert names == [a for _kind, a, _amount in AMOUNTS] + ["Upton Parish Council"]
    assert len(band_d_for(dwelling=unparished, financial_year=YEAR)) == len(AMOUNTS)
    assert band_d_for(dwelling=in_upton, financial_year="2027-28") == ()


def test_the_charge_of_an_account_by_band_and_liability(council, year):
    band_d = make_account(council, make_dwelling(council, band="D", parish=year["upton"]), start=date(2026, 4, 1))
    [whole_year] = council_tax_inputs(account=band_d, financial_year=YEAR)
    assert council_tax_calculate(whole_year).annual_charge == Decimal("2300.00")  # 2,270 + the parish's 30
    # Band A is 6/9 of band D for each authority, rounded to the penny before adding up.
    band_a = make_account(council, make_dwelling(council, band="A", parish=year["upton"]), start=date(2026, 4, 1))
    [result] = [council_tax_calculate(given) for given in council_tax_inputs(account=band_a, financial_year=YEAR)]
    assert result.annual_charge == Decimal("166.67") + Decimal("1033.33") + Decimal("66.67") + Decimal(
        "186.67"
    ) + Decimal("60.00") + Decimal("20.00")
    # Moving in on 1 October 2026: 182 of the year's 365 days.
    moved_in = make_account(council, make_dwelling(council, band="D"), start=date(2026, 10, 1))
    [part] = council_tax_inputs(account=moved_in, financial_year=YEAR)
    assert (part.liability_start, part.liability_end) == (date(2026, 10, 1), date(2027, 3, 31))
    assert council_tax_calculate(part).charge == (Decimal("2270.00") * 182 / 365).quantize(Decimal("0.01"))


def test_setting_an_amount_again_changes_it_and_audits_both(council, year):
    precept_set(tenant=council, financial_year=YEAR, kind="police", authority=AMOUNTS[3][1], band_d="285.20")
    police = Precept.objects.get(financial_year=YEAR, authority=AMOUNTS[3][1])
    assert police.band_d == Decimal("285.20") and Precept.objects.filter(kind="police").count() == 1
    changed = AuditEvent.objects.filter(action="revenues.precept_set", object_id=str(police.pk)).first()
    assert changed.changes["band_d"] == ["280.00", "285.20"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"financial_year": "2026-28"}, "financial_year"),
        ({"kind": "mayor"}, "kind"),
        ({"band_d": "-1"}, "band_d"),
        ({"band_d": "12.345"}, "band_d"),
        ({"band_d": "lots"}, "band_d"),
        ({"band_d": "NaN"}, "band_d"),
        ({"band_d": "999999"}, "band_d"),
        ({"authority": "  "}, "authority"),
        ({"kind": "parish"}, "parish"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field_and_nothing_is_written(council, fields, field):
    given = {"financial_year": YEAR, "kind": "billing", "authority": "Northfield District Council", "band_d": "250"}
    with pytest.raises(ValidationError) as refused:
        precept_set(tenant=council, **{**given, **fields})
    assert field in refused.value.message_dict
    assert not Precept.objects.exists()


def test_a_parish_precept_needs_this_councils_parish(council, tenant_b):
    from borough.core.audit import Actor, acting_as
    from borough.tenancy.scope import tenant_scope

    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        elsewhere = parish_create(tenant=tenant_b, code="ELS", name="Elsewhere")
    with pytest.raises(ValidationError) as refused:
        precept_set(tenant=council, financial_year=YEAR, kind="parish", authority="Elsewhere PC", band_d="10",
                    parish=elsewhere)  # fmt: skip
    assert "parish" in refused.value.message_dict
