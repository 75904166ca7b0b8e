"""Keeping staff search's keys (`AccountSearchKey`) in step with the accounts they find.

Called explicitly by every write that changes what an account is found by: opening an account, adding a liable
party, changing a property's address or firm name, and bulk loads (the demo). The keys are derived data, rebuilt
whole for each account given, so a refresh is idempotent and needs no audit event of its own."""

from collections.abc import Iterable

from django.db import transaction

from borough.people.normalise import search_name
from borough.revenues.models import Account, AccountSearchKey
from borough.tenancy.models import Tenant

KEY_LENGTH = 100
MAX_WORDS_PER_FIELD = 12
CHUNK = 1000
Field = AccountSearchKey.Field


def search_keys(field: str, text: str) -> list[tuple[str, str, int]]:
    """(key, field, position) for each word of `text` in search form: "14 High St." -> "14 high st", "high st",
    "st"."""
    words = search_name(text).split()[:MAX_WORDS_PER_FIELD]
    return [(" ".join(words[i:])[:KEY_LENGTH], field, i) for i in range(len(words))]


def account_keys(account: Account) -> list[tuple[str, str, int]]:
    """Every key of an account (its parties must be prefetched or are read)."""
    prop = account.dwelling or account.hereditament
    found = [key for party in account.parties.all() for key in search_keys(Field.NAME, party.name)]
    if account.hereditament is not None:
        found += search_keys(Field.FIRM, account.hereditament.firm_name)
    if prop is not None:
        for line in (prop.address_line_1, prop.address_line_2, prop.address_line_3):
            found += search_keys(Field.ADDRESS, line)
        found += search_keys(Field.TOWN, prop.town)
        found += search_keys(Field.POSTCODE, prop.postcode)
    best: dict[tuple[str, str], int] = {}
    for key, field, position in found:
        best[key, field] = min(position, best.get((key, field), position))
    return [(key, field, position) for (key, field), position in best.items()]


@transaction.atomic
def account_search_keys_refresh(*, tenant: Tenant, account_ids: Iterable[int]) -> int:
    """Rebuild the search keys of the tenant's accounts `account_ids`; returns how many keys were written."""
    ids = sorted(set(account_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        AccountSearchKey.objects.filter(tenant=tenant, account_id__in=chunk).delete()
        accounts = (
            Account.objects.filter(tenant=tenant, pk__in=chunk)
            .select_related("dwelling", "hereditament")
            .prefetch_related("parties")
        )
        rows = [
            AccountSearchKey(tenant=tenant, account=account, key=key, field=field, position=position)
            for account in accounts
            for key, field, position in account_keys(account)
        ]
        written += len(AccountSearchKey.objects.bulk_create(rows, batch_size=CHUNK))
    return written
