"""What a bill prints, from the bill (its `detail`: see the Bill model), the council's revenues settings and
the previous year's precepts, gathered into a template context.

`DocumentFacts` holds what is the same for every bill of a council and year (who the council is, last year's band D
amounts): the print run reads it once per chunk, not once per bill.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from borough.revenues.calc.params import FinancialYear
from borough.revenues.documents.explanation import amendment_reason, bill_explanation
from borough.revenues.documents.wording import ZERO, day, gbp, money
from borough.revenues.models import Bill, Precept, RevenuesSettings
from borough.tenancy.models import Tenant

KIND_LABELS = dict(Precept.Kind.choices)
POSTCODE_LINE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class DocumentFacts:
    council: dict[str, str]
    country: str
    # Last year's band D by (kind, authority): the bill shows each authority's change.
    previous_band_d: dict[tuple[str, str], Decimal] = field(default_factory=dict)


def previous_year(financial_year: str) -> str:
    start = FinancialYear.parse(financial_year).start.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def document_facts(*, tenant: Tenant, financial_year: str) -> DocumentFacts:
    settings = RevenuesSettings.objects.filter(tenant=tenant).first()
    domain = tenant.domains.first()
    council = {
        "name": (settings.billing_authority_name if settings else "") or tenant.name,
        "address": settings.billing_address if settings else "",
        "phone": settings.enquiries_phone if settings else "",
        "website": f"https://{domain.domain}/" if domain else "",
    }
    previous = Precept.objects.filter(tenant=tenant, financial_year=previous_year(financial_year))
    return DocumentFacts(
        council=council,
        country=settings.country if settings else "england",
        previous_band_d={(p.kind, p.authority): p.band_d for p in previous},
    )


def recipient(bill: Bill) -> dict[str, object]:
    """Who the bill is addressed to, and the lines of the postal address (the correspondence address if the
    account has one, else the property), with the postcode on its own for the mailing house."""
    detail = bill.detail or {}
    names = list(detail.get("liable") or [])
    if not names:
        names = [party.name for party in bill.account.parties.all()]
    correspondence = str(detail.get("correspondence_address") or bill.account.correspondence_address or "")
    if correspondence.strip():
        lines = [line.strip() for line in correspondence.replace(",", "\n").splitlines() if line.strip()]
        postcode = lines[-1].upper() if _is_postcode(lines[-1]) else ""
    else:
        prop = bill.account.property
        lines = [prop.address_line_1, prop.address_line_2, prop.address_line_3, prop.town, prop.postcode]
        lines = [line for line in lines if line]
        postcode = prop.postcode
    return {"names": names, "lines": lines, "postcode": postcode}


def _is_postcode(line: str) -> bool:
    return bool(POSTCODE_LINE.match(line.strip().upper()))


def _percent_change(now: Decimal, before: Decimal | None) -> str:
    if not before:
        return "new this year" if before is not None or now else ""
    change = ((now - before) / before * 100).quantize(Decimal("0.1"))
    return f"{change:+}%" if change else "0.0%"


def authority_rows(bill: Bill, facts: DocumentFacts) -> tuple[list[dict], dict[str, str]]:
    """Each authority's band D this year and last, the change, and the amount for the bill's band; and totals."""
    rows, now_total, before_total, band_total = [], ZERO, ZERO, ZERO
    for authority in (bill.detail or {}).get("authorities") or []:
        kind = authority.get("kind") or ""
        now = money(authority.get("band_d"))
        before = facts.previous_band_d.get((kind, authority["authority"]))
        if before is None:  # renamed (a new police and crime commissioner's title, say): match the kind
            same_kind = [v for (k, _), v in facts.previous_band_d.items() if k == kind and kind != Precept.Kind.PARISH]
            before = same_kind[0] if len(same_kind) == 1 else None
        rows.append(
            {
                "authority": authority["authority"],
                "kind": KIND_LABELS.get(kind, ""),
                "adult_social_care": kind == Precept.Kind.ADULT_SOCIAL_CARE,
                "band_d": gbp(now),
                "previous": gbp(before) if before is not None else "none",
                "change": _percent_change(now, before),
                "band_amount": gbp(authority.get("band_amount")),
            }
        )
        now_total += now
        before_total += before or ZERO
        band_total += money(authority.get("band_amount"))
    totals = {
        "band_d": gbp(now_total),
        "previous": gbp(before_total),
        "change": _percent_change(now_total, before_total or None),
        "band_amount": gbp(band_total),
    }
    return rows, totals


def _piece_rows(pieces: list[dict]) -> list[dict]:
    return [
        {
            "period": f"{day(piece['start'])} to {day(piece['end'])}",
            "days": piece.get("days"),
            "band": piece.get("band"),
            "rateable_value": f"£{int(piece['rateable_value']):,}" if piece.get("rateable_value") else "",
            "notes": [note for note in piece.get("notes") or [] if not note.startswith(("Band ", "Rateable value "))],
            "reliefs": [{"name": r["name"], "amount": gbp(r["amount"])} for r in piece.get("reliefs") or []],
            "annual": gbp(piece.get("annual")),
            "charge": gbp(piece.get("charge")),
        }
        for piece in pieces
    ]


def _earlier(bill: Bill) -> dict | None:
    if bill.kind != Bill.Kind.AMENDED:
        return None
    earlier = Bill.objects.filter(tenant_id=bill.tenant_id, superseded_by=bill).first()
    reason = amendment_reason(bill).rstrip(".")
    if earlier is None:
        return {"number": "", "issued_on": "", "charge": "", "difference": "", "reason": reason}
    return {
        "number": earlier.number,
        "issued_on": day(earlier.issued_on),
        "charge": gbp(earlier.charge),
        "difference": gbp(bill.charge - earlier.charge),
        "reason": reason,
    }


def bill_context(bill: Bill, facts: DocumentFacts | None = None) -> dict[str, object]:
    facts = facts or document_facts(tenant=bill.tenant, financial_year=bill.financial_year)
    detail = bill.detail or {}
    pieces = detail.get("pieces") or []
    prop = detail.get("property") or {}
    is_rates = "rateable_value" in prop or bill.account.hereditament_id is not None
    year = FinancialYear.parse(bill.financial_year)
    what = "Business rates" if is_rates else "Council tax"
    title = f"{'Amended ' + what.lower() if bill.kind == Bill.Kind.AMENDED else what} bill {year.name}"
    period = (
        f"{day(pieces[0]['start'])} to {day(pieces[-1]['end'])}" if pieces else f"{day(year.start)} to {day(year.end)}"
    )
    rows, totals = ([], {}) if is_rates else authority_rows(bill, facts)
    notes = [
        note for piece in pieces for note in piece.get("notes") or [] if not note.startswith(("Band ", "Rateable"))
    ]
    reliefs = [relief for piece in pieces for relief in piece.get("reliefs") or [] if money(relief.get("amount"))]
    return {
        "title": title,
        "bill": bill,
        "is_rates": is_rates,
        "financial_year": year.name,
        "council": facts.council,
        "country": facts.country,
        "valuation_date": "1 April 2003" if facts.country == "wales" else "1 April 1991",
        "recipient": recipient(bill),
        "reference": f"{what} bill {bill.number}, account {bill.account.number}",
        "references": [
            ("Bill number", bill.number),
            ("Account number", bill.account.number),
            ("Date of issue", day(bill.issued_on)),
            ("Period", period),
        ],
        "property": {
            "address": prop.get("address") or bill.account.property.address,
            "band": prop.get("band", ""),
            "rateable_value": f"£{int(prop['rateable_value']):,}" if prop.get("rateable_value") else "",
            "parish": prop.get("parish") or "",
            "voa_reference": prop.get("voa_reference") or "",
        },
        "authorities": rows,
        "totals": totals,
        "pieces": _piece_rows(pieces),
        "has_reductions": bool(notes or reliefs),
        "charge": gbp(bill.charge),
        "credited": gbp(bill.credited) if bill.credited else "",
        "balance": gbp(bill.balance),
        "refund_due": gbp(-bill.balance) if bill.balance < 0 else "",
        "instalments": [{"due": day(due), "amount": gbp(amount)} for due, amount in bill.instalments or []],
        "scheme": bill.scheme,
        "earlier": _earlier(bill),
        "explanation": bill_explanation(bill),
    }
