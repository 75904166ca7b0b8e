"""Annual billing speed (issue 5, ADR 0019): a generated council billed for 2026-27 on PostgreSQL, bills and their
instalment plans written (no PDFs), timed from the run's start to its finish, with the peak memory of every
process doing the work (the workers' peak RSS, and PostgreSQL's backends sampled).

    createdb -U postgres -h 127.0.0.1 borough_h2bill_bench       # once, then migrate it:
    DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_h2bill_bench \
    DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_h2bill_bench .venv/bin/borough migrate
    .venv/bin/python -m bench.revenues_billing_bench --accounts 12000 120000 --workers 2

Each size: the tenant's revenues data are emptied and seeded again (bench/revenues_billing_seed.sql, COPY-speed
SQL); `--workers` processes load Django (as long-running Celery workers have), then the run is created and they
execute it together (each is `run_execute` on the same run, as Celery workers given the same run are); the
first to see every chunk done finishes it. Reported: wall time from the run's start to its end, the CPU time of
the workers and of their PostgreSQL backends (what the run costs whatever else the machine is doing), and peak
memory.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

DEFAULT_DB = "borough_h2bill_bench"
os.environ.setdefault("DATABASE_URL", f"postgres://borough_app@127.0.0.1:5432/{DEFAULT_DB}")
os.environ.setdefault("DATABASE_OWNER_URL", f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402

from borough.core.audit import Actor, acting_as  # noqa: E402
from borough.core.models import Run  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402

SLUG = "benchbill"
YEAR = "2026-27"
SEED = Path(__file__).with_name("revenues_billing_seed.sql")
PARISHES = 12
# Band D amounts like a shire district's for 2025-26 (GOV.UK "Council Tax levels set by local authorities").
PRECEPTS = [
    ("billing", "Benchtown District Council", "215.43"),
    ("county", "Benchshire County Council", "1553.40"),
    ("adult_social_care", "Benchshire County Council (adult social care)", "212.76"),
    ("police", "Benchshire Police and Crime Commissioner", "289.20"),
    ("fire", "Benchshire Fire and Rescue Authority", "92.38"),
]
REVENUES_TABLES = (
    "revenues_bill",
    "revenues_reduction",
    "revenues_liabilityperiod",
    "revenues_accountparty",
    "revenues_account",
    "revenues_bandhistory",
    "revenues_dwelling",
)
WORKER = """
import json, os, sys, time, django
django.setup()
from django.db import connection
from borough.core.audit import Actor, acting_as
from borough.core.models import Run
from borough.core.runs import run_execute, run_kinds
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope
run_kinds()
tenant = Tenant.objects.get(slug=sys.argv[1])
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
print("ready", flush=True)
run_id = int(sys.stdin.readline())
started = time.process_time()
with tenant_scope(tenant), acting_as(Actor.system("benchmark worker")):
    run_execute(run=Run.objects.get(pk=run_id))
fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
ticks = os.sysconf("SC_CLK_TCK")
print(json.dumps({"cpu": time.process_time() - started, "backend_cpu": (int(fields[11]) + int(fields[12])) / ticks}))
"""


def owner_url() -> str:
    return os.environ["DATABASE_OWNER_URL"]


def make_tenant() -> Tenant:
    from borough.revenues.models import Parish
    from borough.revenues.services import parish_create, precept_set
    from borough.tenancy.services import tenant_create

    tenant = Tenant.objects.filter(slug=SLUG).first()
    with acting_as(Actor.system("benchmark")):
        if tenant is None:
            tenant, _admin, _ = tenant_create(
                slug=SLUG,
                name="Benchtown District Council",
                kind="council",
                reference_prefix="BBL",
                admin_username="benchbill-admin",
                admin_password="benchmark-password-1",  # noqa: S106 - a throwaway benchmark database
            )
        with tenant_scope(tenant):
            if not Parish.objects.exists():
                for n in range(PARISHES):
                    parish = parish_create(tenant=tenant, code=f"P{n:02d}", name=f"Parish {n}")
                    precept_set(
                        tenant=tenant,
                        financial_year=YEAR,
                        kind="parish",
                        authority=f"Parish {n} Council",
                        band_d=f"{20 + 7 * n}.50",
                        parish=parish,
                    )
                for kind, authority, band_d in PRECEPTS:
                    precept_set(tenant=tenant, financial_year=YEAR, kind=kind, authority=authority, band_d=band_d)
    return tenant


def seed(tenant: Tenant, accounts: int) -> float:
    from borough.revenues.models import Parish

    with tenant_scope(tenant):
        parishes = "{" + ",".join(str(pk) for pk in Parish.objects.order_by("pk").values_list("pk", flat=True)) + "}"
    started = time.perf_counter()
    with psycopg.connect(owner_url(), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {', '.join(REVENUES_TABLES)} CASCADE")
        connection.execute("DELETE FROM core_runchunk WHERE tenant_id = %s", [tenant.pk])
    subprocess.run(  # noqa: S603 - our own psql command
        [  # noqa: S607 - psql from the PATH, as the docs run it
            "psql", owner_url(), "-q", "-f", str(SEED), "-v", f"tenant={tenant.pk}", "-v", f"n={accounts}",
            "-v", f"parishes={parishes}", "-v", "prefix=BBL",
        ],
        check=True,
    )  # fmt: skip
    with psycopg.connect(owner_url(), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE revenues_bill")
    return time.perf_counter() - started


def _rss_kib(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def _postgres_backends() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class MemoryWatch(threading.Thread):
    """Samples, every 50 ms, the RSS of the workers and of PostgreSQL's processes; keeps the peak of the sum."""

    def __init__(self, workers: list[subprocess.Popen]):
        super().__init__(daemon=True)
        self.workers, self.stop, self.peak_total, self.peak_postgres = workers, threading.Event(), 0, 0
        self.baseline_postgres = sum(_rss_kib(pid) for pid in _postgres_backends())

    def run(self) -> None:
        while not self.stop.is_set():
            workers = sum(_rss_kib(worker.pid) for worker in self.workers)
            postgres = sum(_rss_kib(pid) for pid in _postgres_backends()) - self.baseline_postgres
            self.peak_postgres = max(self.peak_postgres, postgres)
            self.peak_total = max(self.peak_total, workers + postgres)
            time.sleep(0.05)


