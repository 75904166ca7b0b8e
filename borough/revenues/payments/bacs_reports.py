"""Bacs reports about direct debit instructions, parsed (pure: bytes in, dataclasses out, no database).

- **ADDACS** (Automated Direct Debit Amendment and Cancellation Service): the payer's bank tells the council that
  an instruction was cancelled, amended (new sort code or account), the payer died, the account moved, etc.
- **AUDDIS report**: instructions the council lodged (0N) or cancelled (0C) that the payer's bank rejected.

Both come as the XML Bacs publishes: `BACSDocument/Data/MessagingAdvices` with a `MessagingHeader` and one
`MessagingAdvice` per advice, whose attributes carry the details: `user-number`, `record-type` ("A" in ADDACS),
`reference`, `payer-name`, `payer-sort-code`, `payer-account-number`, `reason-code`, `effective-date`, and in ADDACS
`payer-new-sort-code`, `payer-new-account-number` (and `payer-new-name` where the bank gives one); an AUDDIS advice
may say which instruction it rejects in `transaction-code` (0N, 0C, 0S). docs/revenues.md says which of these names
were checked against published material.

A report that cannot be read at all raises `ReportRefused`; an advice that cannot be applied as read is returned
with its `problem` set, so the service keeps it for review and loses nothing.
"""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date

ADDACS = "addacs"
AUDDIS = "auddis"

# ADDACS reason codes.
ADDACS_REASONS = {
    "0": "Instruction cancelled by the payer",
    "1": "Instruction cancelled, refer to the payer",
    "2": "Payer deceased",
    "3": "Account transferred, new details given",
    "B": "Account closed",
    "C": "Account transferred to a new bank or building society",
    "D": "Advance notice disputed",
    "E": "Instruction amended",
    "R": "Instruction reinstated",
}
# AUDDIS rejection reason codes.
AUDDIS_REASONS = {
    "1": "Instruction cancelled by the payer",
    "2": "Payer deceased",
    "3": "Account transferred",
    "5": "No account (or wrong account type)",
    "6": "No instruction",
    "B": "Account closed",
    "C": "Account transferred to a new bank or building society",
    "F": "Invalid account type",
    "G": "The bank will not accept direct debits on this account",
    "H": "Instruction has expired",
    "I": "Payer reference is not unique",
    "K": "Instruction cancelled by the paying bank",
    "L": "Incorrect payer's account details",
    "M": "Transaction code and user status incompatible",
    "N": "Transaction disallowed at the payer's branch",
    "O": "Invalid reference",
    "P": "Payer's name not present",
    "Q": "Service user's name blank",
}
REASONS = {ADDACS: ADDACS_REASONS, AUDDIS: AUDDIS_REASONS}
MAX_RAW = 2000


class ReportRefused(ValueError):
    """The report as a whole cannot be read; the message says why."""


@dataclass(frozen=True)
class Advice:
    kind: str  # ADDACS or AUDDIS
    position: int  # 1: the report's first advice
    raw: str  # the advice as the report has it
    reference: str
    reason_code: str
    payer_name: str = ""
    sort_code: str = ""
    account_number: str = ""
    new_payer_name: str = ""
    new_sort_code: str = ""
    new_account_number: str = ""
    effective_date: date | None = None
    transaction_code: str = ""
    user_number: str = ""
    problem: str = ""  # why it cannot be applied as read; empty when it can

    @property
    def reason(self) -> str:
        return REASONS.get(self.kind, {}).get(self.reason_code, "Unknown reason")

    @property
    def has_new_details(self) -> bool:
        return bool(self.new_sort_code or self.new_account_number or self.new_payer_name)

    def values(self) -> dict[str, str]:
        """What the advice says, for the review page (account numbers shown by their last four digits)."""
        shown = {
            "reference": self.reference,
            "reason": f"{self.reason_code} {self.reason}".strip(),
            "payer_name": self.payer_name,
            "sort_code": self.sort_code,
            "account_number": _last_four(self.account_number),
            "new_payer_name": self.new_payer_name,
            "new_sort_code": self.new_sort_code,
            "new_account_number": _last_four(self.new_account_number),
            "effective_date": self.effective_date.isoformat() if self.effective_date else "",
            "transaction_code": self.transaction_code,
        }
        return {key: value for key, value in shown.items() if value}


@dataclass(frozen=True)
class Report:
    kind: str
    service_user_number: str
    report_date: date | None
    advices: tuple[Advice, ...]


