"""Channel reporting speed (issue 4, ADR 0018): the dashboard's "Contacts by channel" section and the provider's
summary, timed in-process on a large tenant (server time of the selectors; no network, no templates).

    export DATABASE_URL=postgres://borough_app@127.0.0.1:5432/borough_bench
    export DATABASE_OWNER_URL=postgres://postgres@127.0.0.1:5432/borough_bench
    .venv/bin/python -m bench.crm_seed --cases 1000000       # once: cases and residents
    psql postgres://postgres@127.0.0.1:5432/borough_bench -f bench/channel_report_seed.sql   # once: contacts, replies
    .venv/bin/python -m bench.channel_report_bench

The seed gives every case its inbound contact on the case's channel and an automatic acknowledgement, 20% a further
contact, 70% a published update within three days, and 30% of telephone cases a call-back recorded by an agent.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789abcdef")

import django  # noqa: E402

django.setup()

from borough.crm import channel_report  # noqa: E402
from borough.tenancy.models import Tenant  # noqa: E402
from borough.tenancy.scope import all_tenants_scope, tenant_scope  # noqa: E402


def timed(label: str, function, runs: int) -> None:
    function()  # warm the caches, as a dashboard opened twice would be
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"{label:40s} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms   ({runs} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Channel reporting: selector timings on a large tenant")
    parser.add_argument("--tenant", default="benchtown")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tenant = Tenant.objects.get(slug=args.tenant)
    since, until = channel_report.default_range()
    year = until - timedelta(days=365)
    with tenant_scope(tenant):
        timed(
            "contacts per day, 28 days",
            lambda: channel_report.contacts_per_day(tenant=tenant, since=since, until=until),
            args.runs,
        )
        timed(
            "response times, 28 days",
            lambda: channel_report.response_times(tenant=tenant, since=since, until=until),
            args.runs,
        )
        timed("channel shift, 12 weeks", lambda: channel_report.contacts_shift(tenant=tenant, unit="week"), args.runs)
        timed("channel shift, 12 months", lambda: channel_report.contacts_shift(tenant=tenant, unit="month"), args.runs)
        timed(
            "whole section (28 days, weeks)",
            lambda: channel_report.channel_report(tenant=tenant, since=since, until=until),
            args.runs,
        )
        timed(
            "response times, 366 days", lambda: channel_report.response_times(tenant=tenant, since=year, until=until), 3
        )
    with all_tenants_scope():
        summary = lambda: channel_report.contacts_by_tenant(since=since, until=until)  # noqa: E731
        timed("provider summary, 28 days", summary, args.runs)


if __name__ == "__main__":
    main()
