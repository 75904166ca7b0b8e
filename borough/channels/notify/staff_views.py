"""The desk's queue of text messages waiting for review (/staff/texts/), what staff do with each, and the tenant's
GOV.UK Notify settings for its administrators (/staff/texts/settings/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.channels.forms import AddToCaseForm, DismissForm, OpenCaseForm, absorb
from borough.channels.notify import review, services
from borough.channels.notify.forms import NotifyAccountForm
from borough.channels.notify.models import InboundSms, NotifyAccount
from borough.crm.desk.views import crm_view
from borough.identity.permissions import staff_view
from borough.staff.views import render_staff
from borough.tenancy.modules import TENANT_ADMIN

RECENT_LIMIT = 50


@crm_view
@require_GET
def review_list(request):
    texts = InboundSms.objects.select_related("case", "person")
    waiting = list(texts.filter(outcome=InboundSms.Outcome.REVIEW, reviewed_at__isnull=True).order_by("received_at"))
    recent = list(texts.exclude(pk__in=[text.pk for text in waiting])[:RECENT_LIMIT])
    return render_staff(request, "channels_notify/review_list.html", {"waiting": waiting, "recent": recent})


def _text(pk: int) -> InboundSms:
    return get_object_or_404(InboundSms.objects.select_related("case", "person"), pk=pk)


def _detail(request, text: InboundSms, status: int = 200, **forms):
    context = {
        "text": text,
        "waiting": text.outcome == InboundSms.Outcome.REVIEW and text.reviewed_at is None,
        "open_form": forms.get("open_form") or OpenCaseForm(tenant=request.tenant),
        "add_form": forms.get("add_form")
        or AddToCaseForm(initial={"reference": text.case.reference if text.case else ""}),
        "dismiss_form": forms.get("dismiss_form") or DismissForm(),
    }
    context["form"] = next((form for form in forms.values() if form.errors), None)  # for the error summary
    return render_staff(request, "channels_notify/review_detail.html", context, status=status)


@crm_view
@require_GET
def review_detail(request, pk: int):
    return _detail(request, _text(pk))


@crm_view
@require_POST
def open_case(request, pk: int):
    text = _text(pk)
    form = OpenCaseForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        try:
            case = review.inbound_sms_open_case(record=text, service=form.cleaned_data["service"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened from the text message.")
            return redirect("crm:case", reference=case.reference)
    return _detail(request, text, status=400, open_form=form)


@crm_view
@require_POST
def add_to_case(request, pk: int):
    text = _text(pk)
    form = AddToCaseForm(request.POST)
    if form.is_valid():
        try:
            case = review.inbound_sms_add_to_case(record=text, reference=form.cleaned_data["reference"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"The text message was added to {case.reference}.")
            return redirect("crm:case", reference=case.reference)
    return _detail(request, text, status=400, add_form=form)


@crm_view
@require_POST
def dismiss(request, pk: int):
    text = _text(pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            review.inbound_sms_dismiss(record=text, note=form.cleaned_data["note"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, "The text message was dismissed.")
            return redirect("texts:review")
    return _detail(request, text, status=400, dismiss_form=form)


@staff_view(roles=(TENANT_ADMIN,), module="crm")
@require_http_methods(["GET", "POST"])
def notify_settings(request):
    """The tenant's GOV.UK Notify account, for its administrators."""
    account = NotifyAccount.objects.filter(tenant=request.tenant).first()
    form = NotifyAccountForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.notify_account_configure(tenant=request.tenant, **form.service_fields())
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, "The GOV.UK Notify settings are saved.")
            return redirect("texts:settings")
    context = {
        "form": form,
        "account": account,
        "key_variable": services.api_key_env_name(request.tenant),
        "delivery_url": request.build_absolute_uri(reverse("notify_callbacks:delivery_status")),
        "inbound_url": request.build_absolute_uri(reverse("notify_callbacks:inbound_sms")),
    }
    return render_staff(request, "channels_notify/settings.html", context, status=400 if form.errors else 200)
