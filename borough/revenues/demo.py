"""Revenues demo data for `make run`: a council's dwellings, accounts, precepts, discounts, bills and payments.

Called by borough.core.demo for each demo council in England (inside its scope, as the demo seed). A few thousand
dwellings are written with bulk_create so the demo seeds in seconds; the records are what the services would
write, and one audit event says the demo made them. The year's precepts go through precept_set. Bills come from
billing's own annual run; payments are written in bulk too (one per account for what fell due, less for the
accounts left in arrears). BOROUGH_DEMO_DWELLINGS sets how many dwellings (a smaller demo
seeds faster). Idempotent: a council with dwellings already is left alone.
"""

import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from borough.core.audit import audit_record
from borough.core.models import ReferenceCounter
from borough.core.runs import run_execute, run_start
from borough.people.models import Person
from borough.revenues.models import (
    Account,
    AccountParty,
    BandHistory,
    Bill,
    Dwelling,
    LedgerEntry,
    LiabilityPeriod,
    Precept,
    Reduction,
    ValueSource,
)
from borough.revenues.portal.catalogue import REVENUES_SERVICES, revenues_service
from borough.revenues.selectors import NotCouncilTaxNation, tenant_country
from borough.revenues.services import ACCOUNT_SEQUENCE, parish_create, precept_set
from borough.revenues.services.search import account_search_keys_refresh

BILLING_YEAR = "2026-27"
METHODS = ("direct_debit",) * 6 + ("bank", "card", "post_office", "paypoint")
LIST_DATE = date(1993, 4, 1)  # the council tax valuation list's compilation date
# England's band mix, roughly (VOA Council Tax: stock of properties, 2025): A to H.
BAND_WEIGHTS = (("A", 24), ("B", 19), ("C", 22), ("D", 15), ("E", 10), ("F", 5), ("G", 4), ("H", 1))
STREET_KINDS = ("Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Gardens", "Crescent", "Grove")
STREET_NAMES = (
    "Mill", "Church", "Station", "Park", "Victoria", "Queens", "Kings", "Manor", "Orchard", "Meadow", "Chapel",
    "School", "Bridge", "Willow", "Beech", "Oak", "Ash", "Elm", "Hawthorn", "Rowan", "Newton", "Windsor", "Albert",
    "Highfield", "Brook", "Spring", "Green", "Castle", "Abbey", "Priory", "Cedar", "Holly", "Laurel", "Poplar",
    "Sycamore", "Chestnut", "Maple", "Heath", "Moor", "Fenwick",
)  # fmt: skip
GIVEN = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Lily", "Freya", "Emily", "Sophie", "Noah", "Oliver",
    "George", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Charlie", "Thomas", "Mohammed", "Aisha", "Priya",
    "Ravi", "Zofia", "Piotr", "Siobhan", "Dylan", "Megan", "Rhys",
)  # fmt: skip
FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan",
    "Hughes", "Edwards", "Hill", "Moore", "Lewis", "Kaur", "Nowak", "Murphy",
)  # fmt: skip


@dataclass(frozen=True)
class DemoCouncil:
    towns: tuple[str, ...]
    postcode_area: str
    dwellings: int
    parishes: tuple[tuple[str, str], ...]  # code, name
    # Band D amounts, 2025-26 then 2026-27: (kind, authority, 2025-26, 2026-27).
    precepts: tuple[tuple[str, str, str, str], ...]
    parish_band_d: tuple[str, ...]  # 2026-27 per parish (2025-26 is 3% less)


COUNCILS = {
    "northfield": DemoCouncil(
        towns=("Northfield", "Little Marsh", "Fenby"),
        postcode_area="NF",
        dwellings=2000,
        parishes=(("LMA", "Little Marsh Parish Council"), ("FEN", "Fenby Town Council")),
        precepts=(
            ("billing", "Northfield District Council", "214.47", "220.88"),
            ("county", "Wessex County Council", "1388.61", "1430.19"),
            ("adult_social_care", "Wessex County Council (adult social care)", "249.30", "277.08"),
            ("police", "Wessex Police and Crime Commissioner", "287.64", "301.64"),
            ("fire", "Wessex Fire and Rescue Authority", "92.13", "97.13"),
        ),
        parish_band_d=("64.20", "118.75"),
    ),
    "southvale": DemoCouncil(
        towns=("Southvale", "Ashby Vale"),
        postcode_area="SV",
        dwellings=1500,
        parishes=(("ASH", "Ashby Vale Parish Council"),),
        precepts=(
            ("billing", "Southvale Borough Council", "198.95", "204.90"),
            ("county", "Mercia County Council", "1502.37", "1547.37"),
            ("adult_social_care", "Mercia County Council (adult social care)", "231.84", "262.15"),
            ("police", "Mercia Police and Crime Commissioner", "269.02", "283.02"),
            ("fire", "Mercia Fire and Rescue Authority", "88.42", "93.42"),
        ),
        parish_band_d=("52.60",),
    ),
}


