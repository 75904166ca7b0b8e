"""Payment files as the bank, the Post Office and PayPoint send them: decoding and parsing (no database).

Each parser turns a file's text into `ParsedRow`s: the line number, the raw line, and either the values
(`paid_on`, `amount`, `reference`, plus what identifies the transaction) or the reason the row cannot be read.
A problem with the whole file (no header, a trailer that does not add up) raises `FileRefused`.

Bank: a CSV statement export of the council's collection account, one credit a line. The first line names the
columns; three are needed, found by name whatever their order or case:
    Date        the day the money arrived: DD/MM/YYYY (as UK banks export it) or YYYY-MM-DD
    Amount      pounds and pence ("125.50", "£1,250.00"); a "Credit" column is read if there is no "Amount";
                debits (negative amounts) are not payments and are rejected for review
    Reference   what the payer typed ("CTAX NFD-000123 SMITH"); also read from "Description" or "Narrative"
Any other columns (balance, type) are kept in the raw line and otherwise ignored.

Post Office: the bill-payments settlement file, fixed width (a line per record, records 80 characters, spaces to
the right may be trimmed):
    header   "H" | client id (2-9) | file date YYYYMMDD (10-17) | file generation number (18-23)
    detail   "D" | transaction date YYYYMMDD (2-9) | time HHMMSS (10-15) | branch FAD code (16-22) |
             barcode (23-41, 19 digits) | amount in pence (42-50, 9 digits, zero filled) |
             tender (51: C cash, D debit card)
    trailer  "T" | detail record count (2-8, 7 digits) | total pence (9-20, 12 digits)
The trailer must agree with the detail records, or the file is refused as incomplete.

PayPoint: the bill-payment transaction file, CSV with this header (column order free):
    transaction_id,site_id,transaction_date,transaction_time,barcode,amount_pence,tender
dates DD/MM/YYYY, times HH:MM:SS, amounts in pence. PayPoint's transaction id identifies a payment across files,
so a payment repeated in a later file is recognised and not posted twice.

Barcodes (the council's payment card, the same for both outlets): 19 digits:
    "98" (payment card scheme) | 4-digit client code | 12-digit account number digits | Luhn check digit
so `98 1234 000000000123 c` pays the account whose number's digits are 000123 (NFD-000123). A wrong check digit
is a misread barcode: the row is rejected.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MAX_ROWS = 100_000
PENCE = Decimal("0.01")


class FileRefused(ValueError):
    """The whole file cannot be read: nothing of it is imported."""


@dataclass(frozen=True)
class ParsedRow:
    line_number: int
    raw: str
    values: dict = field(default_factory=dict)  # paid_on (date), amount (Decimal), reference, + source's own
    error: str = ""


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte order mark), UTF-16 with its BOM, or Windows-1252 (what
    spreadsheets and UK bank exports often save). A binary file or bytes none of these can read is refused."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("The file says it is UTF-16 text but is not: export it again as CSV") from None
    if b"\x00" in content or re.search(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]", content):
        raise FileRefused("This is not a text file (it holds binary data): upload the CSV or text file itself")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            f"The file is not UTF-8 or Windows-1252 text (byte 0x{content[utf8_error.start]:02x} at position "
            f"{utf8_error.start + 1}): save it as CSV UTF-8 and upload it again"
        ) from None


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits` + it pass the Luhn check (used to make barcodes)."""
    return next(str(d) for d in range(10) if luhn_ok(digits + str(d)))


def barcode_for(account_digits: str, client_code: str = "0001") -> str:
    body = f"98{client_code:0>4}{int(account_digits):012d}"
    return body + luhn_digit(body)


def barcode_account_digits(barcode: str) -> str:
    """The account number digits a payment card barcode carries; ValueError says why it cannot be read."""
    barcode = barcode.strip()
    if not (len(barcode) == 19 and barcode.isascii() and barcode.isdigit()):
        raise ValueError(f"Barcode {barcode!r} is not 19 digits")
    if not barcode.startswith("98"):
        raise ValueError(f"Barcode {barcode} is not a council payment card barcode (it does not start 98)")
    if not luhn_ok(barcode):
        raise ValueError(f"Barcode {barcode} fails its check digit (misread?)")
    return barcode[6:18]


def parse_pounds(text: str) -> Decimal:
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"Amount {text.strip()!r} is not an amount of money") from None
    if not amount.is_finite() or amount != amount.quantize(PENCE):
        raise ValueError(f"Amount {text.strip()!r} is not pounds and pence")
    return amount.quantize(PENCE)


def parse_pence(text: str) -> Decimal:
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"Amount {text!r} is not a whole number of pence")
    return (Decimal(int(text)) / 100).quantize(PENCE)


def parse_day(text: str) -> date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"Date {text!r} is not a date (use DD/MM/YYYY)")


def parse_time(text: str) -> str:
    try:
        return datetime.strptime(text.strip(), "%H:%M:%S").time().isoformat()
    except ValueError:
        raise ValueError(f"Time {text.strip()!r} is not HH:MM:SS") from None


def _check_amount(amount: Decimal) -> None:
    if amount <= 0:
        raise ValueError(f"Amount {amount} is not a payment in (zero or a debit)")
    if amount >= Decimal("1000000"):
        raise ValueError(f"Amount {amount} is too large for one payment")