def bill(tenant: Tenant, workers: int) -> dict:
    """Start `workers` processes, wait until each has loaded Django (as a Celery worker has, long before a run),
    then start the run and time it to its end."""
    from borough.core.runs import run_start

    processes = [
        subprocess.Popen(  # noqa: S603 - this Python running our own worker script
            [sys.executable, "-c", WORKER, SLUG], env=os.environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]  # fmt: skip
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    with tenant_scope(tenant), acting_as(Actor.system("benchmark")):
        run = run_start(
            tenant=tenant,
            kind="revenues.annual_billing",
            parameters={"financial_year": YEAR, "issued_on": "2026-03-02"},
            dispatch=False,
        )
    watch = MemoryWatch(processes)
    watch.start()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for process in processes:
        process.stdin.write(f"{run.pk}\n")
        process.stdin.flush()
    peaks: dict[int, int] = {}
    while any(process.poll() is None for process in processes):
        for process in processes:
            peaks[process.pid] = max(peaks.get(process.pid, 0), _rss_kib(process.pid, "VmHWM"))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    watch.stop.set()
    watch.join()
    cpu = [json.loads(process.stdout.read().strip().splitlines()[-1]) for process in processes]
    with tenant_scope(tenant):
        from borough.revenues.models import Bill

        run = Run.objects.get(pk=run.pk)
        bills = Bill.objects.filter(run=run).count()
        instalments = sum(len(plan) for plan in Bill.objects.filter(run=run).values_list("instalments", flat=True))
    return {
        "run": run.pk,
        "status": run.status,
        "seconds": elapsed,
        "load": (load_before, os.getloadavg()[0]),
        "workers_cpu": sum(item["cpu"] for item in cpu),
        "postgres_cpu": sum(item["backend_cpu"] for item in cpu),
        "bills": bills,
        "instalments": instalments,
        "workers_peak_mib": sum(peaks.values()) / 1024,
        "postgres_peak_mib": watch.peak_postgres / 1024,
        "total_peak_mib": watch.peak_total / 1024,
        "errors": run.errors[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Annual billing on PostgreSQL: wall time and peak memory")
    parser.add_argument("--accounts", type=int, nargs="+", default=[12_000, 120_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="Bill the data already seeded (its bills deleted)")
    args = parser.parse_args()
    tenant = make_tenant()
    print(f"machine: {os.cpu_count()} cores; writer {os.environ.get('BOROUGH_BILL_WRITER', 'copy')}", flush=True)
    for accounts in args.accounts:
        if args.reuse:
            with psycopg.connect(owner_url(), autocommit=True) as connection:
                connection.execute("TRUNCATE revenues_bill CASCADE")
                connection.execute("VACUUM ANALYZE revenues_bill")
        else:
            seconds = seed(tenant, accounts)
            print(f"seeded {accounts:,} dwellings with accounts in {seconds:.1f} s", flush=True)
        outcome = bill(tenant, args.workers)
        print(
            f"{accounts:>9,} accounts, {args.workers} worker(s): {outcome['seconds']:6.1f} s wall "
            f"({outcome['bills'] / outcome['seconds']:,.0f} bills/s; load average {outcome['load'][0]:.1f} before, "
            f"{outcome['load'][1]:.1f} after); CPU: workers {outcome['workers_cpu']:.1f} s, PostgreSQL backends "
            f"{outcome['postgres_cpu']:.1f} s; {outcome['bills']:,} bills, {outcome['instalments']:,} instalments; "
            f"peak RSS workers {outcome['workers_peak_mib']:.0f} MiB, PostgreSQL +{outcome['postgres_peak_mib']:.0f} "
            f"MiB, together {outcome['total_peak_mib']:.0f} MiB; run {outcome['run']} {outcome['status']} "
            f"{outcome['errors'] or ''}",
            flush=True,
        )


if __name__ == "__main__":
    main()
