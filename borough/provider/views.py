"""The provider console: tenants (create, status, modules, support access) and usage across tenants.

The console is an entry point (DESIGN.md rule 1), like the tenant middleware: to show or change one tenant's
own rows it enters that tenant's scope, and to read across tenants it goes through `cross_tenant_report`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from borough.core.audit import audit_history
from borough.crm.channel_report_forms import ChannelReportForm, channel_report_context, contacts_csv_response
from borough.identity.models import SupportAccess
from borough.identity.permissions import provider_view
from borough.identity.services import support_access_grant, support_access_revoke
from borough.provider import forms, selectors
from borough.provider.channels import channel_summary, tenant_channel_report, tenant_contacts
from borough.provider.usage import usage_csv_response, usage_report
from borough.tenancy.models import Tenant
from borough.tenancy.resolve import tenant_base_url
from borough.tenancy.scope import tenant_scope
from borough.tenancy.services import tenant_create, tenant_reactivate, tenant_suspend, tenant_update_modules


@provider_view
def home(request):
    return render(request, "provider/home.html", {"rows": selectors.tenant_rows(request)})


@provider_view
def create(request):
    form = forms.TenantCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer, admin, password = tenant_create(**form.service_arguments())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            context = {
                "customer": customer,
                "admin": admin,
                "password": password,
                "site_url": tenant_base_url(customer, request),
            }
            response = render(request, "provider/created.html", context, status=201)
            add_never_cache_headers(response)  # the password is shown once and must not be kept by a cache
            return response
    status = 400 if form.is_bound else 200
    return render(request, "provider/create.html", {"form": form}, status=status)


def _render_detail(request, customer: Tenant, *, status: int = 200, **bound_forms):
    page_forms = {
        "suspend_form": forms.TenantSuspendForm(),
        "modules_form": forms.TenantModulesForm(tenant=customer),
        "support_form": forms.SupportAccessForm(tenant=customer),
        **bound_forms,
    }
    since, until = selectors.recent_period()
    # Entry point: the console acts for this one tenant to show the tenant's own rows.
    with tenant_scope(customer):
        context = {
            "grants": selectors.support_grants(),
            "usage": selectors.tenant_usage(tenant=customer, since=since, until=until),
            "history": list(audit_history(customer)[:50]),
        }
    context.update(
        customer=customer,
        domains=list(customer.domains.all()),
        site_url=tenant_base_url(customer, request),
        usage_since=since,
        usage_until=until,
        invalid_form=next((f for f in bound_forms.values() if f.is_bound and f.errors), None),
        **page_forms,
    )
    return render(request, "provider/tenant.html", context, status=status)


@provider_view
def detail(request, slug):
    return _render_detail(request, get_object_or_404(Tenant, slug=slug))


@provider_view
@require_POST
def suspend(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    form = forms.TenantSuspendForm(request.POST)
    if form.is_valid():
        try:
            tenant_suspend(tenant=customer, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"{customer.name} is suspended. Its users and API keys are refused.")
            return redirect("provider:tenant", slug=slug)
    return _render_detail(request, customer, status=400, suspend_form=form)


@provider_view
@require_POST
def reactivate(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    if not customer.is_active:
        customer = tenant_reactivate(tenant=customer)
    messages.success(request, f"{customer.name} is active.")
    return redirect("provider:tenant", slug=slug)


@provider_view
@require_POST
def modules(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    form = forms.TenantModulesForm(request.POST, tenant=customer)
    if form.is_valid():
        try:
            tenant_update_modules(tenant=customer, enabled_modules=form.cleaned_data["modules"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"The modules of {customer.name} are saved.")
            return redirect("provider:tenant", slug=slug)
    return _render_detail(request, customer, status=400, modules_form=form)


@provider_view
@require_POST
def support_access(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    form = forms.SupportAccessForm(request.POST, tenant=customer)
    if form.is_valid():
        try:
            with tenant_scope(customer):  # entry point: the grant is the tenant's own row
                grant = support_access_grant(
                    tenant=customer,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    roles=form.cleaned_data["roles"],
                    duration=form.duration,
                )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            until = timezone.localtime(grant.expires_at)
            messages.success(request, f"You have support access to {customer.name} until {until:%H:%M on %d %B %Y}.")
            return redirect("provider:tenant", slug=slug)
    return _render_detail(request, customer, status=400, support_form=form)


@provider_view
@require_POST
def support_access_end(request, slug, grant_id):
    customer = get_object_or_404(Tenant, slug=slug)
    with tenant_scope(customer), transaction.atomic():  # entry point: the grant is the tenant's own row
        grant = get_object_or_404(SupportAccess.objects.select_for_update(), pk=grant_id)
        if grant.revoked_at is None:
            support_access_revoke(grant=grant)
    messages.success(request, f"The support access of {grant.user} to {customer.name} has ended.")
    return redirect("provider:tenant", slug=slug)


@provider_view
def usage(request):
    form = forms.UsagePeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "provider/usage.html", {"form": form}, status=400)
    report = usage_report(user=request.user, **form.cleaned_data)
    return render(request, "provider/usage.html", {"form": form, "report": report})


@provider_view
def usage_csv(request):
    form = forms.UsagePeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "provider/usage.html", {"form": form}, status=400)
    return usage_csv_response(usage_report(user=request.user, **form.cleaned_data))


@provider_view
def channels(request):
    """Each tenant's share of contacts by channel; choosing a tenant opens its whole report."""
    form = forms.ChannelSummaryForm(request.GET)
    if not form.is_valid():
        return render(request, "provider/channels.html", {"form": form}, status=400)
    chosen = form.cleaned_data
    if chosen["tenant"]:
        url = reverse("provider:tenant_channels", args=[chosen["tenant"]])
        return redirect(f"{url}?{_period_query(chosen)}")
    summary = channel_summary(user=request.user, since=chosen["since"], until=chosen["until"])
    return render(request, "provider/channels.html", {"form": form, "summary": summary})


@provider_view
def tenant_channels(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    form = ChannelReportForm(request.GET)
    context = {"customer": customer, "form": form}
    if not form.is_valid():
        return render(request, "provider/tenant_channels.html", context, status=400)
    chosen = form.cleaned_data
    report = tenant_channel_report(
        user=request.user, tenant=customer, since=chosen["since"], until=chosen["until"], unit=chosen["shift"]
    )
    csv_url = f"{reverse('provider:tenant_channels_csv', args=[slug])}?{_period_query(chosen)}"
    context.update(channel_report_context(report), csv_url=csv_url)
    return render(request, "provider/tenant_channels.html", context)


@provider_view
def tenant_channels_csv(request, slug):
    customer = get_object_or_404(Tenant, slug=slug)
    form = ChannelReportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    chosen = form.cleaned_data
    daily = tenant_contacts(user=request.user, tenant=customer, since=chosen["since"], until=chosen["until"])
    return contacts_csv_response(daily, name=customer.slug)


def _period_query(chosen) -> str:
    return f"since={chosen['since']:%Y-%m-%d}&until={chosen['until']:%Y-%m-%d}"
