"""A tiny council whose bills can be checked by hand (band D: £200 + £1,500 + £250, a parish £90)."""

from datetime import date
from decimal import Decimal

import pytest

from borough.revenues.models import Reduction
from borough.revenues.services import parish_create, precept_set
from borough.revenues.tests.factories import make_account, make_dwelling

YEAR = "2026-27"


def reduce(account, kind, start, end=None, **values):
    """A reduction recorded on the account (as borough.revenues.services.reductions records them)."""
    return Reduction.objects.create(tenant=account.tenant, account=account, kind=kind, start=start, end=end, **values)


@pytest.fixture
def band_d(council):
    precept_set(tenant=council, financial_year=YEAR, kind="billing", authority="Northfield DC", band_d="200.00")
    precept_set(tenant=council, financial_year=YEAR, kind="county", authority="Midshire CC", band_d="1500.00")
    precept_set(tenant=council, financial_year=YEAR, kind="police", authority="Midshire Police", band_d="250.00")
    parish = parish_create(tenant=council, code="UP", name="Upton")
    precept_set(
        tenant=council, financial_year=YEAR, kind="parish", authority="Upton Parish", band_d="90.00", parish=parish
    )
    return parish


@pytest.fixture
def tiny_council(council, band_d):
    """Four accounts: D full year; A in the parish with single person discount; H exempt; B from 1 October."""
    parish = band_d
    d = make_account(council, make_dwelling(council, band="D"), start=date(2020, 1, 1), names=("Dee Dee",))
    a = make_account(council, make_dwelling(council, band="A", parish=parish), start=date(2019, 5, 1), names=("Ay",))
    reduce(a, Reduction.Kind.DISCOUNT, date(2019, 5, 1), code="single_person")
    h = make_account(council, make_dwelling(council, band="H"), start=date(2018, 1, 1), names=("Aitch",))
    reduce(h, Reduction.Kind.EXEMPTION, date(2025, 6, 1), code="F")
    b = make_account(council, make_dwelling(council, band="B"), start=date(2026, 10, 1), names=("Bee", "Bea"))
    return {"D": d, "A": a, "H": h, "B": b}


D = Decimal