def _postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code uses
    return f"{area}{rng.randint(1, 4)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _streets(rng: random.Random, council: DemoCouncil) -> list[tuple[str, str, str]]:
    """(street, town, parish code or "") for each street; the first town is unparished."""
    streets = []
    for index, name in enumerate(STREET_NAMES):
        town_index = index % len(council.towns)
        parish = council.parishes[town_index - 1][0] if town_index else ""
        streets.append((f"{name} {rng.choice(STREET_KINDS)}", council.towns[town_index], parish))
    return streets


def _precepts(tenant, council: DemoCouncil, parishes: dict) -> None:
    for kind, authority, last_year, this_year in council.precepts:
        precept_set(tenant=tenant, financial_year="2025-26", kind=kind, authority=authority, band_d=last_year)
        precept_set(tenant=tenant, financial_year=BILLING_YEAR, kind=kind, authority=authority, band_d=this_year)
    for (code, name), amount in zip(council.parishes, council.parish_band_d, strict=True):
        this_year = Decimal(amount)
        last_year = (this_year / Decimal("1.03")).quantize(Decimal("0.01"))
        for year, band_d in (("2025-26", last_year), (BILLING_YEAR, this_year)):
            precept_set(tenant=tenant, financial_year=year, kind="parish", authority=name, band_d=band_d,
                        parish=parishes[code])  # fmt: skip


