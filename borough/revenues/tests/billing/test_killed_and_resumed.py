"""The annual run on a real Celery worker on PostgreSQL, killed (SIGKILL) half way through and resumed by
another worker: every account is billed exactly once.

To kill it at a known point the test holds chunk 4's advisory lock (the one run_execute takes per chunk): the
worker does every other chunk, then waits for that one inside its transaction; it is killed there. The broker
gives its unacknowledged task (acks_late) to the next worker, which resumes the run."""

import signal
import time
import uuid
from datetime import date

import pytest
from django.db import connection

from borough.core.audit import Actor, acting_as
from borough.core.models import Run, RunChunk
from borough.core.runs import run_start
from borough.core.tasks import run_execute_task
from borough.core.tests.test_celery_worker import (
    BROKER_URL,
    delete_queue,
    dispatching_to,
    require_broker,
    start_worker,
    stop_worker,
    wait_until_finished,
)
from borough.revenues.models import Bill
from borough.revenues.services import precept_set
from borough.revenues.tests.factories import make_account, make_dwelling
from borough.tenancy.scope import tenant_scope

YEAR = "2026-27"
ACCOUNTS, CHUNK = 24, 3
HELD = 4


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting for the worker")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_annual_run_resumed_by_another_worker_bills_everyone_once(
    on_postgres, tenant_a, tmp_path, monkeypatch
):
    require_broker()
    monkeypatch.setenv("BOROUGH_BILLING_CHUNK_SIZE", str(CHUNK))
    monkeypatch.setenv("BOROUGH_BILLING_WORKERS", "1")
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        precept_set(tenant=tenant_a, financial_year=YEAR, kind="billing", authority="Northfield DC", band_d="1800.00")
        accounts = [make_account(tenant_a, make_dwelling(tenant_a), start=date(2020, 1, 1)) for _ in range(ACCOUNTS)]
        run = run_start(
            tenant=tenant_a,
            kind="revenues.annual_billing",
            parameters={"financial_year": YEAR, "issued_on": "2026-03-02"},
            dispatch=False,
        )
    queue = f"borough-test-h2bill-{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [run.pk % 2**31, HELD])
    first = start_worker(queue, tmp_path, tmp_path / "first.log")
    second = None
    try:
        with dispatching_to(BROKER_URL, queue):
            run_execute_task.delay(tenant_id=tenant_a.pk, run_id=run.pk)

        def others_done() -> bool:
            with tenant_scope(tenant_a):
                return RunChunk.objects.filter(run=run).count() == ACCOUNTS // CHUNK - 1

        wait_for(others_done)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with tenant_scope(tenant_a):
            half = Run.objects.get(pk=run.pk)
            assert half.status == Run.Status.RUNNING and Bill.objects.count() == ACCOUNTS - CHUNK
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [run.pk % 2**31, HELD])
        second = start_worker(queue, tmp_path, tmp_path / "second.log")
        run = wait_until_finished(tenant_a, run, second, tmp_path / "second.log")
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                stop_worker(worker)
        delete_queue(queue)

    assert run.status == Run.Status.SUCCEEDED, run.errors
    with tenant_scope(tenant_a):
        billed = sorted(Bill.objects.filter(run=run).values_list("account_id", flat=True))
        assert billed == sorted(account.pk for account in accounts)  # each exactly once
        assert RunChunk.objects.filter(run=run).count() == ACCOUNTS // CHUNK
        assert run.processed_items == run.succeeded_items == ACCOUNTS
        assert run.result["bills"] == ACCOUNTS and run.result["totals"]["charge"] == str(1800 * ACCOUNTS) + ".00"
