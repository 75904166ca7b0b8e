"""A bill from a year's charge: the amounts, the instalment plan and what the bill prints (`detail`).

No database here: the caller reads the account's facts (one account for a service, a chunk of them at once for
the annual run) and the year's charge (borough.revenues.calc.year_charge), and this makes the bill's fields.
Results that repeat across a council (the same plan for the same charge, the same piece for the same band and
parish) are kept, which is most of what lets a council be billed in seconds.

When the first instalment falls due:
- an annual bill: on the tenant's first instalment day (1 April unless chosen later), never before the account's
  liability starts, and never sooner than 14 days after the bill is issued;
- an amended bill: on the same day of the month as the year's instalments, in the first month where that day is
  at least 14 days after issue. The 14 days: CT (A&E) Regs 1992 reg. 20(2) with Sch. 1 Part I, and the NNDR
  (Collection and Enforcement) (Local Lists) Regs 1989 reg. 7(2) for rates (an instalment may not fall due
  sooner than 14 days after the notice is issued).
Council tax is planned by calc.instalments.instalment_plan, business rates by calc.ndr_instalments
(NNDR Regs 1989 Sch. 1: a £50 minimum instalment, dates running to March).
"""

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from json.encoder import encode_basestring as _string  # the C encoder, as json.dumps uses
from typing import Any

from borough.core.calc.money import format_gbp
from borough.revenues.calc.instalments import instalment_plan
from borough.revenues.calc.ndr_instalments import ndr_instalment_plan
from borough.revenues.calc.params import FinancialYear

ZERO = Decimal("0.00")
NOTICE_DAYS = 14
KEPT_PIECES = 50_000


@dataclass(frozen=True)
class AccountFacts:
    """What a bill prints about the account and its property, read by the caller."""

    number: str
    address: str
    voa_reference: str
    liable: tuple[str, ...]
    correspondence_address: str = ""
    band: str | None = None  # a dwelling
    rateable_value: Decimal | None = None  # a business property
    parish: str = ""
    scheme: int = 10
    ebilling: bool = False  # the taxpayer opted into bills by email


@dataclass
class BillDraft:
    charge: Decimal
    credited: Decimal
    balance: Decimal
    scheme: int
    instalments: list[list[str]]
    detail: dict[str, Any]
    steps: list[str] = field(default_factory=list)


@cache
def _year(financial_year: str) -> FinancialYear:
    return FinancialYear.parse(financial_year)


def _text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def first_due_date(
    *,
    financial_year: str,
    issued_on: date,
    amended: bool,
    liability_start: date | None = None,
    first_instalment_date: date | None = None,
) -> date:
    """The day the first instalment falls due (see the module's docstring). May fall after the year's end when
    a bill is issued in its last fortnight: the caller then asks for one instalment."""
    year = _year(financial_year)
    usual = first_instalment_date or year.start
    earliest = issued_on + timedelta(days=NOTICE_DAYS)
    if not amended:
        return max(usual, liability_start or year.start, earliest)
    # The year's instalment day, in the first month that leaves the 14 days' notice.
    candidate = _day_of_month(earliest.year, earliest.month, usual.day)
    if candidate < earliest:
        following = date(earliest.year, earliest.month, 28) + timedelta(days=4)
        candidate = _day_of_month(following.year, following.month, usual.day)
    return max(candidate, liability_start or year.start)


def _day_of_month(year: int, month: int, wanted: int) -> date:
    """Day `wanted` of a month, or its last day when the month is shorter."""
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=65536)
def plan_for(
    balance: Decimal,
    scheme: int,
    first_due: date,
    financial_year: str,
    business_rates_issued_on: date | None = None,
) -> tuple[tuple, tuple[str, ...]]:
    """The instalments ([due, amount] as text) that collect `balance`, and their steps; kept, since a council
    has far fewer distinct balances than accounts. A business rates bill gives its issue date (its rules
    depend on it); a council tax bill gives none."""
    year = _year(financial_year)
    if balance < 0:
        return (), (
            f"Paid {format_gbp(-balance)} more than the charge: that is a credit, to be refunded or "
            "set against another year on request (CT (A&E) Regs 1992 reg. 31).",
        )
    if balance == 0:
        return (), ("Nothing more to pay for the year.",)
    if first_due > year.end:
        return ((first_due.isoformat(), _text(balance)),), (
            f"Issued too late in {year.name} for instalments: {format_gbp(balance)} is due in one sum on "
            f"{first_due.day} {first_due:%B %Y}, 14 days after the bill.",
        )
    if business_rates_issued_on is not None:
        plan, steps = ndr_instalment_plan(
            balance, scheme=scheme, first_due=first_due, issued_on=business_rates_issued_on, year=year
        )
    else:
        plan, steps = instalment_plan(balance, scheme=scheme, first_due=first_due, year=year)
    return tuple((i.due_date.isoformat(), _text(i.amount)) for i in plan), steps


