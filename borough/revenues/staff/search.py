"""Finding accounts: by account number or full postcode (each an index lookup), else by words of a liable party's
name or the property's address and postcode (every word must match, anywhere: a scan of the tenant's parties and
properties, limited to the first MAX_RESULTS accounts)."""

from functools import reduce
from operator import and_

from django.db.models import Q

from borough.people.normalise import normalise_postcode
from borough.revenues.models import Account, AccountParty, Dwelling, Hereditament

MAX_RESULTS = 50
MAX_TERMS = 6


def _words_match(fields: tuple[str, ...], terms: list[str]) -> Q:
    return reduce(and_, [reduce(lambda a, b: a | b, [Q(**{f"{f}__icontains": t}) for f in fields]) for t in terms])


def account_search(*, tenant, query: str, limit: int = MAX_RESULTS) -> list[Account]:
    text = " ".join(query.split())[:200]
    if not text:
        return []
    accounts = Account.objects.filter(tenant=tenant).select_related("dwelling", "hereditament")
    accounts = accounts.prefetch_related("parties").order_by("number")
    compact = text.replace(" ", "").upper()
    by_number = list(accounts.filter(number=compact)[:limit])
    if by_number:
        return by_number
    try:
        postcode = normalise_postcode(text)
    except ValueError:
        postcode = ""
    if postcode:  # the properties by their postcode index, then their accounts by theirs
        dwellings = Dwelling.objects.filter(tenant=tenant, postcode=postcode).values("pk")
        hereditaments = Hereditament.objects.filter(tenant=tenant, postcode=postcode).values("pk")
        return list(accounts.filter(Q(dwelling__in=dwellings) | Q(hereditament__in=hereditaments))[:limit])
    terms = text.split()[:MAX_TERMS]
    address_fields = ("address_line_1", "address_line_2", "town", "postcode")  # postcode: a part, like "NF1"
    parties = AccountParty.objects.filter(tenant=tenant).filter(_words_match(("name",), terms))
    dwellings = Dwelling.objects.filter(tenant=tenant).filter(_words_match(address_fields, terms))
    hereditaments = Hereditament.objects.filter(tenant=tenant).filter(
        _words_match((*address_fields, "firm_name"), terms)
    )
    matching = (
        Q(pk__in=parties.values("account_id"))
        | Q(dwelling__in=dwellings.values("pk"))
        | Q(hereditament__in=hereditaments.values("pk"))
    )
    return list(accounts.filter(matching)[:limit])
