"""`borough run start|resume|cancel|list`: runs from the command line, with a progress bar."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from borough.core.models import AuditEvent, Run, RunChunk
from borough.core.runs import RUN_KINDS
from borough.core.tests.runs_helpers import add_events, uk
from borough.tenancy.scope import tenant_scope

EXPORT = ["core.audit_export", "--param", "from=2026-01-01", "--param", "to=2026-01-03"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def borough_run(*args) -> str:
    out = StringIO()
    call_command("run", *args, stdout=out)
    return out.getvalue()


def test_start_wait_executes_the_run_here_with_a_progress_bar(tenant_a):
    add_events(tenant_a, uk(date(2026, 1, 2)), uk(date(2026, 1, 3)))
    output = borough_run("start", *EXPORT, "--wait", "--tenant", "northfield")
    assert "3/3" in output and "chunks" in output
    assert "succeeded: 2 succeeded, 0 failed" in output and "audit-export.csv" in output
    with tenant_scope(tenant_a):
        run = Run.objects.get()
        assert run.status == Run.Status.SUCCEEDED and run.result["rows"] == 2
        start = AuditEvent.objects.get(action="run.start", object_id=str(run.pk))
    assert start.actor_label == "command run"


def test_start_without_wait_queues_the_run_for_a_worker_when_there_is_a_broker(tenant_a, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    output = borough_run("start", *EXPORT, "--tenant", "northfield")
    assert "is queued for a worker" in output
    with tenant_scope(tenant_a):
        assert Run.objects.get().status == Run.Status.QUEUED  # dispatched once the command's transaction commits


def test_resume_carries_on_a_run_that_was_killed(tenant_a, monkeypatch):
    add_events(tenant_a, uk(date(2026, 1, 1)), uk(date(2026, 1, 3)))
    kind = RUN_KINDS["core.audit_export"]
    real = kind.process_chunk

    def killed_on_the_third_day(run, chunk):
        if chunk["day"] == "2026-01-03":
            raise KeyboardInterrupt
        return real(run, chunk)

    monkeypatch.setattr(kind, "process_chunk", killed_on_the_third_day)
    with pytest.raises(KeyboardInterrupt):
        borough_run("start", *EXPORT, "--wait", "--tenant", "northfield")
    monkeypatch.setattr(kind, "process_chunk", real)
    with tenant_scope(tenant_a):
        run = Run.objects.get()
        assert run.status == Run.Status.RUNNING and RunChunk.objects.count() == 2
    output = borough_run("resume", str(run.pk), "--tenant", "northfield")
    assert "3/3" in output and "2 succeeded" in output
    with tenant_scope(tenant_a):
        assert Run.objects.get().status == Run.Status.SUCCEEDED
    with pytest.raises(CommandError, match="has succeeded; start a new one"):
        borough_run("resume", str(run.pk), "--tenant", "northfield")


def test_list_and_cancel(tenant_a, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    borough_run("start", *EXPORT, "--tenant", "northfield")
    with tenant_scope(tenant_a):
        run = Run.objects.get()
    assert "is cancelled" in borough_run("cancel", str(run.pk), "--tenant", "northfield")
    listing = borough_run("list", "--tenant", "northfield")
    assert str(run.pk) in listing and "core.audit_export" in listing and "cancelled" in listing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["start", "core.audit_export", "--param", "from=2026-01-31", "--param", "to=2026-01-01"], "to: The end date"),
        (["start", "core.audit_export", "--param", "from"], "Give each --param as NAME=VALUE"),
        (["start", "core.nothing"], "Unknown kind of run 'core.nothing'"),
        (["resume", "4242"], "No run 4242 in this tenant"),
    ],
)
def test_bad_input_gets_a_clear_error(tenant_a, args, message):
    with pytest.raises(CommandError, match=message):
        borough_run(*args, "--tenant", "northfield")


def test_another_tenants_run_cannot_be_resumed(tenant_a, tenant_b, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    borough_run("start", *EXPORT, "--tenant", "southvale")
    with tenant_scope(tenant_b):
        theirs = Run.objects.get()
    with pytest.raises(CommandError, match=f"No run {theirs.pk} in this tenant"):
        borough_run("resume", str(theirs.pk), "--tenant", "northfield")
