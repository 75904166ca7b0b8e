"""Bills as billing writes them (the shape of `Bill.detail`, `steps`, `instalments`), made here so the
documents can be tested without running billing; and the band D amounts of two years for the bill's changes."""

from datetime import date
from decimal import Decimal

from borough.revenues.models import Bill
from borough.revenues.services import precept_set

YEAR = "2026-27"
# Band D by authority: last year and this year. Band D here is £2,270.00 (2025-26: £2,166.00).
PRECEPTS = (
    ("billing", "Northfield District Council", "240.00", "250.00"),
    ("county", "Midshire County Council", "1500.00", "1550.00"),
    ("adult_social_care", "Midshire County Council adult social care", "80.00", "100.00"),
    ("police", "Midshire Police and Crime Commissioner", "266.00", "280.00"),
    ("fire", "Midshire Fire and Rescue Authority", "80.00", "90.00"),
)
BAND_RATIO = {"A": Decimal(6) / 9, "B": Decimal(7) / 9, "C": Decimal(8) / 9, "D": Decimal(1)}
_numbers = iter(range(1, 10**6))


def set_precepts(tenant) -> None:
    for kind, authority, last_year, this_year in PRECEPTS:
        precept_set(tenant=tenant, financial_year="2025-26", kind=kind, authority=authority, band_d=last_year)
        precept_set(tenant=tenant, financial_year=YEAR, kind=kind, authority=authority, band_d=this_year)


def _text(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def authorities(band: str) -> list[dict[str, str]]:
    return [
        {
            "authority": authority,
            "kind": kind,
            "band_d": this_year,
            "band_amount": _text(Decimal(this_year) * BAND_RATIO[band]),
        }
        for kind, authority, _last, this_year in PRECEPTS
    ]


def band_total(band: str) -> Decimal:
    return sum((Decimal(a["band_amount"]) for a in authorities(band)), Decimal(0))


def piece(start: date, end: date, band: str, *, annual: Decimal | None = None, notes=(), reliefs=()) -> dict:
    """One stretch of the year as billing writes it: the charge is the annual amount for the days."""
    days = (end - start).days + 1
    annual = band_total(band) if annual is None else annual
    charge = (annual * days / 365).quantize(Decimal("0.01"))
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": days,
        "band": band,
        "authorities": [
            {"authority": a["authority"], "band_d": a["band_d"], "amount": "0.00"} for a in authorities(band)
        ],
        "annual": _text(annual),
        "charge": _text(charge),
        "notes": [f"Band {band}", *notes],
        "reliefs": list(reliefs),
    }


def plan(balance: Decimal, first_due: date, count: int = 10) -> list[list[str]]:
    """Monthly instalments on the same day: whole pounds after the first, the first taking the rest."""
    if count == 1:
        return [[first_due.isoformat(), _text(balance)]]
    rest = (balance / count).quantize(Decimal("1"))
    first = balance - rest * (count - 1)
    dates = [date(first_due.year + (first_due.month - 1 + n) // 12, (first_due.month - 1 + n) % 12 + 1, first_due.day)
             for n in range(count)]  # fmt: skip
    return [[dates[0].isoformat(), _text(first)]] + [[d.isoformat(), _text(rest)] for d in dates[1:]]


def make_bill(
    account,
    pieces: list[dict],
    *,
    kind: str = Bill.Kind.ANNUAL,
    issued_on: date = date(2026, 3, 9),
    credited: Decimal = Decimal("0.00"),
    first_due: date = date(2026, 4, 1),
    instalments: int = 10,
    detail: dict | None = None,
    number: str | None = None,
) -> Bill:
    charge = sum((Decimal(p["charge"]) for p in pieces), Decimal("0.00"))
    balance = charge - credited
    prop = account.property
    is_rates = account.hereditament_id is not None
    property_detail = {"address": prop.address, "parish": "", "voa_reference": prop.voa_reference}
    if is_rates:
        property_detail["rateable_value"] = f"{prop.rateable_value:.0f}"
    else:
        property_detail["band"] = pieces[-1]["band"] if pieces else prop.band
    return Bill.objects.create(
        tenant=account.tenant,
        account=account,
        financial_year=YEAR,
        kind=kind,
        number=number or f"{YEAR}/{account.number}/{next(_numbers)}",
        issued_on=issued_on,
        charge=charge,
        credited=credited,
        balance=balance,
        instalments=plan(balance, first_due, instalments) if balance > 0 else [],
        scheme=instalments,
        detail={
            "property": property_detail,
            "liable": [party.name for party in account.parties.all()],
            "correspondence_address": account.correspondence_address,
            "pieces": pieces,
            "authorities": [] if is_rates else authorities(pieces[-1]["band"]),
            **(detail or {}),
        },
        steps=["Band D amount, all authorities together: £2,270.00."],
    )


FULL_YEAR = (date(2026, 4, 1), date(2027, 3, 31))