def _dwellings(tenant, council: DemoCouncil, rng: random.Random, parishes: dict) -> list[Dwelling]:
    streets = _streets(rng, council)
    bands, weights = zip(*BAND_WEIGHTS, strict=True)
    dwellings, numbers = [], dict.fromkeys(range(len(streets)), 0)
    postcodes: dict[tuple[int, int], str] = {}
    for index in range(council.dwellings):
        street_index = rng.randrange(len(streets))
        street, town, parish = streets[street_index]
        numbers[street_index] += 1
        house = numbers[street_index]
        # About fifteen houses share a postcode, as on a real street.
        key = (street_index, house // 15)
        postcode = postcodes.setdefault(key, _postcode(rng, council.postcode_area))
        dwellings.append(
            Dwelling(
                tenant=tenant,
                voa_reference=f"{tenant.slug[:2].upper()}{index + 1:07d}",
                uprn=str(100_000_000_000 + tenant.pk * 1_000_000 + index),
                address_line_1=f"{house} {street}",
                town=town,
                postcode=postcode,
                band=rng.choices(bands, weights)[0],
                band_effective_from=LIST_DATE,
                parish=parishes.get(parish),
            )
        )
    dwellings = Dwelling.objects.bulk_create(dwellings, batch_size=1000)
    BandHistory.objects.bulk_create(
        [
            BandHistory(tenant=tenant, dwelling=d, band=d.band, effective_from=LIST_DATE, source=ValueSource.LIST)
            for d in dwellings
        ],
        batch_size=1000,
    )
    return dwellings


def _name(rng: random.Random, family: str | None = None) -> str:
    return f"{rng.choice(GIVEN)} {family or rng.choice(FAMILY)}"


def _accounts(tenant, dwellings: list[Dwelling], rng: random.Random) -> list[Account]:
    """An account for most dwellings (a few stand empty); numbers continue the tenant's account sequence."""
    occupied = [d for d in dwellings if rng.random() < 0.96]
    accounts = [
        Account(
            tenant=tenant,
            number=f"{tenant.reference_prefix}-{index + 1:06d}",
            dwelling=dwelling,
            instalment_scheme=12 if rng.random() < 0.15 else 10,
        )
        for index, dwelling in enumerate(occupied)
    ]
    accounts = Account.objects.bulk_create(accounts, batch_size=1000)
    ReferenceCounter.objects.update_or_create(
        tenant=tenant, sequence=ACCOUNT_SEQUENCE, defaults={"last_value": len(accounts)}
    )
    return accounts


def _parties_periods_reductions(tenant, accounts: list[Account], rng: random.Random) -> dict[int, bool]:
    """Liable parties (some linked to the demo's people), liability, single person discounts. Returns, per account,
    whether only one adult lives there."""
    people = list(Person.objects.filter(kind=Person.Kind.PERSON, merged_into__isnull=True, anonymised_at__isnull=True))
    parties, periods, reductions, alone = [], [], [], {}
    for index, account in enumerate(accounts):
        family = rng.choice(FAMILY)
        person = people[index] if index < len(people) else None
        first = person.display_name if person else _name(rng, family)
        alone[account.pk] = rng.random() < 0.3
        parties.append(AccountParty(tenant=tenant, account=account, name=first, person=person))
        if not alone[account.pk] and rng.random() < 0.55:
            parties.append(AccountParty(tenant=tenant, account=account, name=_name(rng, family)))
        if rng.random() < 0.06:  # moved in this year
            start = date(2026, 4, 1) + timedelta(days=rng.randrange(200))
            reason = LiabilityPeriod.StartReason.MOVE_IN
        else:
            start = date(2026, 4, 1) - timedelta(days=rng.randrange(365, 365 * 25))
            reason = LiabilityPeriod.StartReason.MOVE_IN
        periods.append(LiabilityPeriod(tenant=tenant, account=account, start=start, start_reason=reason))
        if alone[account.pk]:
            reductions.append(
                Reduction(
                    tenant=tenant,
                    account=account,
                    kind=Reduction.Kind.DISCOUNT,
                    code="single_person",
                    start=max(start, date(2020, 4, 1)),
                    reason="Lives alone (declared on moving in)",
                )
            )
    AccountParty.objects.bulk_create(parties, batch_size=1000)
    account_search_keys_refresh(tenant=tenant, account_ids=[account.pk for account in accounts])
    LiabilityPeriod.objects.bulk_create(periods, batch_size=1000)
    Reduction.objects.bulk_create(reductions, batch_size=1000)
    return alone


def _bill(tenant, issued_on: date) -> int:
    """The year's bills through billing's own annual run (revenues.annual_billing), in this process."""
    parameters = {"financial_year": BILLING_YEAR, "issued_on": issued_on.isoformat()}
    run = run_start(tenant=tenant, kind="revenues.annual_billing", parameters=parameters, dispatch=False)
    run_execute(run=run)
    return Bill.objects.filter(run=run).count()


def _pay(tenant, rng: random.Random, today: date) -> tuple[int, int]:
    """Payments for what fell due by `today`: most paid in full, some short (arrears).
    Returns (payments, accounts in arrears).

    Written with bulk_create, not payments' payment_record, for speed: that is a savepoint, a lookup and an audit
    event per payment, thousands of them per council. The rows are what payment_record writes (a negative amount,
    a unique source_key); the demo's one `revenues.demo_seed` audit event stands for them."""
    entries, in_arrears = [], 0
    bills = Bill.objects.filter(financial_year=BILLING_YEAR, superseded_on__isnull=True).order_by("pk")
    for bill in bills.only("pk", "account_id", "instalments", "number"):
        due = [(date.fromisoformat(d), Decimal(a)) for d, a in bill.instalments if date.fromisoformat(d) <= today]
        if not due:
            continue
        short = rng.random() < 0.08
        paid_count = rng.randrange(len(due)) if short else len(due)
        in_arrears += short
        if not paid_count:
            continue
        # One entry for what was paid so far, on the last instalment it covers (the demo keeps the ledger small).
        entries.append(
            LedgerEntry(
                tenant=tenant,
                account_id=bill.account_id,
                financial_year=BILLING_YEAR,
                kind=LedgerEntry.Kind.PAYMENT,
                method=rng.choice(METHODS),
                amount=-sum((amount for _day, amount in due[:paid_count]), Decimal("0.00")),
                posted_on=due[paid_count - 1][0],
                reference=bill.number,
                source_key=f"demo:{bill.pk}",
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries), in_arrears


@transaction.atomic
def revenues_demo_seed(tenant, *, today: date | None = None, dwellings: int | None = None) -> bool:
    """Give a demo council in England its revenues data; False (nothing done) when it is not one, or has some."""
    try:
        if tenant_country(tenant) != "england":
            return False
    except NotCouncilTaxNation:
        return False
    if not tenant.has_module("revenues") or Dwelling.objects.filter(tenant=tenant).exists():
        return False
    today = today or date.today()
    base = COUNCILS.get(tenant.slug, COUNCILS["northfield"])
    dwellings = dwellings or int(os.environ.get("BOROUGH_DEMO_DWELLINGS") or base.dwellings)
    council = DemoCouncil(**{**base.__dict__, "dwellings": dwellings})
    rng = random.Random(tenant.slug)
    parishes = {code: parish_create(tenant=tenant, code=code, name=name) for code, name in council.parishes}
    _precepts(tenant, council, parishes)
    homes = _dwellings(tenant, council, rng, parishes)
    accounts = _accounts(tenant, homes, rng)
    _parties_periods_reductions(tenant, accounts, rng)
    if tenant.has_module("crm"):
        for spec in REVENUES_SERVICES:
            revenues_service(tenant=tenant, spec=spec)
    bills = _bill(tenant, issued_on=date(2026, 3, 9))
    payments, in_arrears = _pay(tenant, rng, today)
    detail = {"dwellings": len(homes), "accounts": len(accounts), "bills": bills, "payments": payments,
              "in_arrears": in_arrears, "precepts": Precept.objects.filter(tenant=tenant).count()}  # fmt: skip
    audit_record(tenant=tenant, action="revenues.demo_seed", obj=tenant, detail=detail)
    return True
