"""The year's charges a tenant sets: each authority's band D amount (DESIGN rule 4: one transaction, audited)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from borough.core.audit import audit_record
from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Parish, Precept
from borough.revenues.services.common import Errors, text_value
from borough.tenancy.models import Tenant

MAX_BAND_D = Decimal("100000.00")  # far above any council's; a typo of a few digits is caught


def _amount(value: Any, errors: Errors) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add("band_d", "Enter the band D amount in pounds, like 1850.34")
        return Decimal("0")
    if not amount.is_finite() or amount < 0 or amount > MAX_BAND_D:
        errors.add("band_d", f"Enter an amount from £0 to £{MAX_BAND_D:,}")
    elif amount != amount.quantize(Decimal("0.01")):
        errors.add("band_d", "Enter the amount in pounds and pence (two decimal places at most)")
    return amount


@transaction.atomic
def precept_set(
    *, tenant: Tenant, financial_year: str, kind: str, authority: str, band_d: Any, parish: Parish | None = None
) -> Precept:
    """Set (or change) one authority's band D amount for a year. A parish precept names its parish; others none."""
    errors = Errors()
    try:
        FinancialYear.parse(financial_year)
    except InputError as error:
        errors.add("financial_year", error.message)
    if kind not in Precept.Kind.values:
        errors.add("kind", f"Choose one of: {', '.join(Precept.Kind.values)}")
    if (kind == Precept.Kind.PARISH) != (parish is not None):
        errors.add("parish", "A parish precept names its parish, and only a parish precept does")
    if parish is not None and parish.tenant_id != tenant.pk:
        errors.add("parish", "Choose one of this council's parishes")
    authority = text_value(Precept, "authority", authority, errors, required=True)
    amount = _amount(band_d, errors)
    errors.raise_any()
    identity = {"parish": parish} if parish is not None else {"authority": authority, "parish": None}
    precept = (
        Precept.objects.select_for_update().filter(tenant=tenant, financial_year=financial_year, **identity).first()
    )
    before = (
        None
        if precept is None
        else {"kind": precept.kind, "authority": precept.authority, "band_d": str(precept.band_d)}
    )
    precept = precept or Precept(tenant=tenant, financial_year=financial_year, parish=parish)
    precept.kind, precept.authority, precept.band_d = kind, authority, amount
    precept.save()
    audit_record(
        tenant=tenant,
        action="revenues.precept_set",
        obj=precept,
        before=before,
        after={"kind": kind, "authority": authority, "band_d": str(amount)},
        detail={"financial_year": financial_year, "parish_id": parish.pk if parish else None},
    )
    return precept
