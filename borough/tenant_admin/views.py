"""The tenant's own administration: members and their roles, API keys, and the provider's support access log.

Every page needs the tenant.admin role, declared on the view. Objects are found through the scoped managers,
so another tenant's membership or key answers 404 like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from borough.identity import services
from borough.identity.models import ApiKey, Membership
from borough.identity.permissions import staff_view
from borough.portal.models import OneLoginClient
from borough.portal.one_login import provider
from borough.portal.one_login.services import one_login_client_set
from borough.staff.views import render_staff
from borough.tenancy.modules import TENANT_ADMIN
from borough.tenant_admin import selectors
from borough.tenant_admin.forms import (
    ApiKeyCreateForm,
    MemberAddForm,
    MemberRolesForm,
    OneLoginForm,
    add_service_errors,
)


def _posted(request):
    # Not `request.POST or None`: a POST with every box unticked is empty, and must still be validated.
    return request.POST if request.method == "POST" else None


def _invalid(request, template: str, context: dict):
    return render_staff(request, template, context, status=400)


@staff_view(roles=(TENANT_ADMIN,))
@require_GET
def home(request):
    context = {"summary": selectors.admin_summary(), "events": selectors.recent_events()}
    return render_staff(request, "tenant_admin/home.html", context)


@staff_view(roles=(TENANT_ADMIN,))
@require_GET
def members(request):
    return render_staff(request, "tenant_admin/members.html", {"members": selectors.member_list()})


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
@never_cache
def member_add(request):
    form = MemberAddForm(_posted(request), tenant=request.tenant)
    if request.method == "POST":
        if form.is_valid():
            try:
                membership, setup_password = services.staff_user_invite(tenant=request.tenant, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if setup_password is None:
                    messages.success(request, f"{membership.user.username} is now a member.")
                    return redirect("tenant_admin:member", pk=membership.pk)
                # Shown in this response only: the password is stored hashed and this page is never cached.
                context = {"membership": membership, "setup_password": setup_password}
                return render_staff(request, "tenant_admin/member_added.html", context, status=201)
        return _invalid(request, "tenant_admin/member_add.html", {"form": form})
    return render_staff(request, "tenant_admin/member_add.html", {"form": form})


def _member_page(request, membership, form, status=200):
    context = {
        "membership": membership,
        "member": membership.user,
        "form": form,
        "history": selectors.member_history(membership),
        "is_self": membership.user_id == request.user.pk,
    }
    return render_staff(request, "tenant_admin/member.html", context, status=status)


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def member(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = MemberRolesForm(_posted(request), tenant=request.tenant, membership=membership)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.membership_grant(tenant=request.tenant, user=membership.user, roles=form.cleaned_data["roles"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Roles of {membership.user.username} saved.")
                return redirect("tenant_admin:member", pk=membership.pk)
        return _member_page(request, membership, form, status=400)
    return _member_page(request, membership, form)


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def member_deactivate(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    problem = selectors.deactivation_problem(membership, request.user)
    if request.method == "POST" and problem is None:
        services.membership_revoke(membership=membership)
        messages.success(
            request,
            f"{membership.user.username} is deactivated and no longer has access to {request.tenant.name}.",
        )
        return redirect("tenant_admin:member", pk=membership.pk)
    status = 400 if request.method == "POST" else 200
    context = {"membership": membership, "problem": problem}
    return render_staff(request, "tenant_admin/member_deactivate.html", context, status=status)


@staff_view(roles=(TENANT_ADMIN,))
@require_GET
def apikeys(request):
    return render_staff(request, "tenant_admin/apikeys.html", {"apikeys": selectors.apikey_list()})


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
@never_cache
def apikey_create(request):
    form = ApiKeyCreateForm(_posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                api_key, key = services.apikey_create(
                    tenant=request.tenant,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    created_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # The only time the key is ever shown: it is not stored, and this page is never cached.
                context = {"api_key": api_key, "key": key}
                return render_staff(request, "tenant_admin/apikey_created.html", context, status=201)
        return _invalid(request, "tenant_admin/apikey_create.html", {"form": form})
    return render_staff(request, "tenant_admin/apikey_create.html", {"form": form})


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def apikey_revoke(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk)
    if request.method == "POST":
        if api_key.is_active:
            services.apikey_revoke(api_key=api_key)
            messages.success(request, f"The API key {api_key.name} is revoked. Systems using it are now refused.")
        else:  # A second click, or a stale page: nothing to do, nothing recorded.
            messages.info(request, f"The API key {api_key.name} was already revoked.")
        return redirect("tenant_admin:apikeys")
    return render_staff(request, "tenant_admin/apikey_revoke.html", {"api_key": api_key})


@staff_view(roles=(TENANT_ADMIN,))
@require_GET
def support_access(request):
    context = {"grants": selectors.support_access_list(), "changes": selectors.provider_staff_changes()}
    return render_staff(request, "tenant_admin/support_access.html", context)


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
@never_cache
def one_login(request):
    """Resident sign-in with GOV.UK One Login: issuer, client ID, the key's public half, on or off (ADR 0021)."""
    client = OneLoginClient.objects.filter(tenant=request.tenant).first()
    initial = {"issuer": "https://oidc.integration.account.gov.uk/", "enabled": True}
    if client is not None:
        initial = {
            name: getattr(client, name) for name in ("issuer", "client_id", "public_key_pem", "key_id", "enabled")
        }
    form = OneLoginForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            one_login_client_set(tenant=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "One Login settings saved.")
            return redirect("tenant_admin:one_login")
    context = {
        "form": form,
        "client": client,
        "env_name": provider.key_env_name(request.tenant),
        "redirect_uri": request.build_absolute_uri(provider.CALLBACK_PATH),
        "signed_out_uri": request.build_absolute_uri(provider.SIGNED_OUT_PATH),
    }
    return render_staff(request, "tenant_admin/one_login.html", context, status=400 if form.errors else 200)
