"""Fill a PostgreSQL database with one tenant holding a million CRM cases, for bench/crm_bench.py.

    DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench \
    DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench \
    .venv/bin/python -m bench.crm_seed --cases 1000000

Rows are written with COPY through the schema owner's connection (the app role would do the same under RLS, more
slowly). The data are synthetic but shaped like a district council's: 20 services, 300,000 residents with emails,
phones and addresses over 20,000 postcodes, cases over three years with two timeline events each.
"""

import argparse
import io
import os
import random
import time
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")
django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402

from borough.core.audit import Actor, acting_as  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402

SLUG = "benchtown"
PASSWORD = "benchmark-password-1"  # noqa: S105 - a throwaway benchmark database
STATUSES = ["new", "open", "in_progress", "waiting_on_resident", "resolved", "closed", "closed", "closed"]
CHANNELS = ["web", "web", "email", "phone", "phone", "sms", "open311", "staff"]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Khan",
    "Clarke",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
]
GIVEN = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Freya",
    "Grace",
    "Sophia",
    "Jack",
    "Thomas",
    "Aisha",
    "Priya",
    "Dylan",
    "Rhys",
    "Siân",
    "Megan",
    "Owen",
    "Ellie",
]


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ") for v in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def make_tenant() -> Tenant:
    from borough.crm.models import Service, Team
    from borough.identity.services import membership_grant
    from borough.tenancy.services import tenant_create

    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None:
        return tenant
    with acting_as(Actor.system("benchmark")):
        tenant, _admin, _ = tenant_create(
            slug=SLUG,
            name="Benchtown District Council",
            kind="council",
            reference_prefix="BEN",
            admin_username="bench-admin",
            admin_password=PASSWORD,
        )
        from django.contrib.auth import get_user_model

        agent = get_user_model().objects.create_user(username="bench-agent", password=PASSWORD)
        with tenant_scope(tenant):
            membership_grant(tenant=tenant, user=agent, roles=["crm.agent", "crm.supervisor"])
            teams = [Team.objects.create(tenant=tenant, code=f"team-{n}", name=f"Team {n}") for n in range(6)]
            for n in range(20):
                Service.objects.create(
                    tenant=tenant,
                    code=f"service-{n}",
                    name=f"Service {n}",
                    group=f"Group {n % 4}",
                    team=teams[n % 6],
                    sla_amount=5,
                    sla_unit="working_days",
                )
    return tenant


