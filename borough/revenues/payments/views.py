"""Staff pages for money in (/staff/revenues/payments/): payment files and the rows waiting for review, uploading
a file, direct debit mandates and the BACS files (download, the refund credit file, ARUDD returns)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.channels.forms import absorb
from borough.core.audit import Actor
from borough.identity.permissions import staff_view
from borough.revenues.models import BacsFile, DirectDebitMandate, PaymentFile, PaymentFileRow
from borough.revenues.payments.arudd import arudd_import
from borough.revenues.payments.forms import (
    AruddUploadForm,
    PaymentFileUploadForm,
    RefundFileForm,
    RowDismissForm,
    RowPostForm,
)
from borough.revenues.payments.refunds import refund_file_create, refunds_waiting
from borough.revenues.payments.services import (
    payment_file_import,
    payment_row_dismiss,
    payment_row_post,
    row_can_post,
)
from borough.staff.views import render_staff

ROLES = ("revenues.officer", "revenues.manager")
PAGE = 100


def payments_view(view):
    return staff_view(roles=ROLES, module="revenues")(view)


@payments_view
@require_GET
def home(request):
    files = PaymentFile.objects.all()[:PAGE]
    waiting = PaymentFileRow.objects.filter(status=PaymentFileRow.Status.REJECTED).count()
    return render_staff(request, "revenues/payments/home.html", {"files": files, "waiting": waiting})


@payments_view
@require_http_methods(["GET", "POST"])
def upload(request):
    form = PaymentFileUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            file = payment_file_import(
                tenant=request.tenant,
                source=form.cleaned_data["source"],
                name=uploaded.name,
                content=uploaded.read(),
                actor=Actor.for_user(request.user),
            )
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(
                request,
                f"{file.name}: {file.rows_posted} payment{'s' if file.rows_posted != 1 else ''} posted "
                f"(£{file.total_posted}), {file.rows_rejected} kept for review.",
            )
            return redirect("revenues_payments:file", pk=file.pk)
    status = 400 if form.errors else 200
    return render_staff(request, "revenues/payments/upload.html", {"form": form}, status=status)


def _file_page(request, file: PaymentFile, status: int = 200, forms_for: dict | None = None):
    rows = list(file.rows.select_related("entry", "entry__account").order_by("line_number"))
    waiting = [row for row in rows if row.status == PaymentFileRow.Status.REJECTED]
    forms_for = forms_for or {}
    for row in waiting:
        row.can_post = row_can_post(row)
        row.post_form = forms_for.get(("post", row.pk)) or RowPostForm(
            auto_id=f"row{row.pk}-post-%s", tenant=request.tenant
        )
        row.dismiss_form = forms_for.get(("dismiss", row.pk)) or RowDismissForm(auto_id=f"row{row.pk}-dismiss-%s")
    form = next((f for f in forms_for.values() if f.errors), None)
    context = {"file": file, "rows": rows, "waiting": waiting, "form": form}
    return render_staff(request, "revenues/payments/file.html", context, status=status)


@payments_view
@require_GET
def file_detail(request, pk: int):
    return _file_page(request, get_object_or_404(PaymentFile, pk=pk))


def _row(pk: int) -> PaymentFileRow:
    return get_object_or_404(PaymentFileRow.objects.select_related("file"), pk=pk)


@payments_view
@require_POST
def row_post(request, pk: int):
    row = _row(pk)
    form = RowPostForm(request.POST, auto_id=f"row{row.pk}-post-%s", tenant=request.tenant)
    if form.is_valid():
        try:
            payment_row_post(row=row, account=form.cleaned_data["account"], note=form.cleaned_data["note"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"Line {row.line_number} posted to {form.cleaned_data['account_number']}.")
            return redirect("revenues_payments:file", pk=row.file_id)
    return _file_page(request, row.file, status=400, forms_for={("post", row.pk): form})


@payments_view
@require_POST
def row_dismiss(request, pk: int):
    row = _row(pk)
    form = RowDismissForm(request.POST, auto_id=f"row{row.pk}-dismiss-%s")
    if form.is_valid():
        try:
            payment_row_dismiss(row=row, note=form.cleaned_data["note"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"Line {row.line_number} marked resolved.")
            return redirect("revenues_payments:file", pk=row.file_id)
    return _file_page(request, row.file, status=400, forms_for={("dismiss", row.pk): form})


@payments_view
@require_GET
def mandates(request):
    status = request.GET.get("status", "")
    mandates = DirectDebitMandate.objects.select_related("account", "lodged_in").order_by("-created_at")
    if status in DirectDebitMandate.Status.values:
        mandates = mandates.filter(status=status)
    counts = dict(DirectDebitMandate.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    statuses = [(value, label, counts.get(value, 0)) for value, label in DirectDebitMandate.Status.choices]
    context = {"mandates": mandates[:PAGE], "statuses": statuses, "status": status, "total": sum(counts.values())}
    return render_staff(request, "revenues/payments/mandates.html", context)


def _bacs_page(request, form=None, refund_form=None, status: int = 200):
    files = BacsFile.objects.defer("content").annotate(
        mandates=Count("lodged_mandates", distinct=True) + Count("cancelled_mandates", distinct=True)
    )[:PAGE]
    waiting = refunds_waiting().aggregate(count=Count("pk"), total=Sum("entry__amount"))
    context = {
        "files": files,
        "form": form or AruddUploadForm(),
        "refund_form": refund_form or RefundFileForm(),
        "refunds_waiting": waiting["count"],
        "refunds_waiting_total": (waiting["total"] or Decimal(0)).quantize(Decimal("0.01")),
    }
    return render_staff(request, "revenues/payments/bacs.html", context, status=status)


@payments_view
@require_http_methods(["GET", "POST"])
def bacs_files(request):
    form = AruddUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            result = arudd_import(
                tenant=request.tenant, content=uploaded.read(), name=uploaded.name, actor=Actor.for_user(request.user)
            )
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(
                request,
                f"ARUDD report: {len(result.reversed)} collection(s) reversed, {len(result.already)} reversed "
                f"before, {len(result.mandates_ended)} direct debit(s) ended, {len(result.unmatched)} kept for "
                "review.",
            )
            return redirect("revenues_payments:report", pk=result.report.pk)
    return _bacs_page(request, form=form, status=400 if form.errors else 200)


@payments_view
@require_POST
def refund_file(request):
    """Make the refund credit file for a processing day (the next working day unless given)."""
    form = RefundFileForm(request.POST)
    if form.is_valid():
        try:
            file = refund_file_create(
                tenant=request.tenant,
                processing_day=form.cleaned_data["processing_date"],
                actor=Actor.for_user(request.user),
            )
        except ValidationError as error:
            absorb(form, error)
        else:
            if file is None:
                messages.info(request, "No refunds by BACS are waiting for a file.")
            else:
                messages.success(
                    request,
                    f"Refund file for {file.processing_date:%d %B %Y}: {file.record_count} refund"
                    f"{'s' if file.record_count != 1 else ''}, £{file.total}. Download it below.",
                )
            return redirect("revenues_payments:bacs")
    return _bacs_page(request, refund_form=form, status=400)


@payments_view
@require_GET
def bacs_download(request, pk: int):
    file = get_object_or_404(BacsFile, pk=pk)
    response = HttpResponse(file.content.encode("ascii"), content_type="text/plain; charset=us-ascii")
    name = f"{file.kind}-{file.processing_date.isoformat()}-{file.pk}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
