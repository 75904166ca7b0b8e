"""Staff account search at a council's size (issue 5, item 8): server time of `/staff/revenues/?q=...` for each
kind of query, p50/p95/max, on PostgreSQL as the app role under row-level security.

    createdb -U postgres -h 127.0.0.1 -O borough_app borough_hsrch_bench     # once, then migrate it:
    DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_hsrch_bench \
    DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_hsrch_bench .venv/bin/borough migrate
    .venv/bin/python -m bench.revenues_search_bench --accounts 120000 1200000 --samples 200

Each size: the database's revenues data are emptied and seeded again (bench/revenues_search_seed.sql: dwellings,
4% business properties, an account each, liable parties, and the search keys as the services write them; a sample of
accounts is checked against `account_keys`, so the SQL and the Python agree). Then, with Django's test Client in this
process (the WSGI handler, middleware, view, template and queries; no network), `--samples` searches of each kind
drawn from the data: a full name ("olivia smith"), a surname alone, an address as typed ("14 high st"), a firm name,
the start of a postcode ("BT1 4"), a full postcode, an account number.
"""

import argparse
import os
import random
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

DEFAULT_DB = "borough_hsrch_bench"
os.environ.setdefault("DATABASE_URL", f"postgres://borough_app@127.0.0.1:5432/{DEFAULT_DB}")
os.environ.setdefault("DATABASE_OWNER_URL", f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("BOROUGH_REQUIRE_2FA", "false")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from borough.core.audit import Actor, acting_as  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402

SLUG = "benchsearch"
HOST = f"{SLUG}.localhost"
OFFICER = "benchsearch-officer"
PREFIX = "BSR"
SEED = Path(__file__).with_name("revenues_search_seed.sql")
REVENUES_TABLES = (
    "revenues_accountsearchkey",
    "revenues_accountparty",
    "revenues_account",
    "revenues_dwelling",
    "revenues_hereditament",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def make_tenant() -> Tenant:
    from borough.identity.services import membership_grant
    from borough.tenancy.services import tenant_create

    tenant = Tenant.objects.filter(slug=SLUG).first()
    with acting_as(Actor.system("benchmark")):
        if tenant is None:
            tenant, _admin, _ = tenant_create(
                slug=SLUG,
                name="Benchtown Search Council",
                kind="council",
                reference_prefix=PREFIX,
                admin_username="benchsearch-admin",
                admin_password="benchmark-password-1",  # noqa: S106 - a throwaway benchmark database
            )
        if not get_user_model().objects.filter(username=OFFICER).exists():
            officer = get_user_model().objects.create_user(username=OFFICER, password="benchmark-password-1")  # noqa: S106
            with tenant_scope(tenant):
                membership_grant(tenant=tenant, user=officer, roles=["revenues.officer"])
    return tenant


def seed(tenant: Tenant, accounts: int) -> float:
    owner = os.environ["DATABASE_OWNER_URL"]
    started = time.perf_counter()
    with psycopg.connect(owner, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {', '.join(REVENUES_TABLES)} CASCADE")
    subprocess.run(  # noqa: S603 - our own psql command
        [  # noqa: S607 - psql from the PATH, as the docs run it
            "psql", owner, "-q", "-f", str(SEED), "-v", f"tenant={tenant.pk}", "-v", f"n={accounts}",
            "-v", f"prefix={PREFIX}",
        ],
        check=True,
    )  # fmt: skip
    with psycopg.connect(owner, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE revenues_accountsearchkey")
    return time.perf_counter() - started


def check_keys(tenant: Tenant, rng: random.Random) -> None:
    """The seed's SQL keys are the services' keys, for a sample of accounts."""
    from borough.revenues.models import Account, AccountSearchKey
    from borough.revenues.services.search import account_keys

    with tenant_scope(tenant):
        top = Account.objects.order_by("-pk").values_list("pk", flat=True).first()
        low = Account.objects.order_by("pk").values_list("pk", flat=True).first()
        ids = [rng.randint(low, top) for _ in range(300)]
        accounts = Account.objects.filter(pk__in=ids).select_related("dwelling", "hereditament")
        for account in accounts.prefetch_related("parties"):
            stored = set(AccountSearchKey.objects.filter(account=account).values_list("key", "field", "position"))
            if stored != set(account_keys(account)):
                raise SystemExit(f"{account.number}: seeded keys {sorted(stored)} != {sorted(account_keys(account))}")


def sample_queries(tenant: Tenant, count: int, rng: random.Random) -> dict[str, list[str]]:
    from borough.revenues.models import Account

    with tenant_scope(tenant):
        low = Account.objects.order_by("pk").values_list("pk", flat=True).first()
        top = Account.objects.order_by("-pk").values_list("pk", flat=True).first()
        picked = Account.objects.filter(pk__in=[rng.randint(low, top) for _ in range(count * 3)])
        accounts = list(picked.select_related("dwelling", "hereditament").prefetch_related("parties"))
        shops = list(
            Account.objects.filter(hereditament__isnull=False).select_related("hereditament").order_by("?")[:count]
        )
    rng.shuffle(accounts)
    homes = [a for a in accounts if a.dwelling_id][:count]
    streets = [a.dwelling.address_line_2 or a.dwelling.address_line_1 for a in homes]  # a flat's street: line 2
    return {
        "name (full)": [a.parties.all()[0].name for a in homes],
        "name (surname only)": [a.parties.all()[0].name.split()[-1] for a in homes],
        "address (14 high st)": [" ".join([*s.split()[:-1], s.split()[-1][:2]]).lower() for s in streets],
        "firm name": [s.hereditament.firm_name for s in shops],
        "postcode start (BT1 4)": [a.dwelling.postcode[:-2] for a in homes],
        "full postcode": [a.dwelling.postcode for a in homes],
        "account number": [a.number for a in homes],
    }


def timed(client: Client, query: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(f"/staff/revenues/?q={quote_plus(query)}")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 302):
        raise SystemExit(f"{query!r} answered {response.status_code}")
    found = 1 if response.status_code == 302 else response.content.decode().count('href="/staff/revenues/accounts/')
    return elapsed, found


def measure(tenant: Tenant, count: int, rng: random.Random) -> list[dict]:
    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username=OFFICER))
    queries = sample_queries(tenant, count, rng)
    for query in ("warm", "BT1", "smith"):
        timed(client, query)
    rows = []
    everything = []
    for kind, values in queries.items():
        results = [timed(client, value) for value in values]
        samples = [elapsed for elapsed, _ in results]
        everything += samples
        empty = sum(1 for _, found in results if found == 0)
        rows.append({"kind": kind, "samples": samples, "empty": empty, "example": values[0]})
    rows.append({"kind": "all kinds", "samples": everything, "empty": sum(r["empty"] for r in rows), "example": ""})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, nargs="+", default=[120000])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="Search the data already seeded (one size only).")
    args = parser.parse_args()
    tenant = make_tenant()
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores", flush=True)
    for size in args.accounts:
        rng = random.Random(size)
        if not args.reuse:
            print(f"seeding {size:,} dwellings ...", flush=True)
            print(f"  seeded in {seed(tenant, size):.0f} s", flush=True)
        check_keys(tenant, rng)
        with tenant_scope(tenant):
            from borough.revenues.models import Account, AccountSearchKey

            print(f"{Account.objects.count():,} accounts, {AccountSearchKey.objects.count():,} search keys", flush=True)
        for row in measure(tenant, args.samples, rng):
            samples = row["samples"]
            print(
                f"  {row['kind']:<24} n={len(samples):<5} p50={statistics.median(samples):6.1f} ms  "
                f"p95={percentile(samples, 0.95):6.1f} ms  max={max(samples):6.1f} ms  "
                f"none found={row['empty']:<3} e.g. {row['example']!r}",
                flush=True,
            )
    print(f"finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)


if __name__ == "__main__":
    main()
