"""`voa_import`: apply a VOA list or schedule file to a tenant's properties, keeping good rows, reporting bad ones.

The file is read a line at a time and applied in chunks of CHUNK rows, each chunk one transaction with a savepoint
per row, so a 100,000-row file never sits in memory and one bad row loses nothing else (DESIGN rule 6). Importing
the same file again changes nothing: each row is compared with what is stored and counted "unchanged".
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from borough.people.normalise import normalise_postcode
from borough.revenues import services
from borough.revenues.models import Dwelling, Hereditament, Parish, PropertyStatus, bands_for
from borough.revenues.selectors import NotCouncilTaxNation, tenant_country
from borough.revenues.voa.business_rates import business_rates_rows
from borough.revenues.voa.council_tax import FileError, council_tax_rows
from borough.revenues.voa.rows import ParsedRow, decoded_lines
from borough.tenancy.models import Tenant

KINDS = ("council-tax", "business-rates")
CHUNK = 500


@dataclass(frozen=True)
class Rejection:
    line: int
    reference: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str = ""  # the whole file could not be read: nothing was imported

    def as_text(self) -> str:
        head = "Dry run (nothing saved): " if self.dry_run else ""
        if self.error:
            return f"{head}file not imported: {self.error}"
        lines = [
            f"{head}{self.rows_read} rows read: {self.created} created, {self.updated} updated, "
            f"{self.deleted} deleted, {self.unchanged} unchanged, {len(self.rejected)} rejected"
        ]
        lines += [f"line {r.line}: {r.reference or '(no reference)'}: {r.reason}" for r in self.rejected]
        return "\n".join(lines)


class _Rollback(Exception):
    pass


def voa_import(*, tenant: Tenant, kind: str, file: str | Path | IO[bytes], dry_run: bool = False) -> ImportReport:
    """Import a council tax ("council-tax") or non-domestic ("business-rates") list file; see the module docs.

    `file` is a path or a binary file object. Must run inside the tenant's scope (the command enters it).
    """
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: use {' or '.join(KINDS)}")
    report = ImportReport(kind=kind, dry_run=dry_run)
    handle = open(file, "rb") if isinstance(file, (str, Path)) else file  # noqa: SIM115 - closed below
    try:
        try:
            # A dry run is one transaction rolled back at the end; a real one commits chunk by chunk.
            with transaction.atomic():
                _run(tenant, kind, handle, report)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
    except (FileError, NotCouncilTaxNation) as error:
        report.error = str(error)
    finally:
        if handle is not file:
            handle.close()
    return report


def _rows(tenant: Tenant, kind: str, handle: IO[bytes]) -> Iterator[ParsedRow | tuple[int, str, str]]:
    lines = decoded_lines(handle)
    if kind == "council-tax":
        return council_tax_rows(lines, bands_for(tenant_country(tenant)))
    return business_rates_rows(lines)


def _run(tenant: Tenant, kind: str, handle: IO[bytes], report: ImportReport) -> None:
    seen: dict[str, int] = {}  # reference -> first line: a reference twice in one file is ambiguous
    chunk: list[ParsedRow] = []
    for item in _rows(tenant, kind, handle):
        report.rows_read += 1
        if isinstance(item, tuple):
            report.rejected.append(Rejection(*item))
            continue
        first = seen.setdefault(item.reference, item.line)
        if first != item.line:
            report.rejected.append(Rejection(item.line, item.reference, f"duplicate reference: also on line {first}"))
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            _apply_chunk(tenant, kind, chunk, report)
            chunk = []
    if chunk:
        _apply_chunk(tenant, kind, chunk, report)
    report.rejected.sort(key=lambda rejection: rejection.line)


@transaction.atomic
def _apply_chunk(tenant: Tenant, kind: str, chunk: list[ParsedRow], report: ImportReport) -> None:
    model = Dwelling if kind == "council-tax" else Hereditament
    existing = {
        p.voa_reference: p for p in model.objects.filter(tenant=tenant, voa_reference__in=[r.reference for r in chunk])
    }
    parishes = {p.code: p for p in Parish.objects.filter(tenant=tenant)} if kind == "council-tax" else {}
    for row in chunk:
        try:
            with transaction.atomic():
                outcome = (_apply_dwelling if kind == "council-tax" else _apply_hereditament)(
                    tenant, row, existing.get(row.reference), parishes
                )
        except ValidationError as error:
            reason = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
            report.rejected.append(Rejection(row.line, row.reference, reason))
            continue
        except (IntegrityError, DataError) as error:
            # A clash the checks did not foresee (another writer at the same moment): report it, keep going.
            report.rejected.append(Rejection(row.line, row.reference, f"not saved: {error}"))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)


def _delete(row: ParsedRow, prop, delete) -> str:
    if prop is None:
        raise ValidationError({"voa_reference": "no property with this reference to delete"})
    return "deleted" if delete(row.effective) else "unchanged"


def _apply_dwelling(tenant: Tenant, row: ParsedRow, dwelling: Dwelling | None, parishes: dict[str, Parish]) -> str:
    if row.action == "delete":
        return _delete(row, dwelling, lambda day: services.dwelling_delete(dwelling=dwelling, deleted_from=day))
    values = dict(row.values)
    parish_code, address_only = values.pop("parish_code"), values.pop("address_only")
    parish = parishes.get(parish_code) if parish_code else None
    if parish_code and parish is None:
        raise ValidationError({"parish_code": f"no parish with code {parish_code}: add it first"})
    if dwelling is None:
        services.dwelling_create(tenant=tenant, voa_reference=row.reference, parish=parish, source=row.source, **values)
        return "created"
    band, effective = values.pop("band"), values.pop("band_effective_from")
    if (
        _same(dwelling, values)
        and (address_only or band == dwelling.band)
        and (not parish_code or parish == dwelling.parish)
    ):
        return "unchanged"  # the common case of a re-import: no query, no lock
    changes = {}
    if not address_only and band != dwelling.band:
        changes = {"band": band, "band_effective_from": effective}
    if parish_code:
        changes["parish"] = parish
    changed = services.dwelling_update(
        dwelling=dwelling, source=row.source, reinstate=dwelling.status == PropertyStatus.DELETED, **changes, **values
    )
    return "updated" if changed else "unchanged"


def _same(prop, address: dict[str, str]) -> bool:
    """Whether a live property already has these address values, as the services would store them."""
    if prop.status != PropertyStatus.LIVE:
        return False
    for name, value in address.items():
        value = " ".join(value.split())
        if name == "postcode" and value:
            try:
                value = normalise_postcode(value)
            except ValueError:
                return False
        if getattr(prop, name) != value:
            return False
    return True


def _apply_hereditament(tenant: Tenant, row: ParsedRow, hereditament: Hereditament | None, _parishes) -> str:
    if row.action == "delete":
        return _delete(
            row, hereditament, lambda day: services.hereditament_delete(hereditament=hereditament, deleted_from=day)
        )
    return services.hereditament_save(tenant=tenant, values=row.values, source=row.source)
