"""Staff pages of batch runs: the list, a run's live progress, and starting an audit export.

Any member may watch runs; starting, cancelling and downloading an export need tenant.admin. Runs are found
through the scoped manager, so another tenant's run answers 404 like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.core.audit import audit_history
from borough.core.forms_runs import AuditExportForm
from borough.core.models import Run
from borough.core.runs import run_cancel, run_file, run_start, run_title
from borough.identity.permissions import staff_view
from borough.staff.views import render_staff
from borough.tenancy.modules import TENANT_ADMIN

RUNS_PER_PAGE = 25
ACTION_LABELS = {
    "run.start": "Requested",
    "run.execute": "Began",
    "run.finish": "Finished",
    "run.fail": "Stopped by an error",
    "run.resume": "Resumed",
    "run.cancel": "Cancelled",
}


def _history_lines(event) -> list[str]:
    """What a run's audit event changed, in words (the timeline shows when and by whom)."""
    statuses = dict(Run.Status.choices)
    lines = []
    if "status" in event.changes:
        before, after = event.changes["status"]
        lines.append(f"Status: {statuses.get(after, after)}" + (f" (was {statuses[before]})" if before else ""))
    if "succeeded_items" in event.detail:
        lines.append(f"{event.detail['succeeded_items']} succeeded, {event.detail.get('failed_items', 0)} failed")
    if event.detail.get("error"):
        lines.append(event.detail["error"])
    return lines


def _is_admin(request) -> bool:
    return TENANT_ADMIN in request.roles


@staff_view()
@require_GET
def home(request):
    page = Paginator(Run.objects.select_related("created_by"), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    for run in page:
        run.title = run_title(run)
    return render_staff(request, "runs/home.html", {"page": page, "is_admin": _is_admin(request)})


def _progress_context(request, run: Run) -> dict:
    return {
        "run": run,
        "title": run_title(run),
        "is_admin": _is_admin(request),
        "has_file": run_file(run) is not None,
    }


@staff_view()
@require_GET
@never_cache
def detail(request, pk: int):
    run = get_object_or_404(Run.objects.select_related("created_by"), pk=pk)
    history = list(audit_history(run))
    for event in history:
        event.label, event.lines = ACTION_LABELS.get(event.action, event.action), _history_lines(event)
    context = {**_progress_context(request, run), "history": history}
    return render_staff(request, "runs/detail.html", context)


@staff_view()
@require_GET
@never_cache
def progress(request, pk: int):
    """The live part of the run page, polled by htmx every 2 seconds until the run finishes."""
    run = get_object_or_404(Run, pk=pk)
    # When polling ends, htmx also removes the Refresh link and Cancel button (an out-of-band swap).
    finished_now = run.is_finished and request.headers.get("HX-Request") == "true"
    context = {**_progress_context(request, run), "finished_now": finished_now}
    return render(request, "runs/detail.html#progress", context)


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def audit_export_start(request):
    form = AuditExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                run = run_start(
                    tenant=request.tenant,
                    kind="core.audit_export",
                    parameters=form.parameters(),
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Audit export {run.pk} has started.")
                return redirect("runs:detail", pk=run.pk)
        return render_staff(request, "runs/audit_export_start.html", {"form": form}, status=400)
    return render_staff(request, "runs/audit_export_start.html", {"form": form})


@staff_view(roles=(TENANT_ADMIN,))
@require_POST
def cancel(request, pk: int):
    run = get_object_or_404(Run, pk=pk)
    try:
        run_cancel(run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Run {run.pk} is cancelled. What it had done is kept.")
    return redirect("runs:detail", pk=run.pk)


@staff_view(roles=(TENANT_ADMIN,))
@require_GET
def download(request, pk: int):
    run = get_object_or_404(Run, pk=pk)
    path = run_file(run)
    if path is None:
        raise Http404("This run has no file to download.")
    name = f"{request.tenant.slug}-run-{run.pk}-{path.name}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
