"""What one case creation costs in CPU (issue 3), measured in this process one request after another, so that the
figure hardly moves with whatever else the machine is doing (unlike requests a second under wrk):

    export DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench
    export DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench
    .venv/bin/python -m bench.crm_intake_cost --requests 1000     # after bench.crm_seed

Python: this process's CPU time (Django's whole handling of the request through the test client: middleware, view,
services, serialisation; not gunicorn's HTTP parsing). PostgreSQL: the CPU time of this connection's server process,
read from /proc (so the database must run on this machine). Each Open311 report comes from a new resident.
"""

import argparse
import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from borough.crm.models import Service  # noqa: E402
from borough.identity.services import apikey_create  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import tenant_scope  # noqa: E402

SLUG = "benchtown"
HOST = "benchtown.localhost"
WARM_UP = 30


def server_cpu_seconds() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: PTH123, SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU a case creation costs, in-process")
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to the benchmark's PostgreSQL database (bench/crm_seed.py)")
    tenant = Tenant.objects.get(slug=SLUG)
    with tenant_scope(tenant):
        service = Service.objects.filter(is_active=True, questions__isnull=True).order_by("id").first()
        _record, key = apikey_create(tenant=tenant, name=f"cost {time.time():.0f}", scopes=["write", "open311"])
    client = Client(HTTP_HOST=HOST)
    run = f"{time.time_ns():x}"

    def api(_number: int):
        body = json.dumps({"service": service.code, "description": "Bench case", "channel": "phone"})
        return client.post(
            "/api/v1/cases/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}", secure=True
        )

    def open311(number: int):
        body = (
            f"api_key={key}&service_code={service.code}&description=Bench+report&lat=52.1&long=-1.1"
            f"&email=resident.cost.{run}.{number}%40example.org"
        )
        return client.post(
            "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded", secure=True
        )

    for name, post in (("API POST /api/v1/cases/", api), ("Open311 POST requests.json, a new resident each", open311)):
        for number in range(WARM_UP):  # configuration kept, statements prepared, templates compiled
            post(number)
        python, server, wall = time.process_time(), server_cpu_seconds(), time.perf_counter()
        for number in range(WARM_UP, WARM_UP + args.requests):
            response = post(number)
            if response.status_code != 201:
                raise SystemExit(f"{name}: {response.status_code} {response.content[:300]!r}")
        python = (time.process_time() - python) * 1000 / args.requests
        server = (server_cpu_seconds() - server) * 1000 / args.requests
        wall = (time.perf_counter() - wall) * 1000 / args.requests
        print(f"{name}: Python {python:.2f} ms, PostgreSQL {server:.2f} ms, wall {wall:.2f} ms a request")


if __name__ == "__main__":
    main()
