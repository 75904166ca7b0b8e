"""BACS Standard 18 files (pure: no Django): the writer for AUDDIS (mandates) and collection files, and a reader.

The layout, as Bacs submissions carry it, a record a line (CRLF), with 106-character data records (the
"multi-processing-day" form: each data record carries its own processing day) and 80-character labels:

    VOL1  1-4 "VOL1" | 5-10 serial | 11 blank | 12-41 blanks | 42-47 service user number | 48-79 blanks | 80 "1"
    HDR1  1-4 "HDR1" | 5 "A" | 6-11 SUN | 12 "S" | 13-15 blanks | 16-21 SUN | 22-27 serial | 28-31 "0001"
          (section) | 32-35 "0001" (sequence) | 36-41 blanks | 42-47 creation day | 48-53 expiry day | 54 blank |
          55-60 "000000" (block count) | 61-80 blanks
    HDR2  1-4 "HDR2" | 5 "F" | 6-10 "02000" (block length) | 11-15 "00106" (record length) | 16-50 blanks |
          51-52 "00" | 53-80 blanks
    UHL1  1-4 "UHL1" | 5-10 processing day | 11-16 "999999" | 17-20 blanks | 21-22 "00" (sterling) |
          23-28 "000000" | 29-37 work code "4 MULTI  " | 38-40 file number | 41-80 blanks
    data  1-6 destination sort code | 7-14 destination account number | 15 "0" (account type) |
          16-17 transaction code | 18-23 originating sort code | 24-31 originating account number |
          32-35 blanks (free format) | 36-46 amount in pence, 11 digits zero filled | 47-64 originator's name |
          65-82 reference (the mandate's) | 83-100 destination account name (the payer) | 101-106 processing day
    contra (one per processing day, balancing the debits) the originator's own account as destination and
          origin, code 99 (a credit: the contra of debits), amount the day's total, 65-82 "CONTRA"; a refund
          (credit) file is the mirror: each refund a code 99 record crediting the payee's account, and a contra
          per processing day of code 17 debiting the council's own account with the day's total
    EOF1/EOF2  HDR1/HDR2 with the label changed
    UTL1  1-4 "UTL1" | 5-17 debit total pence | 18-30 credit total pence | 31-37 debit count | 38-44 credit count
          | 45-52 blanks | 53-59 DDI count (AUDDIS instructions) | 60-80 blanks
Days are Bacs "bYYDDD": a blank, the year's last two digits and the day of the year ("2026-04-01" is " 26091").
Codes: 0N new instruction and 0C cancellation (AUDDIS, amount zero, no contra), 01 first collection,
17 regular collection (and the contra of credits), 18 re-presentation, 19 final collection, 99 credit (a refund
to a payee, or the contra of debits).
Text fields use the Bacs character set: capitals, digits, space and . & / - (anything else becomes a space).

Sources used (2026-11): the HSBC "Message Implementation Guide: BACS Standard 18" (August 2012; VOL, HDR1, HDR2,
UHL1, standard and contra record tables), as transcribed by MYOB's "Settings of the BACS HSBC file"
(help.myob.com.au); the Access Group Dimensions help "BACS export file details" (help-dimensions.theaccessgroup.com,
the VOL1 line); the Bacs Standard 18 notes of tracey-stobbs/bacs-file-data-generator (docs/FileFormats/
BacsStandard.md: daily 100 vs multi 106 record lengths, UHL1 work codes, contra and UTL1 fields); and the
transaction codes as Unified Software (unifiedsoftware.co.uk/bacs-transaction-codes) and PT-X's help centre list
them (01 first, 17 regular, 18 re-presented, 19 final; 0N/0C/0S instructions; 99 credit or debit contra).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

RECORD_LENGTH = 106
LABEL_LENGTH = 80
NEW_INSTRUCTION, CANCEL_INSTRUCTION = "0N", "0C"
FIRST, REGULAR, REPRESENTED, FINAL = "01", "17", "18", "19"
CREDIT = "99"
DEBIT_CODES = (FIRST, REGULAR, REPRESENTED, FINAL)
INSTRUCTION_CODES = (NEW_INSTRUCTION, CANCEL_INSTRUCTION)
MAX_PENCE = 10**11 - 1


class BacsError(ValueError):
    """A value that cannot go into a Standard 18 file, named."""


@dataclass(frozen=True)
class Originator:
    service_user_number: str  # 6 digits
    sort_code: str
    account_number: str
    name: str  # up to 18 characters


@dataclass(frozen=True)
class Instruction:
    sort_code: str
    account_number: str
    payer_name: str
    reference: str
    code: str
    pence: int  # 0 for 0N/0C
    processing_day: date


def bacs_text(value: str, width: int) -> str:
    """Upper case in the Bacs character set, cut and padded to the width."""
    text = re.sub(r"[^A-Z0-9 .&/-]", " ", (value or "").upper())
    return text[:width].ljust(width)


def bacs_day(day: date) -> str:
    return f" {day.year % 100:02d}{day.timetuple().tm_yday:03d}"


def parse_bacs_day(text: str) -> date:
    if len(text) != 6 or text[0] != " " or not text[1:].isdigit():
        raise BacsError(f"{text!r} is not a Bacs day (bYYDDD)")
    return date(2000 + int(text[1:3]), 1, 1) + timedelta(days=int(text[3:]) - 1)


def _digits(value: str, width: int, what: str) -> str:
    if not (isinstance(value, str) and len(value) == width and value.isascii() and value.isdigit()):
        raise BacsError(f"The {what} must be {width} digits, not {value!r}")
    return value


def _pence(value: int, width: int, what: str) -> str:
    if value < 0 or value >= 10**width:
        raise BacsError(f"The {what} ({value} pence) does not fit in {width} digits")
    return f"{value:0{width}d}"


def data_record(originator: Originator, item: Instruction) -> str:
    if item.code not in (*DEBIT_CODES, *INSTRUCTION_CODES, CREDIT):
        raise BacsError(f"{item.code!r} is not a transaction code this service sends")
    if item.code in INSTRUCTION_CODES and item.pence != 0:
        raise BacsError("An instruction (0N/0C) carries an amount of zero")
    if item.code in DEBIT_CODES and item.pence <= 0:
        raise BacsError("A collection must be for more than zero")
    if item.code == CREDIT and item.pence <= 0:
        raise BacsError("A credit must be for more than zero")
    reference = bacs_text(item.reference, 18)
    if item.code != CREDIT and len(reference.strip()) < 6:
        raise BacsError(f"The reference {item.reference!r} must have at least 6 characters")
    record = (
        _digits(item.sort_code, 6, "payer's sort code")
        + _digits(item.account_number, 8, "payer's account number")
        + "0"
        + item.code
        + _digits(originator.sort_code, 6, "council's sort code")
        + _digits(originator.account_number, 8, "council's account number")
        + " " * 4
        + _pence(item.pence, 11, "amount")
        + bacs_text(originator.name, 18)
        + reference
        + bacs_text(item.payer_name, 18)
        + bacs_day(item.processing_day)
    )
    assert len(record) == RECORD_LENGTH
    return record


def contra_record(originator: Originator, pence: int, processing_day: date, code: str = CREDIT) -> str:
    """The originator's own account, balancing a day's records: 99 (a credit) against debits, 17 (a debit)
    against credits."""
    item = Instruction(
        sort_code=originator.sort_code,
        account_number=originator.account_number,
        payer_name=originator.name,
        reference="CONTRA",
        code=code,
        pence=pence,
        processing_day=processing_day,
    )
    return data_record(originator, item)


def _labels(originator: Originator, serial: str, created_on: date, processing_day: date, file_number: int):
    sun = _digits(originator.service_user_number, 6, "service user number")
    if not re.fullmatch(r"[A-Z0-9]{6}", serial or ""):
        raise BacsError(f"The serial must be 6 capital letters or digits, not {serial!r}")
    if not 1 <= file_number <= 999:
        raise BacsError("The file number is 1 to 999")
    expiry = bacs_day(processing_day + timedelta(days=7))
    vol1 = "VOL1" + serial + " " + " " * 30 + sun + " " * 32 + "1"
    hdr1 = (
        "HDR1A" + sun + "S" + " " * 3 + sun + serial + "0001" + "0001" + " " * 6
        + bacs_day(created_on) + expiry + " " + "000000" + " " * 20
    )  # fmt: skip
    hdr2 = "HDR2F" + "02000" + f"{RECORD_LENGTH:05d}" + " " * 35 + "00" + " " * 28
    uhl1 = (
        "UHL1" + bacs_day(processing_day) + "999999" + " " * 4 + "00" + "000000" + "4 MULTI  "
        + f"{file_number:03d}" + " " * 40
    )  # fmt: skip
    for label in (vol1, hdr1, hdr2, uhl1):
        assert len(label) == LABEL_LENGTH, label
    return vol1, hdr1, hdr2, uhl1


def standard18_file(
    *,
    originator: Originator,
    serial: str,
    created_on: date,
    processing_day: date,
    instructions: list[Instruction],
    file_number: int = 1,
) -> str:
    """The whole file: labels, the data records, a contra per processing day for the debits (99) and one for the
    credits (17), trailers. UTL1 counts and totals every debit (contras 17 included) and every credit (99)."""
    if not instructions:
        raise BacsError("A file needs at least one record")
    vol1, hdr1, hdr2, uhl1 = _labels(originator, serial, created_on, processing_day, file_number)
    records = [data_record(originator, item) for item in instructions]
    debit_days: dict[date, int] = {}
    credit_days: dict[date, int] = {}
    for item in instructions:
        days = debit_days if item.code in DEBIT_CODES else credit_days if item.code == CREDIT else None
        if days is not None:
            days[item.processing_day] = days.get(item.processing_day, 0) + item.pence
    contras = [contra_record(originator, pence, day) for day, pence in sorted(debit_days.items())]
    contras += [contra_record(originator, pence, day, REGULAR) for day, pence in sorted(credit_days.items())]
    debit_total = credit_total = sum(debit_days.values()) + sum(credit_days.values())
    debit_count = sum(1 for item in instructions if item.code in DEBIT_CODES) + len(credit_days)
    credit_count = sum(1 for item in instructions if item.code == CREDIT) + len(debit_days)
    ddi_count = sum(1 for item in instructions if item.code in INSTRUCTION_CODES)
    utl1 = (
        "UTL1" + _pence(debit_total, 13, "debit total") + _pence(credit_total, 13, "credit total")
        + f"{debit_count:07d}" + f"{credit_count:07d}" + " " * 8 + f"{ddi_count:07d}" + " " * 21
    )  # fmt: skip
    assert len(utl1) == LABEL_LENGTH
    lines = [vol1, hdr1, hdr2, uhl1, *records, *contras, "EOF1" + hdr1[4:], "EOF2" + hdr2[4:], utl1]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Record:
    """A data or contra record read back."""

    sort_code: str
    account_number: str
    code: str
    originating_sort_code: str
    originating_account_number: str
    pence: int
    originator_name: str
    reference: str
    payer_name: str
    processing_day: date


def read_record(line: str) -> Record:
    if len(line) != RECORD_LENGTH:
        raise BacsError(f"A data record is {RECORD_LENGTH} characters, this one {len(line)}")
    return Record(
        sort_code=line[0:6],
        account_number=line[6:14],
        code=line[15:17],
        originating_sort_code=line[17:23],
        originating_account_number=line[23:31],
        pence=int(line[35:46]),
        originator_name=line[46:64].rstrip(),
        reference=line[64:82].rstrip(),
        payer_name=line[82:100].rstrip(),
        processing_day=parse_bacs_day(line[100:106]),
    )


@dataclass(frozen=True)
class Standard18:
    labels: dict[str, str]
    records: list[Record]  # data records, contras included (reference "CONTRA")


def read_standard18(text: str) -> Standard18:
    """Read a file back, checking its structure and that UTL1's totals and counts agree with its records."""
    lines = text.splitlines()  # CRLF as written, or LF after a text-mode copy
    order = ["VOL1", "HDR1", "HDR2", "UHL1"]
    if [line[:4] for line in lines[:4]] != order or [line[:4] for line in lines[-3:]] != ["EOF1", "EOF2", "UTL1"]:
        raise BacsError("The file does not have the VOL1, HDR1, HDR2, UHL1 ... EOF1, EOF2, UTL1 labels")
    labels = {line[:4]: line for line in lines[:4] + lines[-3:]}
    if any(len(label) != LABEL_LENGTH for label in labels.values()):
        raise BacsError(f"Labels are {LABEL_LENGTH} characters")
    records = [read_record(line) for line in lines[4:-3]]
    utl1 = labels["UTL1"]
    debits = [r for r in records if r.code in DEBIT_CODES]
    credits = [r for r in records if r.code == CREDIT]
    instructions = [r for r in records if r.code in INSTRUCTION_CODES]
    checks = [
        (int(utl1[4:17]), sum(r.pence for r in debits), "debit total"),
        (int(utl1[17:30]), sum(r.pence for r in credits), "credit total"),
        (int(utl1[30:37]), len(debits), "debit count"),
        (int(utl1[37:44]), len(credits), "credit count"),
        (int(utl1[52:59]), len(instructions), "instruction count"),
    ]
    for stated, counted, what in checks:
        if stated != counted:
            raise BacsError(f"UTL1's {what} is {stated}, the records make {counted}")
    return Standard18(labels=labels, records=records)