def seed(tenant: Tenant, cases: int, people: int, owner_url: str) -> None:
    from borough.crm.models import Service, Team

    with tenant_scope(tenant):
        service_ids = list(Service.objects.values_list("id", flat=True))
        team_ids = list(Team.objects.values_list("id", flat=True))
    rng = random.Random(20261125)
    postcodes = [
        f"BN{rng.randint(1, 30)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        for _ in range(20_000)
    ]
    now = datetime.now(UTC)
    with psycopg.connect(owner_url, autocommit=False) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM people_person")
        first_person = cursor.fetchone()[0] + 1
        started = time.perf_counter()
        person_rows, contact_rows, address_rows = [], [], []
        for n in range(people):
            pid = first_person + n
            given, family = rng.choice(GIVEN), rng.choice(SURNAMES)
            person_rows.append(
                (
                    pid,
                    tenant.pk,
                    "person",
                    "",
                    given,
                    family,
                    "",
                    f"{given} {family}".lower(),
                    "email",
                    "en",
                    "",
                    "",
                    now.isoformat(),
                    now.isoformat(),
                )
            )
            contact_rows.append(
                (
                    tenant.pk,
                    pid,
                    "email",
                    f"{given}.{family}.{n}@example.org",
                    f"{given}.{family}.{n}@example.org".lower(),
                    True,
                    now.isoformat(),
                )
            )
            if n % 2 == 0:
                phone = f"+4477009{n:05d}"[-13:]
                contact_rows.append((tenant.pk, pid, "phone", phone, phone, False, now.isoformat()))
            address_rows.append(
                (
                    tenant.pk,
                    pid,
                    f"{rng.randint(1, 200)} High Street",
                    "",
                    "Benchtown",
                    rng.choice(postcodes),
                    "",
                    True,
                    now.isoformat(),
                )
            )
        copy_rows(
            cursor,
            "people_person",
            [
                "id",
                "tenant_id",
                "kind",
                "title",
                "given_name",
                "family_name",
                "organisation_name",
                "search_name",
                "preferred_channel",
                "preferred_language",
                "needs",
                "legal_hold_reason",
                "created_at",
                "updated_at",
            ],
            person_rows,
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('people_person', 'id'), (SELECT max(id) FROM people_person))"
        )
        copy_rows(
            cursor,
            "people_contactpoint",
            ["tenant_id", "person_id", "kind", "value", "normalised", "is_primary", "created_at"],
            contact_rows,
        )
        copy_rows(
            cursor,
            "people_address",
            ["tenant_id", "person_id", "line_1", "line_2", "town", "postcode", "uprn", "is_primary", "created_at"],
            address_rows,
        )
        print(f"people: {people:,} in {time.perf_counter() - started:.1f}s", flush=True)

        cursor.execute("SELECT coalesce(max(id), 0) FROM crm_case")
        first_case = cursor.fetchone()[0] + 1
        batch = 100_000
        for start in range(0, cases, batch):
            case_rows, event_rows = [], []
            for n in range(start, min(start + batch, cases)):
                cid = first_case + n
                created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
                status = rng.choice(STATUSES)
                requester = first_person + rng.randrange(people) if rng.random() < 0.8 else None
                resolved = (
                    (created + timedelta(days=rng.randint(0, 10))).isoformat()
                    if status in {"resolved", "closed"}
                    else None
                )
                case_rows.append(
                    (
                        cid,
                        tenant.pk,
                        f"BEN-{n + 1:07d}",
                        rng.choice(service_ids),
                        requester,
                        rng.choice(CHANNELS),
                        f"Reported problem number {n} near the shops",
                        "{}",
                        "",
                        rng.choice(postcodes),
                        "",
                        "normal",
                        status,
                        rng.choice(team_ids),
                        "",
                        created.isoformat(),
                        created.isoformat(),
                        (created + timedelta(days=7)).isoformat(),
                        resolved,
                        resolved if status == "closed" else None,
                        0,
                        "",
                        "",
                    )
                )
                event_rows.append(
                    (tenant.pk, cid, "created", True, "Case created", "{}", "system", created.isoformat(), "")
                )
                event_rows.append(
                    (
                        tenant.pk,
                        cid,
                        "note",
                        False,
                        "Checked the history.",
                        "{}",
                        "bench-agent",
                        (created + timedelta(hours=2)).isoformat(),
                        "",
                    )
                )
            copy_rows(
                cursor,
                "crm_case",
                [
                    "id",
                    "tenant_id",
                    "reference",
                    "service_id",
                    "requester_id",
                    "channel",
                    "description",
                    "answers",
                    "address",
                    "postcode",
                    "uprn",
                    "priority",
                    "status",
                    "team_id",
                    "routed_by",
                    "created_at",
                    "updated_at",
                    "due_at",
                    "resolved_at",
                    "closed_at",
                    "reopen_count",
                    "feedback_comment",
                    "open311_token",
                ],
                case_rows,
            )
            copy_rows(
                cursor,
                "crm_caseevent",
                [
                    "tenant_id",
                    "case_id",
                    "kind",
                    "is_public",
                    "body",
                    "data",
                    "actor_label",
                    "occurred_at",
                    "open311_update_id",
                ],
                event_rows,
            )
            print(f"cases: {start + len(case_rows):,} ({time.perf_counter() - started:.0f}s)", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('crm_case', 'id'), (SELECT max(id) FROM crm_case))")
        cursor.execute(
            "INSERT INTO core_referencecounter (tenant_id, sequence, last_value) VALUES (%s, 'case', %s) "
            "ON CONFLICT (tenant_id, sequence) DO UPDATE SET last_value = EXCLUDED.last_value",
            [tenant.pk, cases],
        )
        connection.commit()
        connection.autocommit = True
        for table in ("people_person", "people_contactpoint", "people_address", "crm_case", "crm_caseevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"done in {time.perf_counter() - started:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=300_000)
    args = parser.parse_args()
    owner_url = os.environ["DATABASE_OWNER_URL"]
    call_command("migrate", verbosity=0)
    tenant = make_tenant()
    seed(tenant, args.cases, args.people, owner_url)


if __name__ == "__main__":
    main()
