"""The council tax valuation list and its schedules of alterations, as CSV with a header row.

The VOA sends billing authorities schedules under the headings of its Council Tax Manual, section 2 part 4
(https://www.gov.uk/guidance/council-tax-manual, "Schedules of Alterations"): New, Deleted, Amended, Reinstated,
Minor Address Change, and "Historic" versions of each for changes effective in an earlier year. It publishes no
public CSV layout for them, so Borough reads the columns below (docs/revenues.md), which carry what a schedule
carries; a full band list is the same file with change_type "list".

    voa_reference, uprn, address_line_1, address_line_2, address_line_3, town, postcode, band, effective_date,
    change_type, parish_code

voa_reference, address_line_1, band, effective_date and change_type are required columns; the rest may be absent.
"""

import csv
from collections.abc import Iterable, Iterator

from borough.revenues.voa.rows import ParsedRow, RowError, parse_date

REQUIRED = ("voa_reference", "address_line_1", "band", "effective_date", "change_type")
OPTIONAL = ("uprn", "address_line_2", "address_line_3", "town", "postcode", "parish_code")
ADDRESS = ("uprn", "address_line_1", "address_line_2", "address_line_3", "town", "postcode")
# change_type -> (action, source). A "historic" change is the same change, effective in an earlier year.
CHANGE_TYPES = {
    "list": ("upsert", "list"),
    "new": ("upsert", "alteration"),
    "amended": ("upsert", "alteration"),
    "reinstated": ("upsert", "alteration"),
    "minor address change": ("upsert", "alteration"),
    "deleted": ("delete", "alteration"),
}


class FileError(ValueError):
    """The file as a whole cannot be read (no header, missing columns): nothing is imported."""


def council_tax_rows(lines: Iterable[str], bands: tuple[str, ...]) -> Iterator[ParsedRow | tuple[int, str, str]]:
    """Each data row parsed, or (line, reference, reason) for a row that cannot be; one row in memory at a time."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise FileError("The file is empty: it needs a header row")
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileError(f"The header row lacks the column(s) {', '.join(missing)}")
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a NUL byte, a field beyond the csv module's size limit
            yield (reader.line_num, "", f"cannot be read as CSV: {error}")
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        line = reader.line_num
        if len(cells) != len(columns):
            yield (line, "", f"has {len(cells)} fields, the header has {len(columns)}")
            continue
        row = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
        try:
            yield _parse(line, row, bands)
        except RowError as error:
            yield (line, row.get("voa_reference", ""), str(error))


def _parse(line: int, row: dict[str, str], bands: tuple[str, ...]) -> ParsedRow:
    reference = row["voa_reference"]
    if not reference:
        raise RowError("voa_reference is missing")
    change = " ".join(row["change_type"].lower().split())
    change = change.removeprefix("historic ")
    if change not in CHANGE_TYPES:
        raise RowError(
            f"change_type {row['change_type']!r} is not one of {', '.join(CHANGE_TYPES)} (or 'historic ...')"
        )
    action, source = CHANGE_TYPES[change]
    effective = parse_date(row["effective_date"], "effective_date")
    if action == "delete":
        return ParsedRow(line=line, reference=reference, action=action, source=source, effective=effective)
    band = row["band"].upper()
    if band not in bands:
        raise RowError(f"band {row['band']!r} is not a valuation band here: use {bands[0]} to {bands[-1]}")
    values = {name: row.get(name, "") for name in ADDRESS}
    values.update(band=band, band_effective_from=effective, parish_code=row.get("parish_code", "").upper())
    values["address_only"] = change == "minor address change"
    return ParsedRow(line=line, reference=reference, action=action, values=values, source=source, effective=effective)