def _last_four(number: str) -> str:
    return f"****{number[-4:]}" if number else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attributes(element: ElementTree.Element) -> dict[str, str]:
    return {_local(name).lower(): " ".join(value.split()) for name, value in element.attrib.items()}


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _root(content: bytes) -> ElementTree.Element:
    if not isinstance(content, bytes) or not content.strip():
        raise ReportRefused("The report is empty")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportRefused("The report is not UTF-8 XML") from None
    # Entities are the XML attacks (billion laughs, external entities): a Bacs report declares none.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, flags=re.IGNORECASE):
        raise ReportRefused("The report declares a DOCTYPE or entities: a Bacs report has none")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the declaration names an encoding a str must not carry
    try:
        return ElementTree.fromstring(text)  # noqa: S314 - declarations refused above
    except ElementTree.ParseError as error:
        raise ReportRefused(f"The report is not well-formed XML ({error})") from None


def _elements(root: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [element for element in root.iter() if _local(element.tag) == name]


def _advice(position: int, element: ElementTree.Element, kind: str, service_user_number: str) -> Advice:
    values = _attributes(element)
    raw = ElementTree.tostring(element, encoding="unicode").strip()[:MAX_RAW]
    reference = values.get("reference", "").upper()
    code = values.get("reason-code", "").upper()
    effective = values.get("effective-date", "")
    advice = {
        "kind": kind,
        "position": position,
        "raw": raw,
        "reference": reference[:18],
        "reason_code": code[:2],
        "payer_name": values.get("payer-name", ""),
        "sort_code": _digits(values.get("payer-sort-code", "")),
        "account_number": _digits(values.get("payer-account-number", "")),
        "new_payer_name": values.get("payer-new-name", ""),
        "new_sort_code": _digits(values.get("payer-new-sort-code", "")),
        "new_account_number": _digits(values.get("payer-new-account-number", "")),
        "effective_date": _date(effective),
        "transaction_code": values.get("transaction-code", "").upper(),
        "user_number": values.get("user-number", ""),
    }
    problems = []
    if not reference:
        problems.append("The advice has no reference, so it names no direct debit")
    elif len(reference) > 18:
        problems.append(f"The reference {reference[:30]} is longer than 18 characters")
    if not code:
        problems.append("The advice has no reason code")
    elif code not in REASONS[kind]:
        problems.append(f"Reason code {code[:5]} is not one {'ADDACS' if kind == ADDACS else 'an AUDDIS report'} uses")
    if effective and advice["effective_date"] is None:
        problems.append(f"The effective date {effective[:20]} is not a date")
    if kind == ADDACS and values.get("record-type", "A").upper() != "A":
        problems.append(f"Record type {values['record-type'][:5]} is not an ADDACS advice (A)")
    if service_user_number and advice["user_number"] and advice["user_number"] != service_user_number:
        problems.append(f"The advice is for service user {advice['user_number'][:10]}, not {service_user_number}")
    for label, field, width in (
        ("sort code", "sort_code", 6),
        ("account number", "account_number", 8),
        ("new sort code", "new_sort_code", 6),
        ("new account number", "new_account_number", 8),
    ):
        if advice[field] and not re.fullmatch(rf"\d{{{width}}}", advice[field]):
            problems.append(f"The {label} is not {width} digits")
            advice[field] = ""
    if kind == ADDACS and code == "3" and not (advice["new_sort_code"] or advice["new_account_number"]):
        problems.append("Reason 3 gives the new account details, and this advice has none")
    return Advice(**advice, problem="; ".join(problems))


def parse_report(content: bytes, *, kind: str, service_user_number: str = "") -> Report:
    """Read an ADDACS or AUDDIS report. `service_user_number` (the council's, when known) refuses a report for
    another service user, and marks advices for one. Raises ReportRefused when the report cannot be read."""
    if kind not in REASONS:
        raise ReportRefused(f"Unknown kind of report {kind!r}: use {ADDACS} or {AUDDIS}")
    root = _root(content)
    if _local(root.tag) not in ("BACSDocument", "MessagingAdvices") and not _elements(root, "MessagingAdvices"):
        raise ReportRefused("This is not a Bacs ADDACS or AUDDIS report (no MessagingAdvices element)")
    if _elements(root, "ARUDD"):
        raise ReportRefused("This is an ARUDD report (returned debits): import it on the BACS files page")
    headers = _elements(root, "MessagingHeader")
    header = _attributes(headers[0]) if headers else {}
    user_number = header.get("user-number", "")
    if service_user_number and user_number and user_number != service_user_number:
        raise ReportRefused(
            f"The report is for service user {user_number[:10]}, not this council's {service_user_number}"
        )
    report_date = _date(header.get("report-generation-date", "") or header.get("currentprocessingdate", ""))
    elements = _elements(root, "MessagingAdvice")
    if not elements:
        raise ReportRefused("The report has no advices (no MessagingAdvice element)")
    advices = tuple(
        _advice(position, element, kind, service_user_number or user_number)
        for position, element in enumerate(elements, start=1)
    )
    return Report(kind=kind, service_user_number=user_number, report_date=report_date, advices=advices)
