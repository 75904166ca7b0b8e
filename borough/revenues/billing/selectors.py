"""Billing's reads: what a bill prints about many accounts at once, what was paid in a year, and which accounts
the annual run bills. A few queries whatever the number of accounts."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from borough.revenues.billing.compute import AccountFacts
from borough.revenues.calc.params import FinancialYear
from borough.revenues.models import Account, AccountParty, Bill, LedgerEntry, LiabilityPeriod, Precept

ZERO = Decimal("0.00")
# What counts as paid towards a year's charge: money in and out, and write-offs; costs are owed besides.
PAID_KINDS = (
    LedgerEntry.Kind.PAYMENT,
    LedgerEntry.Kind.REFUND,
    LedgerEntry.Kind.REVERSAL,
    LedgerEntry.Kind.WRITE_OFF,
)
ACCOUNT_COLUMNS = (
    "id",
    "number",
    "instalment_scheme",
    "correspondence_address",
    "ebilling_email",
    "dwelling_id",
    "dwelling__voa_reference",
    "dwelling__band",
    "dwelling__parish__name",
    "hereditament__voa_reference",
    "hereditament__rateable_value",
)
ADDRESS_PARTS = ("address_line_1", "address_line_2", "address_line_3", "town", "postcode")


def _address(row: dict, prefix: str) -> str:
    return ", ".join(part for part in (row[f"{prefix}__{name}"] for name in ADDRESS_PARTS) if part)


def id_range(field: str, ids: Sequence[int]) -> dict[str, int]:
    """A filter for the range `ids` spans: a chunk's ids are consecutive accounts, and a range is far cheaper to
    send and plan than an IN list of a thousand (the caller keeps only the ids it asked for)."""
    return {f"{field}__gte": min(ids), f"{field}__lte": max(ids)} if ids else {f"{field}__in": []}


def account_facts(*, account_ids: Sequence[int]) -> dict[int, AccountFacts]:
    """What the bill prints about each account: two queries."""
    wanted = set(account_ids)
    columns = [*ACCOUNT_COLUMNS]
    columns += [f"{prefix}__{name}" for prefix in ("dwelling", "hereditament") for name in ADDRESS_PARTS]
    names: dict[int, list[str]] = {}
    parties = AccountParty.objects.filter(**id_range("account_id", account_ids)).order_by("account_id", "pk")
    for account_id, name in parties.values_list("account_id", "name"):
        names.setdefault(account_id, []).append(name)
    facts = {}
    for row in Account.objects.filter(**id_range("pk", account_ids)).values(*columns):
        if row["id"] not in wanted:
            continue
        dwelling = row["dwelling_id"] is not None
        prefix = "dwelling" if dwelling else "hereditament"
        facts[row["id"]] = AccountFacts(
            number=row["number"],
            address=_address(row, prefix),
            voa_reference=row[f"{prefix}__voa_reference"],
            liable=tuple(names.get(row["id"], ())),
            correspondence_address=row["correspondence_address"],
            band=row["dwelling__band"] if dwelling else None,
            rateable_value=None if dwelling else row["hereditament__rateable_value"],
            parish=(row["dwelling__parish__name"] or "") if dwelling else "",
            scheme=row["instalment_scheme"],
            ebilling=bool(row["ebilling_email"]),
        )
    return facts


def authority_kinds(*, financial_year: str) -> dict[str, str]:
    """Each authority's precept kind in the year (the bill shows, e.g., adult social care apart)."""
    return dict(Precept.objects.filter(financial_year=financial_year).values_list("authority", "kind"))


def paid_in_year(*, account: Account, financial_year: str) -> Decimal:
    """What has been paid (and credited) towards the year's charge: the ledger's payments less refunds and
    returned payments, and write-offs. Positive when money came in."""
    total = LedgerEntry.objects.filter(account=account, financial_year=financial_year, kind__in=PAID_KINDS).aggregate(
        total=Sum("amount")
    )["total"]
    return -(total or ZERO)


def current_bill(*, account: Account, financial_year: str) -> Bill | None:
    return Bill.objects.filter(account=account, financial_year=financial_year, superseded_on__isnull=True).first()


def billable_accounts(*, financial_year: str, created_before: datetime, run_id: int | None = None):
    """Accounts the annual run bills: opened before the run, liable in the year, and with no bill for the year
    made before the run (bills of this run itself do not count, so resuming it finds the same accounts)."""
    year = FinancialYear.parse(financial_year)
    liable = LiabilityPeriod.objects.filter(account=OuterRef("pk"), start__lte=year.end).filter(
        Q(end__isnull=True) | Q(end__gte=year.start)
    )
    billed = Bill.objects.filter(account=OuterRef("pk"), financial_year=financial_year, created_at__lt=created_before)
    if run_id is not None:
        billed = billed.exclude(run_id=run_id)
    return Account.objects.filter(Exists(liable), ~Exists(billed), opened_at__lt=created_before)


def already_billed(*, financial_year: str, run, account_ids: Sequence[int], dry_run: bool = False) -> set[int]:
    """Of `account_ids`, those the run leaves be: billed for the year before the run began (as
    billable_accounts), and, for a real run, billed by this run already or with a current bill of the year made
    since the run began (an amendment, a bill issued by hand). One range scan of the chunk's bills."""
    bills = Bill.objects.filter(financial_year=financial_year, **id_range("account_id", account_ids))
    wanted = set(account_ids)
    skip = set()
    for account_id, run_id, superseded_on, created_at in bills.values_list(
        "account_id", "run_id", "superseded_on", "created_at"
    ):
        if account_id not in wanted:
            continue
        before_run = created_at < run.created_at and run_id != run.pk
        if before_run or (not dry_run and (run_id == run.pk or superseded_on is None)):
            skip.add(account_id)
    return skip


def liable_accounts(*, financial_year: str, created_before: datetime, first: int, last: int) -> list[int]:
    """The accounts with ids from `first` to `last`, opened before the run and liable in the year (a chunk's
    candidates; already_billed then says which to leave)."""
    year = FinancialYear.parse(financial_year)
    liable = LiabilityPeriod.objects.filter(account=OuterRef("pk"), start__lte=year.end).filter(
        Q(end__isnull=True) | Q(end__gte=year.start)
    )
    accounts = Account.objects.filter(Exists(liable), opened_at__lt=created_before, pk__gte=first, pk__lte=last)
    return list(accounts.order_by("pk").values_list("pk", flat=True))
