"""Mail settings, for the tenant's administrators: the mailboxes residents write to, and the IMAP accounts (mail kept
elsewhere) that feed them. Mounted at /staff/mail/settings/. Every write goes through borough.channels.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.channels import services
from borough.channels.email.imap_session import secret_kind, uses_token_endpoint
from borough.channels.email.oauth import client_secret_env
from borough.channels.forms import ImapAccountForm, MailboxForm, absorb
from borough.channels.models import ImapAccount, Mailbox
from borough.identity.permissions import staff_view
from borough.staff.views import render_staff
from borough.tenancy.modules import TENANT_ADMIN


def settings_view(view):
    """A mail settings page: tenant administrators, in a tenant with the CRM (mail opens its cases)."""
    return staff_view(roles=(TENANT_ADMIN,), module="crm")(view)


def _posted(request):
    return request.POST if request.method == "POST" else None


@settings_view
@require_GET
def mail_settings(request):
    context = {
        "mailboxes": Mailbox.objects.select_related("service").order_by("local_part"),
        "accounts": ImapAccount.objects.select_related("mailbox").order_by("host", "username", "folder"),
        "domains": services.mailbox_domains(request.tenant),
    }
    return render_staff(request, "channels/admin/settings.html", context)


def _mailbox_form_page(request, form, mailbox=None, status=200):
    context = {"form": form, "mailbox": mailbox}
    if mailbox is not None:
        context["feeding"] = ImapAccount.objects.filter(mailbox=mailbox).order_by("host", "username")
    return render_staff(request, "channels/admin/mailbox_form.html", context, status=status)


@settings_view
@require_http_methods(["GET", "POST"])
def mailbox_create(request):
    domains = services.mailbox_domains(request.tenant)
    form = MailboxForm(_posted(request), tenant=request.tenant, domains=domains)
    if request.method == "POST":
        if form.is_valid():
            try:
                mailbox = services.mailbox_create(tenant=request.tenant, **form.cleaned_data)
            except ValidationError as error:
                absorb(form, error)
            else:
                messages.success(request, f"The mailbox {mailbox.local_part} is created.")
                return redirect("channels:settings")
        return _mailbox_form_page(request, form, status=400)
    return _mailbox_form_page(request, form)


@settings_view
@require_http_methods(["GET", "POST"])
def mailbox_edit(request, pk: int):
    mailbox = get_object_or_404(Mailbox.objects.select_related("service"), pk=pk)
    domains = services.mailbox_domains(request.tenant)
    form = MailboxForm(_posted(request), tenant=request.tenant, domains=domains, mailbox=mailbox)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mailbox_update(mailbox=mailbox, **form.cleaned_data)
            except ValidationError as error:
                absorb(form, error)
            else:
                messages.success(request, f"The mailbox {mailbox.local_part} is saved.")
                return redirect("channels:settings")
        return _mailbox_form_page(request, form, mailbox, status=400)
    return _mailbox_form_page(request, form, mailbox)


@settings_view
@require_http_methods(["GET", "POST"])
def mailbox_switch(request, pk: int):
    """Switch a mailbox off (or on again): a page that says what that means, and its button."""
    mailbox = get_object_or_404(Mailbox.objects.select_related("service"), pk=pk)
    # The button says which state it asks for, so a second click (or a stale page) does not undo the first.
    wanted = request.POST.get("to") if request.method == "POST" else None
    if wanted in ("off", "on"):
        switch = services.mailbox_reactivate if wanted == "on" else services.mailbox_deactivate
        switch(mailbox=mailbox)
        messages.success(request, f"The mailbox {mailbox.local_part} is switched {wanted}.")
        return redirect("channels:settings")
    feeding = ImapAccount.objects.filter(mailbox=mailbox, is_active=True).order_by("host", "username")
    context = {"mailbox": mailbox, "feeding": feeding, "problem": request.method == "POST"}
    status = 400 if request.method == "POST" else 200
    return render_staff(request, "channels/admin/mailbox_switch.html", context, status=status)


def _secret_variables(account: ImapAccount) -> list[tuple[str, str]]:
    """The environment variables the operator sets for the account, with what each holds."""
    variables = [(account.secret_env, f"The {secret_kind(account)}")]
    if uses_token_endpoint(account):
        variables.append((client_secret_env(account.secret_env), "The client secret, if the app has one"))
    return variables


@settings_view
@require_GET
def imap_detail(request, pk: int):
    account = get_object_or_404(ImapAccount.objects.select_related("mailbox"), pk=pk)
    context = {"account": account, "variables": _secret_variables(account)}
    return render_staff(request, "channels/admin/imap_detail.html", context)


def _imap_form_page(request, form, account=None, status=200):
    context = {"form": form, "account": account}
    return render_staff(request, "channels/admin/imap_form.html", context, status=status)


@settings_view
@require_http_methods(["GET", "POST"])
def imap_create(request):
    form = ImapAccountForm(_posted(request), tenant=request.tenant)
    if request.method == "POST":
        if form.is_valid():
            try:
                account = services.imap_account_create(tenant=request.tenant, **form.service_values())
            except ValidationError as error:
                absorb(form, error)
            else:
                messages.success(request, "The IMAP account is saved. Set its environment variables (below).")
                return redirect("channels:imap_detail", pk=account.pk)
        return _imap_form_page(request, form, status=400)
    return _imap_form_page(request, form)


@settings_view
@require_http_methods(["GET", "POST"])
def imap_edit(request, pk: int):
    account = get_object_or_404(ImapAccount.objects.select_related("mailbox"), pk=pk)
    form = ImapAccountForm(_posted(request), tenant=request.tenant, account=account)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.imap_account_update(account=account, **form.service_values())
            except ValidationError as error:
                absorb(form, error)
            else:
                messages.success(request, "The IMAP account is saved.")
                return redirect("channels:imap_detail", pk=account.pk)
        return _imap_form_page(request, form, account, status=400)
    return _imap_form_page(request, form, account)


@settings_view
@require_POST
def imap_poll_now(request, pk: int):
    account = get_object_or_404(ImapAccount, pk=pk)
    try:
        services.imap_account_poll_now(account=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        context = {"account": account, "variables": _secret_variables(account)}
        return render_staff(request, "channels/admin/imap_detail.html", context, status=400)
    messages.success(request, "A poll is queued. Refresh this page in a minute to see what it took.")
    return redirect("channels:imap_detail", pk=account.pk)
