"""Writes to properties: parishes, dwellings and their bands, hereditaments and their values."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from borough.core.audit import audit_record, snapshot
from borough.revenues.models import (
    BandHistory,
    Dwelling,
    Hereditament,
    Parish,
    PropertyStatus,
    ValueHistory,
    ValueSource,
)
from borough.revenues.services.common import (
    ADDRESS_FIELDS,
    DWELLING_AUDITED,
    MAX_RATEABLE_VALUE,
    Errors,
    check_address,
    check_band,
    check_date,
    check_parish,
    end_liability_on_deletion,
    mark_rebill,
    text_value,
)
from borough.revenues.services.search import account_search_keys_refresh
from borough.tenancy.models import Tenant


@transaction.atomic
def parish_create(*, tenant: Tenant, code: str, name: str) -> Parish:
    errors = Errors()
    code = text_value(Parish, "code", code, errors, required=True).upper()
    name = text_value(Parish, "name", name, errors, required=True)
    if code and Parish.objects.filter(tenant=tenant, code=code).exists():
        errors.add("code", f"Parish {code} exists already")
    errors.raise_any()
    parish = Parish.objects.create(tenant=tenant, code=code, name=name)
    audit_record(tenant=tenant, action="revenues.parish_create", obj=parish, after=snapshot(parish, ["code", "name"]))
    return parish


@transaction.atomic
def dwelling_create(
    *,
    tenant: Tenant,
    voa_reference: str,
    address_line_1: str,
    band: str,
    band_effective_from: date,
    uprn: str = "",
    address_line_2: str = "",
    address_line_3: str = "",
    town: str = "",
    postcode: str = "",
    parish: Parish | None = None,
    exists_from: date | None = None,
    source: str = ValueSource.MANUAL,
) -> Dwelling:
    """Add a dwelling to the list, with its first band in the band history."""
    errors = Errors()
    values = check_address(Dwelling, locals(), errors)
    values["voa_reference"] = text_value(Dwelling, "voa_reference", voa_reference, errors, required=True)
    values["band"] = check_band(tenant, band, errors)
    values["band_effective_from"] = check_date("band_effective_from", band_effective_from, errors)
    values["exists_from"] = check_date("exists_from", exists_from, errors, required=False)
    check_parish(tenant, parish, errors)
    if (
        values["voa_reference"]
        and Dwelling.objects.filter(tenant=tenant, voa_reference=values["voa_reference"]).exists()
    ):
        errors.add("voa_reference", f"A dwelling with VOA reference {values['voa_reference']} exists already")
    if values["uprn"] and Dwelling.objects.filter(tenant=tenant, uprn=values["uprn"]).exists():
        errors.add("uprn", f"A dwelling with UPRN {values['uprn']} exists already")
    errors.raise_any()
    dwelling = Dwelling.objects.create(tenant=tenant, parish=parish, **values)
    BandHistory.objects.create(
        tenant=tenant, dwelling=dwelling, band=dwelling.band, effective_from=dwelling.band_effective_from, source=source
    )
    audit_record(
        tenant=tenant, action="revenues.dwelling_create", obj=dwelling, after=snapshot(dwelling, DWELLING_AUDITED)
    )
    return dwelling


_UNSET: Any = object()


@transaction.atomic
def dwelling_update(
    *,
    dwelling: Dwelling,
    band: str = _UNSET,
    band_effective_from: date = _UNSET,
    parish: Parish | None = _UNSET,
    source: str = ValueSource.MANUAL,
    reinstate: bool = False,
    **address: str,
) -> bool:
    """Change a dwelling's address, parish or band (or reinstate a deleted one); return whether anything changed.

    A new band needs the date it applies from; it goes into the band history, and every account liable on or after
    that date is marked to be re-billed from it (`Account.rebill_from`).
    """
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    tenant = dwelling.tenant
    errors = Errors()
    unknown = sorted(set(address) - set(ADDRESS_FIELDS))
    if unknown:
        raise TypeError(f"dwelling_update() got unexpected fields: {', '.join(unknown)}")
    values = check_address(Dwelling, {**snapshot(dwelling, ADDRESS_FIELDS), **address}, errors)
    if values["uprn"] and Dwelling.objects.filter(tenant=tenant, uprn=values["uprn"]).exclude(pk=dwelling.pk).exists():
        errors.add("uprn", f"A dwelling with UPRN {values['uprn']} exists already")
    if parish is not _UNSET:
        check_parish(tenant, parish, errors)
        values["parish_id"] = parish.pk if parish else None
    band_changed = False
    if band is not _UNSET:
        values["band"] = check_band(tenant, band, errors)
        effective = check_date(
            "band_effective_from", None if band_effective_from is _UNSET else band_effective_from, errors
        )
        if effective is not None:
            values["band_effective_from"] = effective
        band_changed = (values["band"], effective) != (dwelling.band, dwelling.band_effective_from)
    if reinstate:
        values.update(status=PropertyStatus.LIVE, deleted_from=None)
    errors.raise_any()

    before = snapshot(dwelling, DWELLING_AUDITED)
    changed = [name for name, value in values.items() if getattr(dwelling, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(dwelling, name, values[name])
    dwelling.save()
    if set(changed) & set(ADDRESS_FIELDS):
        account_search_keys_refresh(tenant=tenant, account_ids=dwelling.accounts.values_list("pk", flat=True))
    marked = 0
    if band_changed:
        BandHistory.objects.create(
            tenant=tenant,
            dwelling=dwelling,
            band=dwelling.band,
            effective_from=dwelling.band_effective_from,
            source=source,
        )
        marked = mark_rebill(property_field="dwelling", prop=dwelling, effective_from=dwelling.band_effective_from)
    audit_record(
        tenant=tenant,
        action="revenues.dwelling_update",
        obj=dwelling,
        before=before,
        after=snapshot(dwelling, DWELLING_AUDITED),
        detail={"accounts_marked_for_rebilling": marked},
    )
    return True


@transaction.atomic
def dwelling_delete(*, dwelling: Dwelling, deleted_from: date) -> bool:
    """Mark a dwelling deleted from the list from `deleted_from`; liability ends the day before."""
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    errors = Errors()
    check_date("deleted_from", deleted_from, errors)
    errors.raise_any()
    if dwelling.status == PropertyStatus.DELETED and dwelling.deleted_from == deleted_from:
        return False
    before = snapshot(dwelling, DWELLING_AUDITED)
    dwelling.status, dwelling.deleted_from = PropertyStatus.DELETED, deleted_from
    dwelling.save(update_fields=["status", "deleted_from", "updated_at"])
    end_liability_on_deletion("dwelling", dwelling, deleted_from)
    audit_record(
        tenant=dwelling.tenant,
        action="revenues.dwelling_delete",
        obj=dwelling,
        before=before,
        after=snapshot(dwelling, DWELLING_AUDITED),
    )
    return True


HEREDITAMENT_FIELDS = (
    "voa_reference",
    "uarn",
    *ADDRESS_FIELDS,
    "firm_name",
    "description_code",
    "description",
    "rateable_value",
    "value_effective_from",
    "retail_hospitality_leisure",
    "status",
    "deleted_from",
)


@transaction.atomic
def hereditament_save(*, tenant: Tenant, values: dict[str, Any], source: str = ValueSource.LIST) -> str:
    """Create or update the hereditament with `values["voa_reference"]`: "created", "updated" or "unchanged".

    `values` are already parsed (the VOA import does it): address fields, description, `rateable_value` (whole
    pounds), `value_effective_from`. A new value goes into the value history and marks accounts for re-billing.
    """
    errors = Errors()
    cleaned = check_address(Hereditament, values, errors)
    for name in ("voa_reference", "uarn", "firm_name", "description_code", "description"):
        cleaned[name] = text_value(Hereditament, name, values.get(name, ""), errors, required=name == "voa_reference")
    cleaned["rateable_value"] = values.get("rateable_value")
    cleaned["value_effective_from"] = check_date("value_effective_from", values.get("value_effective_from"), errors)
    value = cleaned["rateable_value"]
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or not 0 <= value < MAX_RATEABLE_VALUE:
        errors.add("rateable_value", "Enter a rateable value in whole pounds, from 0 to 99,999,999,999,999")
    elif value != int(value):
        errors.add("rateable_value", "A rateable value is whole pounds")
    if "retail_hospitality_leisure" in values:
        cleaned["retail_hospitality_leisure"] = bool(values["retail_hospitality_leisure"])
    errors.raise_any()

    existing = (
        Hereditament.objects.select_for_update().filter(tenant=tenant, voa_reference=cleaned["voa_reference"]).first()
    )
    if existing is None:
        hereditament = Hereditament.objects.create(tenant=tenant, **cleaned)
        ValueHistory.objects.create(
            tenant=tenant,
            hereditament=hereditament,
            rateable_value=hereditament.rateable_value,
            effective_from=hereditament.value_effective_from,
            source=source,
        )
        audit_record(
            tenant=tenant,
            action="revenues.hereditament_create",
            obj=hereditament,
            after=snapshot(hereditament, HEREDITAMENT_FIELDS),
        )
        return "created"
    cleaned.update(status=PropertyStatus.LIVE, deleted_from=None)
    changed = [name for name, value in cleaned.items() if getattr(existing, name) != value]
    if not changed:
        return "unchanged"
    before = snapshot(existing, HEREDITAMENT_FIELDS)
    value_changed = {"rateable_value", "value_effective_from"} & set(changed)
    for name in changed:
        setattr(existing, name, cleaned[name])
    existing.save()
    if set(changed) & {*ADDRESS_FIELDS, "firm_name"}:
        account_search_keys_refresh(tenant=tenant, account_ids=existing.accounts.values_list("pk", flat=True))
    marked = 0
    if value_changed:
        ValueHistory.objects.create(
            tenant=tenant,
            hereditament=existing,
            rateable_value=existing.rateable_value,
            effective_from=existing.value_effective_from,
            source=source,
        )
        marked = mark_rebill(property_field="hereditament", prop=existing, effective_from=existing.value_effective_from)
    audit_record(
        tenant=tenant,
        action="revenues.hereditament_update",
        obj=existing,
        before=before,
        after=snapshot(existing, HEREDITAMENT_FIELDS),
        detail={"accounts_marked_for_rebilling": marked},
    )
    return "updated"


@transaction.atomic
def hereditament_delete(*, hereditament: Hereditament, deleted_from: date) -> bool:
    """Mark a hereditament deleted from the list from `deleted_from`; liability ends the day before."""
    hereditament = Hereditament.objects.select_for_update().get(pk=hereditament.pk)
    if hereditament.status == PropertyStatus.DELETED and hereditament.deleted_from == deleted_from:
        return False
    before = snapshot(hereditament, HEREDITAMENT_FIELDS)
    hereditament.status, hereditament.deleted_from = PropertyStatus.DELETED, deleted_from
    hereditament.save(update_fields=["status", "deleted_from", "updated_at"])
    end_liability_on_deletion("hereditament", hereditament, deleted_from)
    audit_record(
        tenant=hereditament.tenant,
        action="revenues.hereditament_delete",
        obj=hereditament,
        before=before,
        after=snapshot(hereditament, HEREDITAMENT_FIELDS),
    )
    return True
