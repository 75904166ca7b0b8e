"""Staff recovery pages (/staff/revenues/recovery/): the daily run and what it issued, the summons list, an
account's holds and arrangements, liability orders from a hearing, and each notice as sent. Thin: forms parse,
services decide. Objects are found through the scoped managers, so another council's answer 404."""

from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.core.models import Run
from borough.core.runs import run_directory, run_file, run_start
from borough.identity.permissions import staff_view
from borough.revenues.models import Account, Arrangement, Bill, RecoveryAction, RecoveryHold
from borough.revenues.recovery import services
from borough.revenues.recovery.forms import (
    AccountForm,
    ArrangementForm,
    HoldForm,
    LiabilityOrderForm,
    PrintForm,
    ReleaseForm,
    RunForm,
    SettingsForm,
    WithdrawForm,
)
from borough.revenues.recovery.letters import letter_document_context, letter_of, letter_pdf
from borough.revenues.recovery.notices import notice_pdf
from borough.revenues.recovery.position import account_year, live_holds
from borough.revenues.recovery.practice import current_practice, recovery_settings_update
from borough.revenues.recovery.print_run import KIND as PRINT_KIND
from borough.revenues.recovery.runs import KIND
from borough.revenues.recovery.sending import waiting
from borough.revenues.recovery.withdrawal import recovery_withdraw
from borough.staff.views import render_staff

ROLES = ("revenues.officer", "revenues.manager")
MANAGERS = ("revenues.manager",)
RECENT_RUNS = 10
ACTIONS_SHOWN = 500


def recovery_view(view):
    return staff_view(roles=ROLES, module="revenues")(view)


