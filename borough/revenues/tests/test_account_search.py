"""Staff account search (borough/revenues/staff/search.py): each kind of query, ranking, the limit and saying so,
tenant isolation, bad input, the keys kept in step by the services, and on PostgreSQL the index under RLS."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from borough.core.audit import Actor, acting_as
from borough.revenues.models import AccountSearchKey, Dwelling, Hereditament
from borough.revenues.services import account_open, account_party_add, dwelling_update, hereditament_save
from borough.revenues.services.search import account_search_keys_refresh, search_keys
from borough.revenues.staff.search import MAX_RESULTS, _starts_with, _term, account_search
from borough.revenues.tests.factories import make_account, make_dwelling
from borough.tenancy.scope import tenant_scope


def numbers(result) -> list[str]:
    return [account.number for account in result.accounts]


def make_shop(tenant, *, firm: str, line_1: str, postcode: str, names=("Pat Trader",)):
    hereditament_save(
        tenant=tenant,
        values={
            "voa_reference": f"R-{firm}"[:25],
            "address_line_1": line_1,
            "town": "Northfield",
            "postcode": postcode,
            "firm_name": firm,
            "rateable_value": Decimal(15000),
            "value_effective_from": date(2023, 4, 1),
        },
    )
    shop = Hereditament.objects.get(tenant=tenant, voa_reference=f"R-{firm}"[:25])
    return account_open(tenant=tenant, hereditament=shop, parties=[{"name": n} for n in names], start=date(2026, 4, 1))


@pytest.fixture
def street(council):
    """A small council: houses on High Street and Mill Lane, a flat, and a shop."""
    made = {
        "smith": make_account(
            council, make_dwelling(council, address_line_1="14 High Street", postcode="NF1 4AB"), names=("John Smith",)
        ),
        "smithson": make_account(
            council,
            make_dwelling(council, address_line_1="140 High Street", postcode="NF1 4AD"),
            names=("Mary Smithson", "Joe Smithson"),
        ),
        "jones": make_account(
            council, make_dwelling(council, address_line_1="3 Mill Lane", postcode="NF2 7XY"), names=("Ann Jones",)
        ),
        "flat": make_account(
            council,
            make_dwelling(council, address_line_1="Flat 2", address_line_2="14 High Stone Road", postcode="NF1 9ZZ"),
            names=("Seán O'Brien",),
        ),
        "shop": make_shop(council, firm="Northfield Bakery Ltd", line_1="22 Market Place", postcode="NF1 1AA"),
    }
    return made


def test_keys_are_each_word_to_the_end_in_search_form():
    assert search_keys("address", "14 High St.") == [("14 high st", "address", 0), ("high st", "address", 1),
                                                     ("st", "address", 2)]  # fmt: skip
    assert search_keys("name", "  %_%  ") == []


@pytest.mark.parametrize(
    ("query", "first", "also"),
    [
        ("smith", "smith", {"smithson"}),  # a word's start; the whole word ranks first
        ("John Smith", "smith", set()),
        ("smith john", "smith", set()),  # any order
        ("14 high st", "smith", set()),  # 14 is a whole number: not 140 (the flat has the words too)
        ("high street", "smith", {"smithson"}),
        ("mill", "jones", set()),
        ("bakery", "shop", set()),  # the firm name
        ("northfield bakery", "shop", set()),
        ("market place", "shop", set()),
        ("sean obrien", "flat", set()),  # accents and apostrophes as a person types them or not
        ("O'Brien", "flat", set()),
        ("flat 2", "flat", set()),
    ],
)
def test_words_of_a_name_address_or_firm(street, council, query, first, also):
    result = account_search(tenant=council, query=query)
    assert result.kind == "words" and not result.cut
    assert numbers(result)[0] == street[first].number
    assert set(numbers(result)) - {street[first].number} <= {street[name].number for name in also} | {
        street["flat"].number
    }


def test_a_house_number_and_street_words_rank_the_house_first(street, council):
    found = numbers(account_search(tenant=council, query="14 high st"))
    # "14 High Street" starts with the query; the flat at "14 High Stone Road" has the words too; 140 does not match.
    assert found == [street["smith"].number, street["flat"].number]


def test_every_word_must_match(street, council):
    assert numbers(account_search(tenant=council, query="smith mill")) == []
    assert numbers(account_search(tenant=council, query="jones 3 mill")) == [street["jones"].number]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NF1 4", ["smith", "smithson"]),
        ("nf1 4a", ["smith", "smithson"]),
        ("NF1", ["shop", "smith", "smithson", "flat"]),  # in postcode order
        ("nf2", ["jones"]),
        ("NF1 4AB", ["smith"]),
        ("nf14ab", ["smith"]),
        ("NF3", []),
    ],
)
def test_partial_and_full_postcode(street, council, query, expected):
    result = account_search(tenant=council, query=query)
    assert result.kind in ("postcode", "postcode start")
    assert numbers(result) == [street[name].number for name in expected]


def test_account_number_in_any_case_and_spacing(street, council):
    number = street["jones"].number
    result = account_search(tenant=council, query=f" {number.lower()[:4]} {number.lower()[4:]} ")
    assert result.kind == "number" and numbers(result) == [number]


def test_at_most_fifty_and_says_so(council):
    for n in range(MAX_RESULTS + 2):
        make_account(council, make_dwelling(council, address_line_1=f"{n + 1} Long Road", postcode="NF5 1AA"))
    for query in ("long road", "NF5", "NF5 1AA"):
        result = account_search(tenant=council, query=query)
        assert len(result.accounts) == MAX_RESULTS and result.cut, query
    assert (
        numbers(account_search(tenant=council, query="7 long road"))[:1]
        == numbers(account_search(tenant=council, query="NF5 1AA"))[6:7]
    )  # the natural address order: 1, 2, ... 7
    exact = account_search(tenant=council, query="long road", limit=MAX_RESULTS + 2)
    assert len(exact.accounts) == MAX_RESULTS + 2 and not exact.cut


@pytest.mark.parametrize("query", ["", "   ", "%", "_", "%%%", "!!! ... ???", "'", "\\"])
def test_nothing_to_search_for_is_said_plainly(street, council, query):
    result = account_search(tenant=council, query=query)
    assert result.accounts == [] and "Enter an account number" in result.message


@pytest.mark.parametrize("query", ["smi%", "%smith", "s_ith", "_", "100%", "'; DROP TABLE revenues_account; --"])
def test_wildcards_and_sql_are_only_text(street, council, query):
    result = account_search(tenant=council, query=query)
    if query in ("smi%", "%smith"):  # the % is punctuation: the words are "smi", "smith"
        assert street["smith"].number in numbers(result)
    else:
        assert street["smith"].number not in numbers(result)
    assert Hereditament.objects.filter(tenant=council).exists()


def test_a_very_long_query_is_cut_not_an_error(street, council):
    assert numbers(account_search(tenant=council, query="smith " * 2000)) != []
    assert account_search(tenant=council, query="x" * 10_000).accounts == []


def test_another_councils_accounts_never_appear(street, council, tenant_b):
    with tenant_scope(tenant_b), acting_as(Actor.system("test")):
        theirs = make_account(
            tenant_b,
            make_dwelling(tenant_b, address_line_1="14 High Street", postcode="NF1 4AB"),
            names=("John Smith",),
        )
    with tenant_scope(council):
        for query in ("john smith", "14 high st", "NF1 4AB", "NF1 4", "NF1", theirs.number):
            assert theirs.number not in numbers(account_search(tenant=council, query=query)), query
    with tenant_scope(tenant_b):
        assert numbers(account_search(tenant=tenant_b, query="john smith")) == [theirs.number]


def test_the_services_keep_the_keys_in_step(street, council):
    account_party_add(account=street["jones"], name="Zebedee Quartermaine")
    assert numbers(account_search(tenant=council, query="quartermaine")) == [street["jones"].number]
    dwelling_update(dwelling=street["jones"].dwelling, address_line_1="9 Windmill Close")
    assert numbers(account_search(tenant=council, query="windmill close")) == [street["jones"].number]
    assert numbers(account_search(tenant=council, query="mill lane")) == []
    count = AccountSearchKey.objects.filter(tenant=council).count()
    assert account_search_keys_refresh(tenant=council, account_ids=[a.pk for a in street.values()]) == count


def test_the_staff_page_says_when_results_were_cut_and_when_there_is_nothing_to_search(council, officer_of_a):
    for n in range(MAX_RESULTS + 1):
        make_account(council, make_dwelling(council, address_line_1=f"{n + 1} Long Road", postcode="NF5 1AA"))
    text = officer_of_a.get("/staff/revenues/", {"q": "long road"}).content.decode()
    assert "More than 50 accounts match" in text and "narrow the search" in text
    response = officer_of_a.get("/staff/revenues/", {"q": "%_%"})
    assert response.status_code == 200 and "Enter an account number, a postcode" in response.content.decode()
    response = officer_of_a.get("/staff/revenues/", {"q": "x" * 10_000})
    assert response.status_code == 400 and "Use 200 characters or fewer" in response.content.decode()


@pytest.fixture
def officer_of_a(make_staff, tenant_a, client_for):
    return client_for(tenant_a, make_staff(tenant_a, roles=("revenues.officer",)))


def test_postgres_uses_the_key_index_as_the_app_role_under_rls(on_postgres, street, council):
    """The app role (no BYPASSRLS) still gets the prefix as an index condition: the range is leak-proof."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False,)
    queries = {
        "key": AccountSearchKey.objects.filter(_term("smith"), tenant=council).values_list("account_id"),
        "postcode": Dwelling.objects.filter(_starts_with("postcode", "NF1 4"), tenant=council)
        .order_by("postcode", "pk")
        .values_list("pk")[:51],
    }
    for column, queryset in queries.items():
        with transaction.atomic(), connection.cursor() as cursor:
            # Tiny test tables: without these the planner may scan by tenant alone and sort, which proves nothing.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = queryset.explain()
        conditions = [line for line in plan.splitlines() if "Index Cond:" in line]
        assert re.search(rf"\(?{column}\)?(::text)? >= ", conditions[0]), plan


