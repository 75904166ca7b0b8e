""" "Why is my bill this amount": a bill in plain words, printed on the bill and shown on web pages.

Short sentences, no section numbers, no jargon a taxpayer would not use. Read from the bill alone (its `detail`,
`Bill.detail`, its amounts and instalments), so the words always match what was charged.
"""

from decimal import Decimal

from borough.revenues.calc.errors import InputError
from borough.revenues.calc.params import FinancialYear, year_parameters
from borough.revenues.documents.wording import ZERO, day, gbp, listed, money, ordinal, sentence_case
from borough.revenues.models import Bill

# Notes the explanation says in its own words (the band, the value, a council tax reduction's amount).
OWN_WORDS = ("Band ", "Rateable value ", "Council tax reduction ")
AMENDED_STEP = "Amended bill: "  # borough.revenues.billing.services.bill_amend


def bill_explanation(bill: Bill) -> list[str]:
    detail = bill.detail or {}
    pieces = detail.get("pieces") or []
    is_rates = "rateable_value" in (detail.get("property") or {})
    lines = _rates_value(bill, pieces) if is_rates else _band(detail, pieces)
    lines += _period(bill.financial_year, pieces)
    lines += _what_applies(pieces, full=_full_year(detail, pieces, is_rates))
    lines.append(
        f"Your business rates for the year are {gbp(bill.charge)}."
        if is_rates
        else f"Your council tax for the year is {gbp(bill.charge)}."
    )
    lines += _amendment(bill)
    lines += _instalments(bill)
    return lines


def _band(detail: dict, pieces: list[dict]) -> list[str]:
    bands = _runs(pieces, "band")
    if not bands:
        return []
    if len(bands) == 1:
        band = bands[0][0]
        lines = [f"Your home is in valuation band {band}."]
    else:
        changes = [f"band {band} from {day(start)}" for band, start in bands]
        lines = [f"Your home's valuation band changed during the year: {listed(changes)}."]
    total = sum((money(a.get("band_amount")) for a in detail.get("authorities") or []), ZERO)
    if total:
        lines.append(
            f"For a whole year in band {bands[-1][0]}, the council tax of all the authorities together is {gbp(total)}."
        )
    return lines


def _rates_value(bill: Bill, pieces: list[dict]) -> list[str]:
    values = _runs(pieces, "rateable_value")
    if not values:
        return []
    if len(values) == 1:
        lines = [f"Your property's rateable value is £{int(values[0][0]):,}."]
    else:
        changes = [f"£{int(value):,} from {day(start)}" for value, start in values]
        lines = [f"Your property's rateable value changed during the year: {listed(changes)}."]
    multiplier = _multiplier(bill, money(values[-1][0]))
    if multiplier is not None:
        gross = (money(values[-1][0]) * multiplier.pence / 100).quantize(Decimal("0.01"))
        lines.append(
            f"It is multiplied by the {multiplier.label} of {multiplier.pence}p in the pound, "
            f"which gives {gbp(gross)} for a whole year before any relief."
        )
    return lines


def _multiplier(bill: Bill, rateable_value: Decimal):
    hereditament = bill.account.hereditament
    rhl = bool(hereditament and hereditament.retail_hospitality_leisure)
    try:
        multipliers = year_parameters(bill.financial_year).business_rates.multipliers
    except InputError:  # a year without a data file: the explanation goes without the multiplier
        return None
    return next((m for m in multipliers if m.applies(rateable_value, rhl)), None)


def _runs(pieces: list[dict], key: str) -> list[tuple[str, str]]:
    """The values of `key` through the year, each with the day it started: [("C", "2026-04-01"), ("D", ...)]."""
    runs: list[tuple[str, str]] = []
    for piece in pieces:
        value = piece.get(key)
        if value is not None and (not runs or runs[-1][0] != value):
            runs.append((value, piece["start"]))
    return runs


def _period(financial_year: str, pieces: list[dict]) -> list[str]:
    if not pieces:
        return ["You are not liable for any part of this year, so there is nothing to pay."]
    year = FinancialYear.parse(financial_year)
    days = sum(int(piece.get("days") or 0) for piece in pieces)
    if days >= year.days:
        return []
    first, last = pieces[0]["start"], pieces[-1]["end"]
    return [
        f"You are liable for {days} of the {year.days} days of the year, from {day(first)} to {day(last)}. "
        "You pay only for those days."
    ]


def _full_year(detail: dict, pieces: list[dict], is_rates: bool) -> Decimal | None:
    """The charge for a whole year with nothing taken off or added, when the bill shows it."""
    if is_rates:
        return None
    total = sum((money(a.get("band_amount")) for a in detail.get("authorities") or []), ZERO)
    return total or None