def _absorb(form: django_forms.Form, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _home(request, *, run_form=None, print_form=None, status=200):
    runs = list(Run.objects.filter(kind=KIND).select_related("created_by").order_by("-created_at")[:RECENT_RUNS])
    latest = runs[0] if runs else None
    for run in runs:
        run.summons_file = run_file(run) is not None
    day = date.fromisoformat(latest.parameters["date"]) if latest else timezone.localdate()
    actions = (
        RecoveryAction.objects.filter(issued_on=day)
        .exclude(stage=RecoveryAction.Stage.LIABILITY_ORDER)
        .select_related("account")
        .order_by("stage", "account__number")
    )
    context = {
        "runs": runs,
        "latest": latest,
        "day": day,
        "actions": list(actions[:ACTIONS_SHOWN]),
        "action_count": actions.count(),
        "form": next((form for form in (run_form, print_form) if form is not None and form.errors), None),
        "run_form": run_form or RunForm(),
        "print_form": print_form or PrintForm(prefix="print"),
        "account_form": AccountForm(),
        "prints": list(Run.objects.filter(kind=PRINT_KIND).order_by("-created_at")[:RECENT_RUNS]),
        "waiting": waiting().filter(issued_on=day).count(),
    }
    return render_staff(request, "revenues/recovery/home.html", context, status=status)


@recovery_view
@require_GET
def home(request):
    return _home(request)


@recovery_view
@require_POST
def run_now(request):
    form = RunForm(request.POST)
    if form.is_valid():
        parameters = {"date": form.cleaned_data["date"].isoformat() if form.cleaned_data["date"] else ""}
        if form.cleaned_data["hearing_date"]:
            parameters["hearing_date"] = form.cleaned_data["hearing_date"].isoformat()
        try:
            run = run_start(tenant=request.tenant, kind=KIND, parameters=parameters, created_by=request.user)
        except ValidationError as error:
            _absorb(form, error)
        else:
            messages.success(request, f"Recovery run {run.pk} started for {run.parameters['date']}.")
            return redirect("revenues_recovery:home")
    return _home(request, run_form=form, status=400)


@recovery_view
@require_POST
def print_now(request):
    form = PrintForm(request.POST, prefix="print")
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            run = run_start(
                tenant=request.tenant,
                kind=PRINT_KIND,
                parameters={"date": day.isoformat() if day else ""},
                created_by=request.user,
            )
        except ValidationError as error:
            _absorb(form, error)
        else:
            messages.success(request, f"Print run {run.pk} started for the notices of {run.parameters['date']}.")
            return redirect("revenues_recovery:home")
    return _home(request, print_form=form, status=400)


@recovery_view
@require_GET
def print_file(request):
    run = get_object_or_404(Run, pk=_int(request.GET.get("run")), kind=PRINT_KIND)
    name = request.GET.get("file", "")
    allowed = {"print-manifest.csv", *(run.result or {}).get("pdfs", [])}
    if name not in allowed:
        raise Http404
    path = run_file(run) if name == "print-manifest.csv" else run_directory(run) / name
    if path is None or not path.exists():
        raise Http404("The print run has not made this file")
    content_type = "text/csv" if name.endswith(".csv") else "application/pdf"
    filename = f"recovery-{run.parameters['date']}-run-{run.pk}-{name}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


@recovery_view
@require_GET
def summons_list(request):
    run = get_object_or_404(Run, pk=_int(request.GET.get("run")), kind=KIND)
    path = run_file(run)
    if path is None:
        raise Http404("This run has no summons list yet")
    name = f"summons-list-{run.parameters['date']}-run-{run.pk}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _account(number) -> Account:
    number = "".join(str(number or "").split()).upper()
    if not number:
        raise Http404
    return get_object_or_404(Account.objects.select_related("dwelling", "hereditament"), number=number)


def _account_page(request, account: Account, *, status=200, **forms_):
    today = timezone.localdate()
    years = sorted(set(Bill.objects.filter(account=account).values_list("financial_year", flat=True)), reverse=True)
    positions = []
    for year in years[:2]:
        position = account_year(account=account, financial_year=year, on=today)
        positions.append({"year": year, "decision": position.decide(today), "owed": position.owed(today)})
    holds = list(live_holds(today).filter(account=account))
    context = {
        "account": account,
        "positions": positions,
        "actions": list(RecoveryAction.objects.filter(account=account).order_by("-issued_on", "-pk")),
        "holds": holds,
        "release_forms": [(hold, ReleaseForm(initial={"hold": hold.pk})) for hold in holds],
        "arrangements": list(Arrangement.objects.filter(account=account)),
        "hold_form": forms_.get("hold_form") or HoldForm(),
        "arrangement_form": forms_.get("arrangement_form")
        or ArrangementForm(initial={"financial_year": years[0] if years else ""}),
        "form": next((form for form in forms_.values() if form.errors), None),
    }
    return render_staff(request, "revenues/recovery/account.html", context, status=status)


@recovery_view
@require_GET
def account(request):
    if "number" not in request.GET:
        return render_staff(request, "revenues/recovery/find.html", {"form": AccountForm()})
    form = AccountForm(request.GET)
    if form.is_valid():
        found = Account.objects.filter(number="".join(form.cleaned_data["number"].split()).upper()).first()
        if found is not None:
            return _account_page(request, found)
        form.add_error("number", "No account has that number")
        return render_staff(request, "revenues/recovery/find.html", {"form": form}, status=404)
    return render_staff(request, "revenues/recovery/find.html", {"form": form}, status=400)


def _back(account: Account):
    return redirect(f"{reverse('revenues_recovery:account')}?number={account.number}")


@recovery_view
@require_POST
def hold_place(request):
    account = _account(request.POST.get("number"))
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.recovery_hold_place(
                account=account,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
                placed_by=request.user,
            )
        except ValidationError as error:
            _absorb(form, error)
        else:
            messages.success(request, f"Recovery on {account.number} is held.")
            return _back(account)
    return _account_page(request, account, status=400, hold_form=form)


@recovery_view
@require_POST
def hold_release(request):
    account = _account(request.POST.get("number"))
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        raise Http404
    hold = get_object_or_404(RecoveryHold, pk=form.cleaned_data["hold"], account=account)
    try:
        services.recovery_hold_release(hold=hold)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The hold on {account.number} is released; recovery resumes on the next run.")
    return _back(account)


@recovery_view
@require_POST
def arrangement(request):
    account = _account(request.POST.get("number"))
    form = ArrangementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.arrangement_proposal(
                account=account, financial_year=data["financial_year"], first=data["first_date"], count=data["count"]
            )
            made = services.arrangement_make(
                account=account, financial_year=data["financial_year"], instalments=plan, made_by=request.user
            )
        except ValidationError as error:
            _absorb(form, error)
        else:
            messages.success(
                request, f"Arrangement made: {len(made.instalments)} payments clearing £{made.total:,.2f}."
            )
            return _back(account)
    return _account_page(request, account, status=400, arrangement_form=form)


def _open_summonses():
    return (
        RecoveryAction.objects.filter(stage=RecoveryAction.Stage.SUMMONS, status=RecoveryAction.Status.ISSUED)
        .select_related("account")
        .order_by("hearing_date", "account__number")
    )


@recovery_view
@require_http_methods(["GET", "POST"])
def liability_orders(request):
    summonses = _open_summonses()
    if request.method == "POST":
        form = LiabilityOrderForm(request.POST, summonses=summonses)
        if form.is_valid():
            try:
                orders = services.liability_order_record(
                    summonses=list(form.cleaned_data["summonses"]),
                    hearing_date=form.cleaned_data["hearing_date"],
                    costs=form.cleaned_data["costs"],
                )
            except ValidationError as error:
                _absorb(form, error)
            else:
                messages.success(request, f"{len(orders)} liability order(s) recorded.")
                return redirect(f"{reverse('revenues_recovery:liability_orders')}?hearing={orders[0].hearing_date}")
        hearing = request.POST.get("hearing_date", "")
        status = 400
    else:
        hearing = request.GET.get("hearing", "")
        form = LiabilityOrderForm(initial={"hearing_date": hearing}, summonses=summonses)
        status = 200
    try:
        shown = summonses.filter(hearing_date=date.fromisoformat(hearing)) if hearing else summonses
    except ValueError:
        shown = summonses
    hearings = sorted({d for d in summonses.values_list("hearing_date", flat=True) if d})
    context = {"form": form, "shown": list(shown[:ACTIONS_SHOWN]), "hearing": hearing, "hearings": hearings}
    return render_staff(request, "revenues/recovery/liability_orders.html", context, status=status)


@recovery_view
@require_GET
def notice(request):
    action = get_object_or_404(RecoveryAction.objects.select_related("account"), pk=_int(request.GET.get("id")))
    if request.GET.get("letter") == "withdrawal":
        return _withdrawal_letter(request, action)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(notice_pdf(action), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{action.stage}-{action.account.number}.pdf"'
        return response
    context = {"action": action, "notice": action.detail}
    return render_staff(request, "revenues/recovery/notice.html", context)


def _withdrawal_letter(request, action: RecoveryAction):
    """The letter telling the resident the notice is withdrawn (recovery/letters.py), as sent."""
    if letter_of(action) is None:
        raise Http404("This notice has no withdrawal letter")
    if request.GET.get("format") == "pdf":
        response = HttpResponse(letter_pdf(action), content_type="application/pdf")
        name = f"withdrawn-{action.stage}-{action.account.number}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    return render_staff(request, "revenues/recovery/withdrawal_letter.html", letter_document_context(action))


def _withdraw_page(request, action: RecoveryAction, form: WithdrawForm, status: int = 200):
    context = {"action": action, "notice": action.detail, "form": form}
    return render_staff(request, "revenues/recovery/withdraw.html", context, status=status)


@recovery_view
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """Withdraw a stage issued in error, or a summons paid before the hearing (recovery_withdraw)."""
    raw = request.POST.get("action") if request.method == "POST" else request.GET.get("id")
    action = get_object_or_404(RecoveryAction.objects.select_related("account"), pk=_int(raw))
    if request.method == "GET":
        return _withdraw_page(request, action, WithdrawForm(initial={"action": action.pk}))
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            recovery_withdraw(action=action, grounds=form.cleaned_data["grounds"], reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _absorb(form, error)
        else:
            messages.success(request, f"The {action.get_stage_display().lower()} of {action.issued_on} is withdrawn.")
            return _back(action.account)
    return _withdraw_page(request, action, form, status=400)


@staff_view(roles=MANAGERS, module="revenues")
@require_http_methods(["GET", "POST"])
def settings(request):
    """The council's recovery practice: reminder days, hearing days, arrangement grace, least reminder."""
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                recovery_settings_update(tenant=request.tenant, **form.cleaned_data)
            except ValidationError as error:
                _absorb(form, error)
            else:
                messages.success(request, "The recovery settings are saved; the next run uses them.")
                return redirect("revenues_recovery:settings")
        return render_staff(request, "revenues/recovery/settings.html", {"form": form}, status=400)
    form = SettingsForm(initial=current_practice(request.tenant))
    return render_staff(request, "revenues/recovery/settings.html", {"form": form})
