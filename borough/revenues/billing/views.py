"""The staff page of annual billing (/staff/revenues/billing/): start a dry run or the real run, and follow it.

Revenues officers may start a dry run; the real run, which writes every bill, is for revenues managers. The run's
live progress is polled by htmx every 2 seconds; without JavaScript the Refresh link does the same. The run's
full history is on the batch runs page (borough.core), linked from here.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from borough.core.models import Run
from borough.core.runs import run_start
from borough.identity.permissions import staff_view
from borough.revenues.billing.forms import AnnualBillingForm
from borough.staff.views import render_staff

KIND = "revenues.annual_billing"
REVENUES_ROLES = ("revenues.officer", "revenues.manager")
MANAGER = "revenues.manager"
RECENT = 20


def billing_view(view):
    return staff_view(roles=REVENUES_ROLES, module="revenues")(view)


def _runs():
    return Run.objects.filter(kind=KIND)


@billing_view
@require_http_methods(["GET", "POST"])
def home(request):
    form = AnnualBillingForm(request.POST or None, initial={"mode": "dry"})
    if request.method == "POST":
        if form.is_valid():
            if not form.parameters()["dry_run"] and MANAGER not in request.roles:
                raise PermissionDenied("Only a revenues manager may start the real run")
            try:
                run = run_start(tenant=request.tenant, kind=KIND, parameters=form.parameters(), created_by=request.user)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Run {run.pk} has started.")
                return redirect("revenues_billing:run", pk=run.pk)
        context = {"form": form, "runs": _runs()[:RECENT], "is_manager": MANAGER in request.roles}
        return render_staff(request, "revenues/billing/home.html", context, status=400)
    context = {"form": form, "runs": _runs()[:RECENT], "is_manager": MANAGER in request.roles}
    return render_staff(request, "revenues/billing/home.html", context)


def _run_context(run: Run) -> dict:
    result = run.result or {}
    totals = result.get("totals")
    bands = []
    if totals:
        bands = [
            {"band": band, "accounts": row["accounts"], "charge": Decimal(row["charge"])}
            for band, row in sorted(totals["bands"].items())
        ]
    return {
        "run": run,
        "dry_run": run.parameters.get("dry_run"),
        "totals": totals,
        "bands": bands,
        "reconciliation": result.get("reconciliation"),
        "bills": result.get("bills"),
    }


@billing_view
@require_GET
@never_cache
def run_page(request, pk: int):
    run = get_object_or_404(_runs(), pk=pk)
    return render_staff(request, "revenues/billing/run.html", _run_context(run))


@billing_view
@require_GET
@never_cache
def progress(request, pk: int):
    """The live part of the run page, polled by htmx until the run finishes."""
    run = get_object_or_404(_runs(), pk=pk)
    return render(request, "revenues/billing/run.html#progress", _run_context(run))
