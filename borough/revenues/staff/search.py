"""Finding accounts, every kind of query an index lookup that stays fast at a million accounts, on PostgreSQL under
row-level security as on SQLite (docs/adr/0009: only leak-proof `=` and ranges are index conditions):

- an account number ("nfd-00000123"): the (tenant, number) unique index;
- a full postcode ("nf12ab"), or its start ("NF1", "NF1 4"): a range on the properties' (tenant, postcode) index;
- otherwise words of a liable party's name, the address, the town or the firm name ("14 high st", "smith j"):
  each word must be the start of a word of the account (a number the whole word: "14" is not "140"), found as
  ranges on the accounts' search keys (`AccountSearchKey`: each field from each of its words to the end). Each
  word's first MAX_CANDIDATES + 1 accounts are read; a word with no more than that gives the exact answer with the
  others as filters. When every word is common ("john smith", "high st"), the whole query as the start of a key
  answers (the words in order in one field), and only if that finds nothing the words in any order or field, among
  the accounts of the rarest word's first MAX_DRIVING keys. So no query reads more than a few thousand index
  entries, whatever the council's size; when a cap was reached, `cut` says so.

Ranked: the query as the start of a field ("john smith", "14 high street") first, then as whole words inside one
("smith"), then as its start with the last word part typed ("14 high st"), then the words in any order or field; ties
by the field (name, firm, address, postcode, town) and the account number. At most MAX_RESULTS, and `cut` says when
more matched.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from borough.people.normalise import normalise_postcode, search_name
from borough.revenues.models import Account, AccountSearchKey, Dwelling, Hereditament
from borough.revenues.services.search import KEY_LENGTH

MAX_RESULTS = 50
MAX_TERMS = 6
MAX_CANDIDATES = 1000
MAX_DRIVING = 2000  # the keys of the rarest common word read when the words are in any order or field
MAX_TEXT = 200
HIGHEST = "\U0010ffff"
# The start of a postcode: the outward code, then perhaps the inward code's digit and a letter ("NF1", "NF1 4").
POSTCODE_START = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?: (\d[A-Z]?))?$")
FIELD_ORDER = {name: order for order, name in enumerate(("name", "firm", "address", "postcode", "town"))}
NOTHING_TO_SEARCH = "Enter an account number, a postcode, or letters or numbers from a name or the address"


@dataclass(frozen=True)
class SearchResult:
    accounts: list[Account] = field(default_factory=list)
    kind: str = ""  # "number", "postcode", "postcode start", "words", or "" when there was nothing to search for
    cut: bool = False  # more accounts matched than are listed
    message: str = ""  # why nothing was searched for


def _starts_with(column: str, prefix: str) -> Q:
    """A prefix as a range the index answers under row-level security, and LIKE checking the rows in it."""
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + HIGHEST, f"{column}__startswith": prefix})


def _term(text: str) -> Q:
    """Keys starting with `text` (a word, or words in order); a number at its end must be the whole word."""
    if text.rsplit(" ", 1)[-1].isdigit():  # one range (keys hold no character below the space): "14" to "14 ..."
        return Q(key__gte=text, key__lt=text + " " + HIGHEST) & (Q(key=text) | Q(key__startswith=text + " "))
    return _starts_with("key", text)


def _listed(accounts) -> list[Account]:
    return list(accounts.select_related("dwelling", "hereditament").prefetch_related("parties"))


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.casefold()))


def _by_postcode(tenant, condition: Q, limit: int, kind: str) -> SearchResult:
    """Accounts of the properties whose postcode meets `condition`, in postcode and address order."""
    props: dict[tuple[str, int], Dwelling | Hereditament] = {}
    cut = False
    for model in (Dwelling, Hereditament):
        found = list(model.objects.filter(condition, tenant=tenant).order_by("postcode", "pk")[: limit + 1])
        cut |= len(found) > limit
        props.update({(model.__name__, prop.pk): prop for prop in found[:limit]})
    dwellings = [pk for name, pk in props if name == "Dwelling"]
    hereditaments = [pk for name, pk in props if name == "Hereditament"]
    accounts = _listed(
        Account.objects.filter(Q(dwelling_id__in=dwellings) | Q(hereditament_id__in=hereditaments), tenant=tenant)
    )
    accounts.sort(key=lambda a: (a.property.postcode, _natural(a.property.address_line_1), a.number))
    return SearchResult(accounts[:limit], kind, cut or len(accounts) > limit)


def _rank(tenant, ids: set[int], phrase: str) -> dict[int, tuple]:
    """For each account, how well the whole query matches one of its fields (lower is better)."""
    best: dict[int, tuple] = dict.fromkeys(ids, (4, 9))
    keys = AccountSearchKey.objects.filter(_term(phrase), tenant=tenant, account_id__in=ids)
    for pk, key, column, position in keys.values_list("account_id", "key", "field", "position"):
        whole = key == phrase or key.startswith(phrase + " ")
        score = (0 if position == 0 else 1) if whole else (2 if position == 0 else 3)
        best[pk] = min(best[pk], (score, FIELD_ORDER.get(column, 9)))
    return best


def _accounts_with(keys, condition: Q, cap: int | None) -> list[int]:
    """The accounts of the keys meeting `condition`, in key order (the index's: a whole word before longer ones)."""
    return list(keys.filter(condition).order_by("key", "account_id").values_list("account_id", flat=True)[:cap])


def _by_words(tenant, terms: list[str], limit: int) -> SearchResult:
    keys = AccountSearchKey.objects.filter(tenant=tenant)
    phrase = " ".join(terms)[:KEY_LENGTH]
    probes = {}
    for term in dict.fromkeys(terms):  # the first MAX_CANDIDATES + 1 accounts with each word: all, for most words
        probes[term] = _accounts_with(keys, _term(term), MAX_CANDIDATES + 1)
        if not probes[term]:
            return SearchResult([], "words")
    found_all = [term for term, found in probes.items() if len(found) <= MAX_CANDIDATES]
    if found_all:  # a word that is not common: its accounts, less those without each other word
        matched = set.intersection(*(set(probes[term]) for term in found_all))
        for term in probes.keys() - set(found_all):
            if matched:
                matched = set(_accounts_with(keys.filter(account_id__in=matched), _term(term), None))
        complete = True
    else:  # every word is common ("john smith", "high st"): the whole query in one field
        found = probes[phrase] if phrase in probes else _accounts_with(keys, _term(phrase), MAX_CANDIDATES + 1)
        complete = len(found) <= MAX_CANDIDATES
        # Too many to rank them all: the first in key order are the best (the query as a whole word first).
        matched = set(found) if complete else set(list(dict.fromkeys(found))[: 4 * limit])
        if not matched and len(probes) > 1:  # else the words in any order or field, among the rarest word's first
            sizes = {term: keys.filter(_term(term)).values("pk")[: MAX_DRIVING + 1].count() for term in probes}
            rarest = min(sizes, key=lambda term: (sizes[term], -len(term)))
            matched = set(_accounts_with(keys, _term(rarest), MAX_DRIVING))
            for term in probes.keys() - {rarest}:
                if matched:
                    matched = set(_accounts_with(keys.filter(account_id__in=matched), _term(term), None))
            complete = sizes[rarest] <= MAX_DRIVING and len(matched) <= MAX_CANDIDATES
    if not matched:
        return SearchResult([], "words", not complete)
    ranks = _rank(tenant, matched, phrase)
    ordered = sorted(
        Account.objects.filter(tenant=tenant, pk__in=matched).values_list("pk", "number"),
        key=lambda row: (ranks[row[0]], row[1]),
    )
    shown = [pk for pk, _number in ordered[:limit]]
    accounts = sorted(_listed(Account.objects.filter(tenant=tenant, pk__in=shown)), key=lambda a: shown.index(a.pk))
    return SearchResult(accounts, "words", not complete or len(ordered) > limit)


def account_search(*, tenant, query: str, limit: int = MAX_RESULTS) -> SearchResult:
    text = " ".join((query or "").split())[:MAX_TEXT]
    if not text:
        return SearchResult(message=NOTHING_TO_SEARCH)
    compact = text.replace(" ", "").upper()
    by_number = _listed(Account.objects.filter(tenant=tenant, number=compact))
    if by_number:
        return SearchResult(by_number, "number")
    try:
        postcode = normalise_postcode(text) if len(compact) <= 7 else ""
    except ValueError:
        postcode = ""
    if postcode:
        return _by_postcode(tenant, Q(postcode=postcode), limit, "postcode")
    start = POSTCODE_START.match(text.upper())
    if start:
        prefix = f"{start.group(1)} {start.group(2) or ''}"
        return _by_postcode(tenant, _starts_with("postcode", prefix), limit, "postcode start")
    terms = search_name(text).split()[:MAX_TERMS]
    if not terms:
        return SearchResult(message=NOTHING_TO_SEARCH)
    return _by_words(tenant, terms, limit)