def _shares(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, in pennies that add up exactly (the largest remainders first)."""
    whole = sum(weights, ZERO)
    if whole == 0 or total == 0:
        return [ZERO for _ in weights]
    pennies = int(total * 100)
    exact = [Decimal(pennies) * w / whole for w in weights]
    floors = [int(e) for e in exact]
    left = pennies - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(p) / 100 for p in floors]


class DetailBuilder:
    """Builds bills' `detail` (shape: the Bill model's docstring), keeping each piece's part: a chunk of a
    council has only so many distinct (period, band, parish, reductions). `authority_kinds` maps an authority's name to
    its precept kind ("billing", "county", "parish", ...).

    A piece's part is kept by its engine result and notes: year_charge memoises results by their input (which
    holds the period and everything charged), so the same result object means the same piece. The result is kept
    with it, so its id cannot be reused while the entry lives. `detail_json` writes the same detail as JSON text from
    kept fragments, for the bulk writer."""

    def __init__(self, authority_kinds: dict[str, str] | None = None):
        self.authority_kinds = authority_kinds or {}
        self._pieces: dict[tuple, tuple[Any, dict[str, Any], str]] = {}
        self._authorities: dict[int, tuple[Any, list[dict[str, str]], str]] = {}
        self._texts: dict[tuple, str] = {}
        self._encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def _piece_kept(self, piece_charge) -> tuple[Any, dict[str, Any], str]:
        key = (id(piece_charge.result), piece_charge.piece.notes)
        kept = self._pieces.get(key)
        if kept is None or kept[0] is not piece_charge.result:
            if len(self._pieces) >= KEPT_PIECES:  # bounded: a council with many distinct pieces starts afresh
                self._pieces.clear()
                self._authorities.clear()
                self._texts.clear()
            part = self._piece(piece_charge)
            kept = self._pieces[key] = (piece_charge.result, part, self._encode(part))
        return kept

    def piece(self, piece_charge) -> dict[str, Any]:
        return self._piece_kept(piece_charge)[1]

    @staticmethod
    def _piece(piece_charge) -> dict[str, Any]:
        piece, result, charge = piece_charge.piece, piece_charge.result, piece_charge.charge
        given = piece.given
        out: dict[str, Any] = {
            "start": piece.start.isoformat(),
            "end": piece.end.isoformat(),
            "days": (piece.end - piece.start).days + 1,
        }
        if hasattr(given, "band"):
            out["band"] = given.band
            amounts = [Decimal(p.band_d) for p in given.band_d]
            shares = _shares(charge, amounts)
            out["authorities"] = [
                {"authority": p.authority, "band_d": _text(p.band_d), "amount": _text(share)}
                for p, share in zip(given.band_d, shares, strict=True)
            ]
            out["annual"] = _text(result.annual_charge)
            out["reliefs"] = []
        else:
            out["rateable_value"] = f"{Decimal(given.rateable_value):.0f}"
            out["authorities"] = []
            out["annual"] = _text(getattr(result, "annual_net_charge", result.net_charge))
            out["reliefs"] = [{"name": r.name, "amount": _text(r.amount)} for r in result.reliefs]
        out["charge"] = _text(charge)
        out["notes"] = list(piece.notes)
        return out

    def _authorities_kept(self, piece_charge) -> tuple[Any, list[dict[str, str]], str]:
        """The year's amount of each authority for the band (of the last piece: the band the bill is for)."""
        result = piece_charge.result
        kept = self._authorities.get(id(result))
        if kept is None or kept[0] is not result:
            band_amounts = getattr(result, "band_amounts", ())
            rows = (
                [
                    {
                        "authority": precept.authority,
                        "kind": self.authority_kinds.get(precept.authority, ""),
                        "band_d": _text(precept.band_d),
                        "band_amount": _text(amount.amount),
                    }
                    for precept, amount in zip(piece_charge.piece.given.band_d, band_amounts, strict=True)
                ]
                if band_amounts
                else []
            )
            kept = self._authorities[id(result)] = (result, rows, self._encode(rows))
        return kept

    @staticmethod
    def _property(facts: AccountFacts) -> dict[str, Any]:
        prop: dict[str, Any] = {"address": facts.address, "parish": facts.parish, "voa_reference": facts.voa_reference}
        if facts.rateable_value is not None:
            prop["rateable_value"] = f"{facts.rateable_value:.0f}"
        else:
            prop["band"] = facts.band
        return prop

    def detail(self, facts: AccountFacts, year_charge) -> dict[str, Any]:
        pieces = year_charge.pieces
        return {
            "property": self._property(facts),
            "liable": list(facts.liable),
            "correspondence_address": facts.correspondence_address,
            "pieces": [self.piece(piece) for piece in pieces],
            "authorities": self._authorities_kept(pieces[-1])[1] if pieces else [],
        }

    def kept_json(self, value: tuple) -> str:
        """A tuple (of strings, or of tuples of strings) as JSON text, kept: plans and steps repeat."""
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = self._encode(value)
        return text

    def detail_json(self, facts: AccountFacts, year_charge) -> str:
        """`detail` as JSON text, the same document as json.dumps(detail(...)), written from kept fragments and
        the C string encoder (a bill's own fields are only strings)."""
        pieces = year_charge.pieces
        if facts.rateable_value is not None:
            value = f',"rateable_value":"{facts.rateable_value:.0f}"'
        else:
            value = ',"band":' + _string(facts.band or "")
        return (
            '{"property":{"address":' + _string(facts.address) + ',"parish":' + _string(facts.parish)
            + ',"voa_reference":' + _string(facts.voa_reference) + value
            + '},"liable":[' + ",".join(_string(name) for name in facts.liable)
            + '],"correspondence_address":' + _string(facts.correspondence_address)
            + ',"pieces":[' + ",".join(self._piece_kept(piece)[2] for piece in pieces)
            + '],"authorities":' + (self._authorities_kept(pieces[-1])[2] if pieces else "[]")
            + "}"
        )  # fmt: skip