@pytest.fixture
def small_caps(monkeypatch):
    """Caps small enough that the street fixture's words count as common, to take the paths big councils take."""
    from borough.revenues.staff import search

    monkeypatch.setattr(search, "MAX_CANDIDATES", 1)
    monkeypatch.setattr(search, "MAX_DRIVING", 2)


def test_common_words_in_order_find_the_field_that_has_them(street, council, small_caps):
    more = make_account(council, make_dwelling(council, address_line_1="7 High Street"), names=("Jo Smith",))
    result = account_search(tenant=council, query="high street")  # every word on 3 accounts: more than the cap
    assert set(numbers(result)) <= {street["smith"].number, street["smithson"].number, more.number}
    assert numbers(result) and result.cut
    assert numbers(account_search(tenant=council, query="john smith")) == [street["smith"].number]


def test_common_words_in_any_order_are_found_from_the_rarest(street, council, small_caps):
    make_account(council, make_dwelling(council, address_line_1="7 High Street"), names=("Jo Smith",))
    result = account_search(tenant=council, query="street 14 high")  # no field has them in this order
    assert numbers(result) == [street["smith"].number]


def test_one_common_word_shows_whole_words_first_and_says_it_was_cut(street, council, small_caps):
    result = account_search(tenant=council, query="smith")
    assert numbers(result)[0] == street["smith"].number and result.cut
