"""An account's charge for a financial year, made of pieces: stretches of the year with one set of facts.

A liability period is cut wherever what applies changes: a discount granted from 14 June, a band changed from
1 October, a long-term empty premium that rises when the dwelling has been empty five years. Each piece is
charged by the engine for its days (daily apportionment, LGFA 1992 s.10 and LGFA 1988 s.43), and the year's
charge is the sum of the pieces' charges. Most dwellings share their inputs, so engine results are memoised:
inputs are frozen dataclasses of tuples, hashable.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from borough.core.calc.money import format_gbp
from borough.revenues.calc.business_rates import BusinessRatesInput, BusinessRatesResult, business_rates_charge
from borough.revenues.calc.council_tax import CouncilTaxInput, CouncilTaxResult, council_tax_charge
from borough.revenues.calc.errors import InputError

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ChargePiece:
    """One stretch of the year with one set of facts. `given.liability_start`/`liability_end` are `start`/`end`."""

    start: date  # inclusive, inside the financial year
    end: date  # inclusive
    given: CouncilTaxInput | BusinessRatesInput
    notes: tuple[str, ...] = ()  # what applies here, in plain words ("Single person discount (25%)")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class PieceCharge:
    piece: ChargePiece
    result: CouncilTaxResult | BusinessRatesResult
    charge: Decimal


@dataclass(frozen=True)
class YearCharge:
    financial_year: str
    charge: Decimal
    pieces: tuple[PieceCharge, ...]
    steps: tuple[str, ...]


@lru_cache(maxsize=65536)
def piece_result(given: CouncilTaxInput | BusinessRatesInput) -> CouncilTaxResult | BusinessRatesResult:
    """The engine's result for one piece (memoised: a council's dwellings share a few hundred distinct inputs)."""
    if isinstance(given, CouncilTaxInput):
        return council_tax_charge(given)
    return business_rates_charge(given)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def year_charge(financial_year: str, pieces: Sequence[ChargePiece]) -> YearCharge:
    """Charge each piece and add them up. No pieces (not liable in the year): nothing to pay."""
    charged: list[PieceCharge] = []
    steps: list[str] = []
    ordered = sorted(pieces, key=lambda piece: piece.start)
    for index, piece in enumerate(ordered):
        if piece.given.financial_year != financial_year:
            raise InputError("financial_year", f"a piece of {piece.given.financial_year} in {financial_year}")
        if (piece.given.liability_start, piece.given.liability_end) != (piece.start, piece.end):
            raise InputError("liability_start", "a piece's input must cover exactly the piece's days")
        if index and piece.start <= ordered[index - 1].end:
            raise InputError("liability_start", f"pieces overlap on {piece.start.isoformat()}")
        result = piece_result(piece.given)
        charge = result.charge if isinstance(result, CouncilTaxResult) else result.net_charge
        charged.append(PieceCharge(piece, result, charge))
        if len(ordered) > 1:
            about = f" ({'; '.join(piece.notes)})" if piece.notes else ""
            steps.append(f"From {_long(piece.start)} to {_long(piece.end)}{about}:")
        steps.extend(result.steps)
    total = sum((item.charge for item in charged), ZERO)
    if len(charged) > 1:
        parts = " + ".join(format_gbp(item.charge) for item in charged)
        steps.append(f"Charge for {financial_year}: {parts} = {format_gbp(total)}.")
    elif not charged:
        steps.append(f"Not liable in {financial_year}: nothing to pay.")
    return YearCharge(financial_year, total, tuple(charged), tuple(steps))