def _csv_rows(text: str, *, required: dict[str, tuple[str, ...]]):
    """(line number, raw line, {canonical name: value}) for each data line; header names matched by alias."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FileRefused("The file is empty: the first line must name the columns")
    header = next(csv.reader([lines[0]]))
    names = [name.strip().lower() for name in header]
    columns = {}
    for canonical, aliases in required.items():
        found = next((names.index(alias) for alias in aliases if alias in names), None)
        if found is None:
            raise FileRefused(
                f"The first line must name the columns: no {canonical!r} column (found {', '.join(header)[:200]})"
            )
        columns[canonical] = found
    if len(lines) > MAX_ROWS + 1:
        raise FileRefused(f"The file has more than {MAX_ROWS} lines: split it")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = next(csv.reader([line]), [])
        if len(cells) < len(names):
            yield number, line, None
            continue
        yield number, line, {canonical: cells[index] for canonical, index in columns.items()}


def parse_bank(text: str) -> list[ParsedRow]:
    rows = []
    required = {
        "date": ("date", "transaction date", "value date", "posting date"),
        "amount": ("amount", "credit", "credit amount", "paid in"),
        "reference": ("reference", "description", "narrative", "details"),
    }
    for number, line, cells in _csv_rows(text, required=required):
        if cells is None:
            rows.append(ParsedRow(number, line, error="The line has fewer columns than the header"))
            continue
        try:
            values = {
                "paid_on": parse_day(cells["date"]),
                "amount": parse_pounds(cells["amount"]),
                "reference": " ".join(cells["reference"].split())[:100],
            }
            _check_amount(values["amount"])
        except ValueError as error:
            rows.append(ParsedRow(number, line, values={"cells": _readable(cells)}, error=str(error)))
            continue
        rows.append(ParsedRow(number, line, values=values))
    return rows


def _readable(cells: dict) -> dict:
    return {name: value.strip()[:100] for name, value in cells.items()}


def parse_post_office(text: str) -> list[ParsedRow]:
    lines = text.splitlines()
    records = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not records or not records[0][1].startswith("H"):
        raise FileRefused("A Post Office file starts with its header record (H): this file does not")
    if not records[-1][1].startswith("T"):
        raise FileRefused("The file has no trailer record (T) at the end: it may be incomplete; ask for it again")
    rows = []
    details = records[1:-1]
    total, all_amounts_read = Decimal("0.00"), True
    for number, line in details:
        if not line.startswith("D"):
            rows.append(ParsedRow(number, line, error=f"Record type {line[:1]!r} is not a detail record (D)"))
            continue
        padded = line.ljust(80)
        values = {
            "transaction_date": padded[1:9].strip(),
            "transaction_time": padded[9:15].strip(),
            "outlet": padded[15:22].strip(),
            "barcode": padded[22:41].strip(),
            "tender": padded[50:51].strip(),
        }
        try:
            values["amount"] = parse_pence(padded[41:50])
        except ValueError as error:
            all_amounts_read = False
            rows.append(ParsedRow(number, line, values=values, error=str(error)))
            continue
        total += values["amount"]
        try:
            values["paid_on"] = datetime.strptime(padded[1:9], "%Y%m%d").date()
        except ValueError:
            rows.append(ParsedRow(number, line, values=values, error=f"Date {padded[1:9]!r} is not YYYYMMDD"))
            continue
        try:
            _check_amount(values["amount"])
            datetime.strptime(padded[9:15], "%H%M%S")
        except ValueError as error:
            message = str(error) if "Amount" in str(error) else f"Time {padded[9:15]!r} is not HHMMSS"
            rows.append(ParsedRow(number, line, values=values, error=message))
            continue
        values["reference"] = values["barcode"]
        rows.append(ParsedRow(number, line, values=values))
    trailer = records[-1][1].ljust(80)
    try:
        count, pence = int(trailer[1:8]), Decimal(int(trailer[8:20])) / 100
    except ValueError:
        raise FileRefused("The trailer record (T) is not readable: ask for the file again") from None
    if count != len(details) or (all_amounts_read and pence != total):
        raise FileRefused(
            f"The trailer says {count} payments of £{pence:.2f} but the file holds {len(details)} of £{total:.2f}: "
            "it is incomplete or damaged; ask for it again"
        )
    return rows


def parse_paypoint(text: str) -> list[ParsedRow]:
    required = {
        name: (name,)
        for name in ("transaction_id", "site_id", "transaction_date", "transaction_time", "barcode", "amount_pence")
    }
    rows = []
    for number, line, cells in _csv_rows(text, required=required):
        if cells is None:
            rows.append(ParsedRow(number, line, error="The line has fewer columns than the header"))
            continue
        values = {
            "transaction_id": cells["transaction_id"].strip()[:60],
            "outlet": cells["site_id"].strip()[:20],
            "barcode": cells["barcode"].strip()[:30],
        }
        try:
            if not values["transaction_id"]:
                raise ValueError("The transaction has no transaction_id")
            values["paid_on"] = parse_day(cells["transaction_date"])
            values["transaction_time"] = parse_time(cells["transaction_time"])
            values["amount"] = parse_pence(cells["amount_pence"])
            _check_amount(values["amount"])
        except ValueError as error:
            rows.append(ParsedRow(number, line, values={**values, "cells": _readable(cells)}, error=str(error)))
            continue
        values["reference"] = values["barcode"]
        rows.append(ParsedRow(number, line, values=values))
    return rows


PARSERS = {"bank": parse_bank, "post_office": parse_post_office, "paypoint": parse_paypoint}


def parse(source: str, content: bytes) -> list[ParsedRow]:
    if source not in PARSERS:
        raise FileRefused(f"{source!r} is not a payment file source: use {', '.join(PARSERS)}")
    rows = PARSERS[source](decode(content))
    if not rows:
        raise FileRefused("The file holds no payments")
    return rows
