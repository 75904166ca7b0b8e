"""Staff pages for the Bacs reports (/staff/revenues/payments/reports/): upload an ADDACS, AUDDIS or ARUDD report,
see what each advice or returned item did, and mark what was followed up or reviewed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.channels.forms import absorb
from borough.core.audit import Actor
from borough.revenues.models import BacsReport, BacsReportItem
from borough.revenues.payments.arudd import arudd_import
from borough.revenues.payments.mandate_reports import bacs_report_import, bacs_report_item_resolve
from borough.revenues.payments.report_forms import BacsReportUploadForm, ItemResolveForm
from borough.revenues.payments.views import PAGE, payments_view
from borough.staff.views import render_staff


def _open_items():
    return BacsReportItem.objects.filter(follow_up=True) | BacsReportItem.objects.filter(
        status=BacsReportItem.Status.REVIEW
    )


@payments_view
@require_http_methods(["GET", "POST"])
def reports(request):
    form = BacsReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if form.cleaned_data["kind"] == BacsReport.Kind.ARUDD:
                report = arudd_import(
                    tenant=request.tenant,
                    content=uploaded.read(),
                    name=uploaded.name,
                    actor=Actor.for_user(request.user),
                ).report
            else:
                report = bacs_report_import(
                    tenant=request.tenant,
                    kind=form.cleaned_data["kind"],
                    name=uploaded.name,
                    content=uploaded.read(),
                    actor=Actor.for_user(request.user),
                )
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(
                request,
                f"{report.name}: {report.items_applied} advice{'s' if report.items_applied != 1 else ''} applied, "
                f"{report.items_kept} kept for review.",
            )
            return redirect("revenues_payments:report", pk=report.pk)
    context = {"form": form, "reports": BacsReport.objects.all()[:PAGE], "waiting": _open_items().count()}
    return render_staff(request, "revenues/payments/reports.html", context, status=400 if form.errors else 200)


def _report_page(request, report: BacsReport, *, status: int = 200, failed: tuple[int, ItemResolveForm] | None = None):
    items = list(report.items.select_related("account", "mandate").order_by("position"))
    for item in items:
        item.open = item.follow_up or item.status == BacsReportItem.Status.REVIEW
        if item.open:
            item.form = failed[1] if failed and failed[0] == item.pk else ItemResolveForm(auto_id=f"item{item.pk}-%s")
    form = failed[1] if failed else None
    context = {"report": report, "items": items, "form": form}
    return render_staff(request, "revenues/payments/report.html", context, status=status)


@payments_view
@require_GET
def report_detail(request, pk: int):
    return _report_page(request, get_object_or_404(BacsReport, pk=pk))


@payments_view
@require_POST
def item_resolve(request, pk: int):
    item = get_object_or_404(BacsReportItem.objects.select_related("report"), pk=pk)
    form = ItemResolveForm(request.POST, auto_id=f"item{item.pk}-%s")
    if form.is_valid():
        try:
            bacs_report_item_resolve(item=item, note=form.cleaned_data["note"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"Advice {item.position} ({item.reference or 'no reference'}) dealt with.")
            return redirect("revenues_payments:report", pk=item.report_id)
    return _report_page(request, item.report, status=400, failed=(item.pk, form))
