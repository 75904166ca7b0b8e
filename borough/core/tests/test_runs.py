"""Batch runs: chunks and progress, resuming after a crash with nothing twice, validation, cancelling, the
Celery task base, and the audit export's CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from borough.core.audit import Actor, acting_as
from borough.core.models import AuditEvent, Run, RunChunk
from borough.core.runs import (
    MAX_STORED_ERRORS,
    RUN_KINDS,
    RunKind,
    run_cancel,
    run_directory,
    run_execute,
    run_kind,
    run_kinds,
    run_resume,
    run_start,
)
from borough.core.tasks import run_execute_task
from borough.core.tests.runs_helpers import add_events, uk
from borough.tenancy.models import Tenant
from borough.tenancy.scope import tenant_scope

JAN_1, JAN_2, JAN_3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def in_a(tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        yield tenant_a


def start(tenant, first=JAN_1, last=JAN_3, **kwargs) -> Run:
    parameters = {"from": first.isoformat(), "to": last.isoformat()}
    return run_start(tenant=tenant, kind="core.audit_export", parameters=parameters, dispatch=False, **kwargs)


def export_rows(run: Run) -> list[list[str]]:
    path = run_directory(run) / "audit-export.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


class SimulatedCrash(BaseException):
    """Like a worker killed mid-chunk: not an Exception, so nothing catches it on the way out."""


def test_one_chunk_per_day_with_the_days_events_in_uk_time(in_a):
    add_events(in_a, uk(JAN_1, 9), uk(JAN_1, 23, 59), uk(JAN_3, 0, 0), uk(date(2025, 12, 31), 23, 59))
    summer = date(2025, 7, 1)
    # 23:30 UTC on 1 July is 00:30 on 2 July in London: it belongs to the 2nd.
    add_events(in_a, datetime(2025, 7, 1, 23, 30, tzinfo=UTC))
    run = start(in_a)
    assert RUN_KINDS["core.audit_export"].chunks(run) == [
        {"day": "2026-01-01", "items": 2},
        {"day": "2026-01-02", "items": 0},
        {"day": "2026-01-03", "items": 1},
    ]
    summer_run = start(in_a, summer, summer + timedelta(days=1))
    assert [c["items"] for c in RUN_KINDS["core.audit_export"].chunks(summer_run)] == [0, 1]


def test_a_run_executes_its_chunks_reports_progress_and_writes_the_csv(in_a):
    events = add_events(in_a, uk(JAN_3, 8), uk(JAN_1, 10), uk(JAN_1, 9), uk(JAN_2, 17))
    add_events(in_a, uk(date(2026, 1, 4), 0, 1))  # after the range
    run = start(in_a)
    seen = []
    run = run_execute(run=run, on_progress=lambda r, done, total: seen.append((done, total, r.processed_items)))
    assert seen == [(0, 3, 0), (1, 3, 2), (2, 3, 3), (3, 3, 4)]
    assert run.status == Run.Status.SUCCEEDED and run.finished_at and run.started_at
    assert (run.total_items, run.processed_items, run.succeeded_items, run.failed_items) == (4, 4, 4, 0)
    assert run.percent_done == 100 and run.errors == []
    assert RunChunk.objects.filter(run=run).count() == 3
    rows = export_rows(run)
    assert rows[0][:5] == ["id", "occurred_at", "actor_type", "actor_label", "action"]
    in_order = [events[2], events[1], events[3], events[0]]
    assert [row[0] for row in rows[1:]] == [str(e.pk) for e in in_order]
    assert rows[1][1] == "2026-01-01T09:00:00+00:00" and rows[1][8] == '{"n": [2, 3]}'
    assert run.result == {
        "file": f"tenants/{in_a.pk}/runs/{run.pk}/audit-export.csv",
        "rows": 4,
        "bytes": (run_directory(run) / "audit-export.csv").stat().st_size,
    }
    actions = list(AuditEvent.objects.filter(object_id=str(run.pk), object_type="core.run").values_list("action"))
    assert sorted(a for (a,) in actions) == ["run.execute", "run.finish", "run.start"]


def test_the_export_only_holds_the_tenants_own_events_recorded_before_it_started(in_a, tenant_b):
    add_events(tenant_b, uk(JAN_1))
    add_events(in_a, uk(JAN_1))
    run = run_execute(run=start(in_a, JAN_1, JAN_1))
    assert run.succeeded_items == 1
    assert [row[3] for row in export_rows(run)[1:]] == ["test"]


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(in_a):
    with tenant_scope(in_a):
        AuditEvent.objects.create(
            tenant=in_a,
            occurred_at=uk(JAN_1),
            actor_type="user",
            actor_label='=HYPERLINK("x")',
            action="test",
            object_type="x.y",
            object_id="1",
            object_repr="@SUM(A1)",
        )
    rows = export_rows(run_execute(run=start(in_a, JAN_1, JAN_1)))
    assert rows[1][3] == '\'=HYPERLINK("x")' and rows[1][7] == "'@SUM(A1)"


def test_a_run_killed_half_way_resumes_and_gives_the_same_file_with_nothing_twice(in_a, monkeypatch):
    events = add_events(in_a, uk(JAN_1, 9), uk(JAN_1, 10), uk(JAN_2, 11), uk(JAN_3, 12), uk(JAN_3, 13))
    whole = run_execute(run=start(in_a))

    kind = RUN_KINDS["core.audit_export"]
    real_process_chunk = kind.process_chunk

    def crash_after_the_second_days_file(run, chunk):
        result = real_process_chunk(run, chunk)
        if chunk["day"] == JAN_2.isoformat():
            raise SimulatedCrash  # the day's file is written, its transaction never commits
        return result

    monkeypatch.setattr(kind, "process_chunk", crash_after_the_second_days_file)
    halted = start(in_a)
    with pytest.raises(SimulatedCrash):
        run_execute(run=halted)
    halted.refresh_from_db()
    assert halted.status == Run.Status.RUNNING
    assert list(RunChunk.objects.filter(run=halted).values_list("index", flat=True)) == [0]
    assert (halted.processed_items, halted.succeeded_items) == (2, 2)
    assert (run_directory(halted) / "day-2026-01-02.csv").exists()
    assert not (run_directory(halted) / "audit-export.csv").exists()

    monkeypatch.setattr(kind, "process_chunk", real_process_chunk)
    resumed = run_execute(run=halted)
    assert resumed.status == Run.Status.SUCCEEDED
    assert (resumed.processed_items, resumed.succeeded_items, resumed.failed_items) == (5, 5, 0)
    assert sorted(RunChunk.objects.filter(run=halted).values_list("index", flat=True)) == [0, 1, 2]
    assert export_rows(resumed) == export_rows(whole)
    ids = [row[0] for row in export_rows(resumed)[1:]]
    assert sorted(ids) == sorted(str(e.pk) for e in events) and len(set(ids)) == len(ids)


def test_executing_a_finished_run_again_changes_nothing(in_a):
    add_events(in_a, uk(JAN_2))
    run = run_execute(run=start(in_a))
    path = run_directory(run) / "audit-export.csv"
    before = (path.stat().st_mtime_ns, AuditEvent.objects.count(), RunChunk.objects.count())
    again = run_execute(run=run)
    assert again.status == Run.Status.SUCCEEDED and again.finished_at == run.finished_at
    assert (path.stat().st_mtime_ns, AuditEvent.objects.count(), RunChunk.objects.count()) == before
    with pytest.raises(ValidationError) as error:
        run_resume(run=run, dispatch=False)
    assert "start a new one" in str(error.value.message_dict["run"])


@pytest.mark.parametrize(
    ("parameters", "field", "message"),
    [
        ({"to": "2026-01-31"}, "from", "Enter the start date"),
        ({"from": "2026-01-01", "to": ""}, "to", "Enter the end date"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from", "must be a real date"),
        ({"from": "2026-01-31", "to": "2026-01-01"}, "to", "same as or after the start date"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "to", "at most 366 days"),
        ({"from": "2024-01-01", "to": "2099-01-01"}, "to", "at most 366 days"),
        ({"from": "2099-01-01", "to": "2099-01-02"}, "to", "today or in the past"),
        (
            {"from": "2026-01-01", "to": "2026-01-02", "format": "xlsx"},
            "parameters",
            "Unknown parameters: format",
        ),
    ],
)
def test_bad_parameters_are_refused_field_by_field_and_nothing_is_recorded(in_a, parameters, field, message):
    with pytest.raises(ValidationError) as error:
        run_start(tenant=in_a, kind="core.audit_export", parameters=parameters, dispatch=False)
    assert message in " ".join(error.value.message_dict[field])
    assert Run.objects.count() == 0


def test_a_full_year_including_a_leap_day_is_allowed(in_a):
    run = run_start(
        tenant=in_a,
        kind="core.audit_export",
        parameters={"from": "2024-01-01", "to": "2024-12-31"},
        dispatch=False,
    )
    assert run.parameters == {"from": "2024-01-01", "to": "2024-12-31"}
    assert len(RUN_KINDS["core.audit_export"].chunks(run)) == 366


def test_an_unknown_kind_is_refused(in_a):
    with pytest.raises(ValidationError) as error:
        run_start(tenant=in_a, kind="core.nothing", parameters={}, dispatch=False)
    assert "core.audit_export" in error.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as error:
        run_start(tenant=in_a, kind="core.audit_export", parameters=["2026-01-01"], dispatch=False)
    assert "parameters" in error.value.message_dict


@pytest.fixture
def item_kind():
    """A kind of run whose items fail at will: chunk n holds `size` items, of which `bad` fail."""
    calls = []

    @run_kind("test.items")
    class Items(RunKind):
        title = "Test items"

        def chunks(self, run):
            return [{"n": n, "items": run.parameters["size"]} for n in range(run.parameters["chunks"])]

        def process_chunk(self, run, chunk):
            calls.append(chunk["n"])
            if chunk["n"] == run.parameters.get("explode_at") and calls.count(chunk["n"]) == 1:
                raise ValueError("the remote ledger is down")
            bad = run.parameters.get("bad", 0)
            errors = [f"item {i} of chunk {chunk['n']} is wrong" for i in range(bad)]
            return run.parameters["size"] - bad, bad, errors

    yield calls
    del RUN_KINDS["test.items"]


def test_failed_items_fail_the_run_and_only_the_first_100_errors_are_kept(in_a, item_kind):
    run = run_start(tenant=in_a, kind="test.items", parameters={"chunks": 3, "size": 60, "bad": 40}, dispatch=False)
    run = run_execute(run=run)
    assert run.status == Run.Status.FAILED
    assert (run.total_items, run.processed_items, run.succeeded_items, run.failed_items) == (
        180,
        180,
        60,
        120,
    )
    assert len(run.errors) == MAX_STORED_ERRORS
    assert run.errors[0] == {
        "chunk": 1,
        "item": '{"items": 60, "n": 0}',
        "message": "item 0 of chunk 0 is wrong",
    }


def test_a_chunk_that_raises_stops_the_run_which_resumes_where_it_stopped(in_a, item_kind):
    run = run_start(
        tenant=in_a, kind="test.items", parameters={"chunks": 4, "size": 5, "explode_at": 2}, dispatch=False
    )
    run = run_execute(run=run)
    assert run.status == Run.Status.FAILED and run.processed_items == 10
    assert "the remote ledger is down" in run.errors[-1]["message"]
    assert run_execute(run=run).status == Run.Status.FAILED  # finished: executing again does nothing
    run = run_execute(run=run_resume(run=run, dispatch=False))
    assert run.status == Run.Status.SUCCEEDED and run.succeeded_items == 20
    assert item_kind == [0, 1, 2, 2, 3]
    assert [e.action for e in AuditEvent.objects.filter(object_type="core.run").order_by("id")] == [
        "run.start",
        "run.execute",
        "run.fail",
        "run.resume",
        "run.execute",
        "run.finish",
    ]


def test_a_run_whose_chunks_cannot_be_worked_out_fails_with_the_reason(in_a, item_kind):
    run = run_start(tenant=in_a, kind="test.items", parameters={"chunks": "three", "size": 1}, dispatch=False)
    run = run_execute(run=run)
    assert run.status == Run.Status.FAILED and run.finished_at
    assert run.errors[-1]["message"].startswith("The run could not be cut into chunks: ")


def test_a_cancelled_run_stops_and_cannot_be_cancelled_twice(in_a, item_kind):
    run = run_start(tenant=in_a, kind="test.items", parameters={"chunks": 2, "size": 1}, dispatch=False)
    run = run_cancel(run=run)
    assert run.status == Run.Status.CANCELLED and run.finished_at
    assert run_execute(run=run).processed_items == 0 and item_kind == []
    with pytest.raises(ValidationError):
        run_cancel(run=run)


def test_run_kinds_of_every_app_are_discovered():
    assert "core.audit_export" in run_kinds()


def test_a_started_run_is_executed_by_the_task_after_the_commit(in_a, django_capture_on_commit_callbacks):
    add_events(in_a, uk(JAN_1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = run_start(tenant=in_a, kind="core.audit_export", parameters={"from": "2026-01-01", "to": "2026-01-01"})
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED and run.succeeded_items == 1
    execute = AuditEvent.objects.get(object_id=str(run.pk), action="run.execute")
    assert execute.actor_type == "system" and execute.actor_label == "task run_execute_task"


def test_the_task_refuses_a_suspended_or_unknown_tenant_and_another_tenants_run(tenant_a, tenant_b):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        run = start(tenant_a)
    run_execute_task.delay(tenant_id=tenant_b.pk, run_id=run.pk)  # B's scope cannot see A's run
    run_execute_task.delay(tenant_id=999_999, run_id=run.pk)
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    run_execute_task.delay(tenant_id=tenant_a.pk, run_id=run.pk)
    with tenant_scope(tenant_a):
        run.refresh_from_db()
    assert run.status == Run.Status.QUEUED
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.ACTIVE)
    run_execute_task.delay(tenant_a.pk, run.pk)
    with tenant_scope(tenant_a):
        run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED


def test_day_files_are_rewritten_not_appended(in_a):
    add_events(in_a, uk(JAN_1))
    run = start(in_a, JAN_1, JAN_1)
    kind = RUN_KINDS["core.audit_export"]
    chunk = kind.chunks(run)[0]
    assert kind.process_chunk(run, chunk) == (1, 0, [])
    assert kind.process_chunk(run, chunk) == (1, 0, [])
    day_file = run_directory(run) / "day-2026-01-01.csv"
    assert len(list(csv.reader(io.StringIO(day_file.read_text(encoding="utf-8"))))) == 1
