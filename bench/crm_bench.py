"""CRM speed at a million cases (issue 3): case search and the case page (server time, 95th percentile), and case
creation through the API and Open311 (cases per second, none lost).

    # once: a database with a million cases (bench/crm_seed.py)
    export DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench
    export DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench
    .venv/bin/python -m bench.crm_seed --cases 1000000
    # then
    .venv/bin/python -m bench.crm_bench            # needs `wrk` (apt-get install wrk) for the creation part

Server time is measured around Django's request handling in this process (the WSGI handler, middleware, views,
templates and queries; no network). Creation is measured with wrk against gunicorn on loopback, then every 201 is
checked against the rows in the database.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("BOROUGH_REQUIRE_2FA", "false")
# One API key sends every request: the per-key limit (1200 a minute by default) would measure the throttle.
os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402

HOST = "benchtown.localhost"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(client: Client, url: str, expect: tuple[int, ...] = (200,)) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in expect:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<28} n={len(samples):<4} p50={statistics.median(samples):6.1f} ms  "
        f"p95={percentile(samples, 0.95):6.1f} ms  max={max(samples):6.1f} ms",
        flush=True,
    )


def sample_queries(tenant: Tenant, count: int, rng: random.Random) -> dict[str, list[str]]:
    from borough.crm.models import Case
    from borough.people.models import Address, ContactPoint, Person

    with tenant_scope(tenant):
        total = Case.objects.count()
        ids = [rng.randint(1, total) for _ in range(count)]
        references = [f"BEN-{n:07d}" for n in ids]
        people = list(Person.objects.order_by("?").values_list("family_name", "given_name")[:count])
        emails = list(ContactPoint.objects.filter(kind="email").order_by("?").values_list("value", flat=True)[:count])
        phones = list(ContactPoint.objects.filter(kind="phone").order_by("?").values_list("value", flat=True)[:count])
        postcodes = list(Address.objects.order_by("?").values_list("postcode", flat=True)[:count])
    print(f"tenant {tenant.slug}: {total:,} cases", flush=True)
    return {
        "reference": references,
        "name": [f"{given} {family}" for family, given in people],
        "postcode": postcodes,
        "email": emails,
        "phone": phones,
    }


def measure_reads(tenant: Tenant, count: int) -> None:
    rng = random.Random(7)
    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username="bench-agent"))
    queries = sample_queries(tenant, count, rng)
    for url in ("/staff/crm/", f"/staff/crm/search/?q={queries['postcode'][0]}"):  # warm the caches
        timed(client, url, (200, 302))
    all_searches = []
    for kind, values in queries.items():
        samples = [timed(client, f"/staff/crm/search/?q={quote_plus(value)}", (200, 302)) for value in values]
        all_searches += samples
        report(f"search by {kind}", samples)
    report("search (all kinds)", all_searches)
    report("case page", [timed(client, f"/staff/crm/cases/{ref}/") for ref in queries["reference"]])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Host"] = "%(host)s"
wrk.headers["Content-Type"] = "%(content_type)s"
%(auth)s
-- Each request from a resident never seen before where the body names one: RESIDENT becomes this run's id, the
-- wrk thread's number and a counter (each wrk thread has its own Lua state, so the thread number keeps them apart).
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
request = function()
  counter = counter + 1
  local resident = "%(run)s-" .. tostring(thread_number) .. "-" .. counter
  local body = string.gsub([[%(body)s]], "RESIDENT", resident)
  return wrk.format(nil, nil, nil, body)
end"""


def wait_until_serving(port: int, timeout: float = 120) -> None:
    """Until gunicorn's workers answer (they take seconds to boot, more on a busy machine)."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz", headers={"Host": HOST})
            if probe.getresponse().status == 200:
                time.sleep(2)  # the other workers finish booting too
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f}s")


def measure_creation(
    tenant: Tenant,
    seconds: int,
    connections: int,
    workers: int,
    worker_class: str = "sync",
    threads: int = 1,
    only: str = "",
) -> None:
    if not shutil.which("wrk"):
        print("creation: skipped (install wrk: apt-get install wrk)")
        return
    from borough.crm.models import Case, Service
    from borough.identity.services import apikey_create
    from borough.people.models import Person

    with tenant_scope(tenant):
        service = Service.objects.filter(is_active=True, questions__isnull=True).order_by("id").first()
        _record, key = apikey_create(
            tenant=tenant, name=f"bench {time.time():.0f}", scopes=["read", "write", "open311"]
        )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--worker-class",
            worker_class,  # sync closes each connection; gthread keeps it alive between requests
            "--threads",
            str(threads),
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        start_new_session=True,
    )
    try:
        wait_until_serving(port)
        targets = {
            "API POST /api/v1/cases/": (
                "/api/v1/cases/",
                "application/json",
                f'wrk.headers["Authorization"] = "Api-Key {key}"',
                f'{{"service": "{service.code}", "description": "Bench case", "channel": "phone"}}',
            ),
            "Open311 POST requests.json": (
                "/open311/v2/requests.json",
                "application/x-www-form-urlencoded",
                "",
                f"api_key={key}&service_code={service.code}&description=Bench+report&lat=52.1&long=-1.1"
                "&email=resident.RESIDENT%40example.org",
            ),
        }
        for name, (path, content_type, auth, body) in targets.items():
            if only and not name.startswith(only):
                continue
            with tenant_scope(tenant):
                before, people_before = Case.objects.count(), Person.objects.count()
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                run = f"{time.time_ns():x}"  # a new id each run: earlier runs' residents are never found again
                script.write(
                    WRK_SCRIPT % {"host": HOST, "content_type": content_type, "auth": auth, "body": body, "run": run}
                )
            result = subprocess.run(  # noqa: S603
                [
                    shutil.which("wrk"),
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "-s",
                    script.name,
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            with tenant_scope(tenant):
                after, people_after = Case.objects.count(), Person.objects.count()
            lines = result.stdout.splitlines()
            completed = next(int(line.split()[0]) for line in lines if "requests in" in line)
            failed = next((int(line.split()[-1]) for line in lines if "Non-2xx" in line), 0)
            created = completed - failed
            print(
                f"{name}: {created / seconds:.0f} created/s over {seconds}s with {connections} connections; "
                f"{created} answered 201, {failed} not 2xx, {after - before} new rows, "
                f"{people_after - people_before} new residents "
                f"({'none lost' if after - before >= created else 'LOST ' + str(created - (after - before))})"
            )
            print("  " + " | ".join(line.strip() for line in lines if "Latency" in line or "99%" in line), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description="CRM speed at a million cases")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=["API", "Open311"], default="", help="measure one way of creating cases")
    parser.add_argument("--skip-creation", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    args = parser.parse_args()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # production settings serve hashed names
        call_command("collectstatic", "--noinput", verbosity=0)
    tenant = Tenant.objects.get(slug="benchtown")
    if not args.skip_reads:
        measure_reads(tenant, args.samples)
    if not args.skip_creation:
        measure_creation(
            tenant, args.seconds, args.connections, args.workers, args.worker_class, args.threads, args.only
        )


if __name__ == "__main__":
    main()