def bill_draft(
    *,
    facts: AccountFacts,
    year_charge,
    issued_on: date,
    credited: Decimal = ZERO,
    amended: bool = False,
    first_instalment_date: date | None = None,
    builder: DetailBuilder | None = None,
    as_json: bool = False,
) -> BillDraft:
    """The bill for `year_charge` (borough.revenues.calc.year_charge.YearCharge) of one account. With
    `as_json`, instalments, detail and steps come as JSON text (for the bulk writer)."""
    builder = builder or DetailBuilder()
    charge = year_charge.charge
    balance = charge - credited
    liability_start = year_charge.pieces[0].piece.start if year_charge.pieces else None
    first_due = first_due_date(
        financial_year=year_charge.financial_year,
        issued_on=issued_on,
        amended=amended,
        liability_start=liability_start,
        first_instalment_date=first_instalment_date,
    )
    rates_issued_on = issued_on if facts.rateable_value is not None else None
    plan, plan_steps = plan_for(balance, facts.scheme, first_due, year_charge.financial_year, rates_issued_on)
    steps = (*year_charge.steps, *(_credited_steps(charge, credited, balance) if credited else ()), *plan_steps)
    if as_json:
        return BillDraft(
            charge=charge,
            credited=credited,
            balance=balance,
            scheme=facts.scheme,
            instalments=builder.kept_json(plan),
            detail=builder.detail_json(facts, year_charge),
            steps=builder.kept_json(steps),
        )
    return BillDraft(
        charge=charge,
        credited=credited,
        balance=balance,
        scheme=facts.scheme,
        instalments=[list(row) for row in plan],
        detail=builder.detail(facts, year_charge),
        steps=list(steps),
    )


def _credited_steps(charge: Decimal, credited: Decimal, balance: Decimal) -> tuple[str]:
    return (
        f"Already paid or credited for the year: {format_gbp(credited)}, so {format_gbp(charge)} − "
        f"{format_gbp(credited)} = {format_gbp(balance)} {'to pay' if balance >= 0 else 'in credit'}.",
    )
