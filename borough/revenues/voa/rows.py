"""What the VOA file parsers share: streaming lines, dates, the parsed row and the rejection of a bad one."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_MONTHS = {
    m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
_VOA_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")


class RowError(ValueError):
    """A row that cannot be imported; the message says why, in words fit for the report."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    reference: str
    action: str  # "upsert" or "delete"
    values: dict[str, Any] = field(default_factory=dict)
    source: str = "list"  # borough.revenues.models.ValueSource
    effective: date | None = None


def decoded_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """Lines as text, one at a time: UTF-8 (with or without a byte-order mark), else Windows-1252, line by line.

    Older VOA extracts are Windows-1252; decoding each line on its own keeps one odd byte from stopping the file.
    """
    first = True
    for raw in binary:
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", errors="replace")


def parse_date(text: str, name: str) -> date:
    """A date as the VOA writes it (01-APR-2023) or as a spreadsheet does (2023-04-01, 01/04/2023)."""
    text = text.strip()
    if not text:
        raise RowError(f"{name} is missing")
    match = _VOA_DATE.fullmatch(text)
    try:
        if match:
            month = _MONTHS.get(match[2].upper())
            if month is None:
                raise ValueError
            return date(int(match[3]), month, int(match[1]))
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    except ValueError:
        pass
    raise RowError(f"{name} {text!r} is not a date: use 01-APR-2026, 2026-04-01 or 01/04/2026")
