"""A real Celery worker, in its own process, on the local RabbitMQ, executes a run started by `run_start`, on
the test's own database (SQLite file or PostgreSQL), and writes the export where this process can read it."""

import csv
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent, Run
from borough.core.runs import run_directory, run_start
from borough.core.tests.runs_helpers import add_events, uk
from borough.tenancy.scope import tenant_scope
from config.celery import app as celery_app
from conftest import service_missing

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
WAIT_SECONDS = 60


def require_broker() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        service_missing("RabbitMQ at 127.0.0.1:5672 not reachable")


def _forget_broker_connections() -> None:
    # Celery keeps the connection pool, producers, queues and routes of the configuration it first used (the
    # in-memory broker of the test settings); dropping them makes the next send use the configuration now.
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextmanager
def dispatching_to(broker_url: str, queue: str):
    """Send tasks to a real broker and queue, instead of running them eagerly as the test settings do."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, conf.task_default_queue
    conf.task_always_eager, conf.broker_url, conf.task_default_queue = False, broker_url, queue
    _forget_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url, conf.task_default_queue = saved
        _forget_broker_connections()


def _die_with_this_process() -> None:
    """Linux: the worker gets SIGTERM if the test process dies, so no orphan keeps consuming."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker(queue: str, var_dir: Path, log: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BROKER_URL": BROKER_URL,
        # The test database (a file under var/ on SQLite, test_<name> on PostgreSQL), and files under var_dir.
        "BOROUGH_TEST_DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
        "BOROUGH_VAR_DIR": str(var_dir),
    }
    celery = Path(sys.executable).parent / "celery"
    # A node name of its own: two workers named celery@<host> (from parallel test processes) would both claim the
    # exclusive remote-control queue celery@<host>.celery.pidbox, and the second would fail (RESOURCE_LOCKED).
    command = [
        str(celery), "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
        "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_this_process,
        )  # fmt: skip


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()  # a warm shutdown; closing its broker connection can take ~10 s, so do not wait for it
    try:
        worker.wait(timeout=3)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


def delete_queue(queue: str) -> None:
    with celery_app.connection_for_write(BROKER_URL) as connection:
        connection.default_channel.queue_delete(queue)


def wait_until_finished(tenant, run: Run, worker: subprocess.Popen, log: Path) -> Run:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with tenant_scope(tenant):
            run.refresh_from_db()
        if run.is_finished:
            return run
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(0.25)
    pytest.fail(f"run {run.pk} still {run.status} after {WAIT_SECONDS} s:\n{log.read_text(errors='replace')}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_started_run_on_the_test_database(tenant_a, settings, tmp_path):
    require_broker()
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker writes, as BOROUGH_VAR_DIR=tmp_path tells it
    events = add_events(tenant_a, uk(date(2026, 1, 1), 9), uk(date(2026, 1, 3), 17), uk(date(2026, 1, 1), 8))
    queue = f"borough-test-{uuid.uuid4().hex[:12]}"  # its own queue: no other worker can take the task
    log = tmp_path / "worker.log"
    worker = start_worker(queue, tmp_path, log)
    try:
        with dispatching_to(BROKER_URL, queue), tenant_scope(tenant_a), acting_as(Actor.system("test")):
            run = run_start(
                tenant=tenant_a, kind="core.audit_export", parameters={"from": "2026-01-01", "to": "2026-01-03"}
            )  # committed at once (a transactional test), so its task is published now
        run = wait_until_finished(tenant_a, run, worker, log)
    finally:
        stop_worker(worker)
        delete_queue(queue)

    assert run.status == Run.Status.SUCCEEDED, run.errors
    assert (run.total_items, run.processed_items, run.succeeded_items) == (3, 3, 3)
    with (run_directory(run) / "audit-export.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert [row[0] for row in rows[1:]] == [str(events[2].pk), str(events[0].pk), str(events[1].pk)]
    with tenant_scope(tenant_a):
        began = AuditEvent.objects.get(object_type="core.run", object_id=str(run.pk), action="run.execute")
    assert began.actor_label == "task run_execute_task"
    assert "run_execute_task" in log.read_text(errors="replace")
