"""The non-domestic rating list: the VOA's "list entries" file, one entry a line, fields separated by "*".

Layout: the VOA's "Compiled Rating List Data Specification" (2017 edition, part two "List entry data items (current
entries)"; published by the VOA with its rating list downloads; the field order below was not checked against the
document's own table, whose text was not available when this was written). The 28 fields, in order:

     1 incrementing entry number          15 postcode
     2 billing authority code             16 effective date
     3 NDR community code                 17 composite indicator
     4 BA reference number                18 rateable value
     5 primary and secondary description  19 appeal settlement code
       code                               20 assessment reference
     6 primary description text           21 list alteration date
     7 UARN                               22 SCAT code and suffix
     8 full property identifier           23 sub street level 3
     9 firm name                          24 sub street level 2
    10 number or name                     25 sub street level 1
    11 street                             26 case number
    12 town                               27 current from date
    13 postal district                    28 current to date
    14 county

Files end each line with a trailing "*" in some extracts: an empty 29th field is accepted. An entry with a
"current to date" has left the list: Borough reads it as a deletion from the next day.
"""

from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal

from borough.revenues.voa.rows import ParsedRow, RowError, parse_date

FIELDS = 28


def business_rates_rows(lines: Iterable[str]) -> Iterator[ParsedRow | tuple[int, str, str]]:
    """Each entry parsed, or (line, reference, reason) for one that cannot be; one line in memory at a time."""
    for line, text in enumerate(lines, start=1):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        cells = [cell.strip() for cell in text.split("*")]
        if len(cells) == FIELDS + 1 and cells[-1] == "":
            cells.pop()
        reference = cells[3] if len(cells) > 3 else ""
        if len(cells) != FIELDS:
            yield (line, reference, f"has {len(cells)} fields separated by '*', the list entry layout has {FIELDS}")
            continue
        try:
            yield _parse(line, cells)
        except RowError as error:
            yield (line, reference, str(error))


def _parse(line: int, cells: list[str]) -> ParsedRow:
    reference = cells[3]
    if not reference:
        raise RowError("the BA reference number (field 4) is missing")
    if cells[27]:
        ended = parse_date(cells[27], "current to date (field 28)")
        deleted_from = ended + timedelta(days=1)
        return ParsedRow(line=line, reference=reference, action="delete", effective=deleted_from)
    effective = parse_date(cells[15], "effective date (field 16)")
    value = cells[17].replace(",", "")
    if not value.isdigit():
        raise RowError(f"rateable value (field 18) {cells[17]!r} is not a whole number of pounds")
    number, street = cells[9], cells[10]
    if number and street and number[0].isdigit():
        line_1, line_2 = f"{number} {street}", ""
    else:
        line_1, line_2 = number or street, street if number else ""
    values = {
        "uarn": cells[6],
        "uprn": "",
        "firm_name": cells[8],
        "address_line_1": line_1,
        "address_line_2": line_2,
        "address_line_3": cells[12],
        "town": cells[11],
        "postcode": cells[14],
        "description_code": cells[4],
        "description": cells[5],
        "rateable_value": Decimal(value),
        "value_effective_from": effective,
        "voa_reference": reference,
    }
    return ParsedRow(line=line, reference=reference, action="upsert", values=values, source="list", effective=effective)