def _what_applies(pieces: list[dict], *, full: Decimal | None) -> list[str]:
    lines = []
    whole = len(pieces) == 1
    for piece in pieces:
        notes = [note for note in piece.get("notes") or [] if not note.startswith(OWN_WORDS)]
        reliefs = [relief for relief in piece.get("reliefs") or [] if money(relief.get("amount"))]
        reduction = next((n for n in piece.get("notes") or [] if n.startswith("Council tax reduction ")), None)
        when = "" if whole else f"From {day(piece['start'])} to {day(piece['end'])}, "
        annual = money(piece.get("annual"))
        if notes:
            applies = listed([sentence_case(note) for note in notes])
            if not when:  # it opens the sentence
                applies = applies[:1].upper() + applies[1:]
            verb = "apply" if len(notes) > 1 else "applies"
            if annual == 0:
                lines.append(f"{when}{applies} {verb}, so there is nothing to pay for that time.")
            elif full is not None and annual != full:
                change = "instead of" if annual < full else "rather than"
                lines.append(
                    f"{when}{applies} {verb}. That makes the charge {gbp(annual)} a year {change} {gbp(full)}."
                )
            else:
                lines.append(f"{when}{applies} {verb}. The charge for a whole year like this is {gbp(annual)}.")
        elif not whole:
            lines.append(f"{when}the charge for a whole year is {gbp(annual)}.")
        for relief in reliefs:
            lines.append(f"{relief['name']} takes {gbp(relief['amount'])} off.")
        if reduction:
            amount = reduction.removeprefix("Council tax reduction ").strip()
            lines.append(f"Council tax reduction takes {amount} off.")
    return lines


def _amendment(bill: Bill) -> list[str]:
    lines = []
    if bill.kind == Bill.Kind.AMENDED:
        earlier = Bill.objects.filter(tenant_id=bill.tenant_id, superseded_by=bill).first()
        reason = amendment_reason(bill).rstrip(".")
        opening = (
            f"This bill replaces bill {earlier.number} of {day(earlier.issued_on)}"
            if earlier
            else "This bill replaces your earlier bill"
        )
        lines.append(f"{opening}{f' because {sentence_case(reason)}' if reason else ''}.")
        if earlier is not None and earlier.charge != bill.charge:
            way = "gone down" if bill.charge < earlier.charge else "gone up"
            lines.append(f"The charge for the year has {way} from {gbp(earlier.charge)} to {gbp(bill.charge)}.")
    if bill.credited:
        if bill.balance > 0:
            lines.append(
                f"You have already paid {gbp(bill.credited)} towards this year, so {gbp(bill.balance)} is left to pay."
            )
        elif bill.balance == 0:
            lines.append(f"You have already paid {gbp(bill.credited)}, which covers the whole charge.")
        else:
            lines.append(
                f"You have paid {gbp(bill.credited)}, which is {gbp(-bill.balance)} more than the charge. "
                f"We owe you {gbp(-bill.balance)}: contact us to have it paid back to you."
            )
    return lines


def amendment_reason(bill: Bill) -> str:
    """Why an amended bill was issued: `detail["reason"]`, else billing's first step ("Amended bill: <reason>.")."""
    reason = str((bill.detail or {}).get("reason") or "").strip()
    if not reason and bill.steps and str(bill.steps[0]).startswith(AMENDED_STEP):
        reason = str(bill.steps[0]).removeprefix(AMENDED_STEP).strip()
    return reason


def _instalments(bill: Bill) -> list[str]:
    plan = [(due, money(amount)) for due, amount in bill.instalments or []]
    if not plan:
        return [] if bill.balance < 0 or bill.credited else (["There is nothing to pay."] if not bill.charge else [])
    if len(plan) == 1:
        return [f"Pay {gbp(plan[0][1])} by {day(plan[0][0])}."]
    (first_due, first), rest = plan[0], plan[1:]
    if len(rest) == 1:
        second_due, second = rest[0]
        return [f"You pay in 2 instalments: {gbp(first)} on {day(first_due)} and {gbp(second)} on {day(second_due)}."]
    if len({amount for _, amount in rest}) == 1:
        day_of_month = int(rest[0][0][8:10])
        return [
            f"You pay in {len(plan)} monthly instalments: {gbp(first)} on {day(first_due)}, then "
            f"{len(rest)} of {gbp(rest[0][1])} on the {ordinal(day_of_month)} of each month until {day(rest[-1][0])}."
        ]
    return [f"You pay in {len(plan)} monthly instalments, from {day(first_due)} to {day(plan[-1][0])}, as listed."]
