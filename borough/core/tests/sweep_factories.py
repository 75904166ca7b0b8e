"""Objects of a tenant that the batch run URLs point at, for the isolation sweep (borough.tenancy.sweep)."""

from datetime import timedelta

from django.utils import timezone

from borough.core.audit import Actor, acting_as
from borough.core.models import Run
from borough.core.runs import run_execute, run_start
from borough.tenancy.sweep import sweep_factory


@sweep_factory("runs:detail", "runs:progress", "runs:cancel", "api-run-detail")
def a_run(tenant):
    return {"pk": Run.objects.create(tenant=tenant, kind="core.audit_export", parameters={}).pk}


@sweep_factory("runs:download")
def a_finished_export(tenant):
    """A run with a file to download, so the sweep proves the file is out of another tenant's reach."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    with acting_as(Actor.system("sweep")):
        run = run_start(
            tenant=tenant,
            kind="core.audit_export",
            parameters={"from": yesterday, "to": yesterday},
            dispatch=False,
        )
        return {"pk": run_execute(run=run).pk}
