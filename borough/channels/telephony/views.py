"""The call desk, mounted at /staff/calls/: the agent's screen (the call panel, refreshed by htmx every two
seconds, or by a button without JavaScript), a call's page (take it, record an unknown caller, wrap up, schedule a
call-back) and raising a case from a call with the service's questions as the agent's script."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.channels.telephony import selectors, services
from borough.channels.telephony.forms import (
    CallBackDoneForm,
    CallBackForm,
    CallCaseForm,
    CallerForm,
    WrapUpForm,
    add_service_errors,
)
from borough.channels.telephony.models import Call, CallBack
from borough.crm.desk.log_forms import service_choices
from borough.crm.desk.views import crm_view
from borough.crm.models import Service
from borough.people.models import Person
from borough.people.selectors import person_duplicates
from borough.staff.views import render_staff


def _panel_context(request) -> dict:
    calls = selectors.desk_calls(tenant=request.tenant, user=request.user)
    return {"calls": calls, "version": calls.version}


@crm_view
@require_GET
def home(request):
    context = {
        **_panel_context(request),
        "callbacks": selectors.desk_callbacks(tenant=request.tenant, user=request.user),
        "now": timezone.now(),
    }
    return render_staff(request, "telephony/desk.html", context)


@crm_view
@require_GET
def panel(request):
    """The call panel alone, for htmx's poll; 204 (nothing to swap) when nothing changed since `v`."""
    if not request.headers.get("HX-Request"):
        return redirect("telephony:home")
    context = _panel_context(request)
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    return render(request, "telephony/includes/panel.html", context)  # a fragment: no navigation to work out


def _call(pk: int) -> Call:
    return get_object_or_404(Call.objects.select_related("person", "agent", "wrap_up_code", "wrapped_up_by"), pk=pk)


def _call_page(request, call: Call, status: int = 200, **forms):
    codes = services.wrap_up_codes_ensure(tenant=request.tenant)
    forms = {
        "wrap_up": WrapUpForm(call=call, codes=codes),
        "caller": CallerForm(),
        "callback": CallBackForm(phone=call.caller_normalised),
        **forms,
    }
    context = {
        "call": call,
        "caller": selectors.caller_record(call.person),
        "cases": selectors.call_cases(call),
        "forms": forms,
        "error_form": next((form for form in forms.values() if form.errors), None),
        "services": service_choices(),
        "events": list(call.events.order_by("occurred_at", "id")),
        "callbacks": list(call.callbacks.select_related("assigned_to", "team").order_by("due_at")),
    }
    return render_staff(request, "telephony/call.html", context, status=status)


@crm_view
@require_GET
def call(request, pk: int):
    return _call_page(request, _call(pk))


@crm_view
@require_POST
def take(request, pk: int):
    found = _call(pk)
    try:
        services.call_take(call=found, agent=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("telephony:home")
    messages.success(request, f"You have the call from {found.caller_label}.")
    return redirect("telephony:call", pk=found.pk)


@crm_view
@require_POST
def wrap_up(request, pk: int):
    found = _call(pk)
    form = WrapUpForm(request.POST, call=found, codes=services.wrap_up_codes_ensure(tenant=request.tenant))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.call_wrap_up(
                call=found,
                outcome=data["outcome"],
                wrap_up_code=data["wrap_up_code"],
                notes=data["notes"],
                duration_seconds=data.get("duration"),
                agent=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The call is wrapped up.")
            return redirect("telephony:home")
    return _call_page(request, found, status=400, wrap_up=form)


@crm_view
@require_POST
def caller(request, pk: int):
    """Record an unknown caller: the details first, then a check (with people who may be them), then confirm."""
    found = _call(pk)
    form = CallerForm(request.POST)
    if not form.is_valid():
        return _call_page(request, found, status=400, caller=form)
    data = form.cleaned_data
    if not data["confirmed"]:
        candidates = person_duplicates(
            tenant=request.tenant, given_name=data["given_name"], family_name=data["family_name"], email=data["email"]
        )
        context = {"call": found, "form": form, "candidates": candidates, "data": data}
        return render_staff(request, "telephony/caller_confirm.html", context)
    try:
        services.call_person_create(
            call=found, given_name=data["given_name"], family_name=data["family_name"], email=data["email"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _call_page(request, found, status=400, caller=form)
    messages.success(request, "The caller is recorded.")
    return redirect("telephony:call", pk=found.pk)


@crm_view
@require_POST
def link_person(request, pk: int):
    """The caller is someone already on record, chosen from the check before recording a new person."""
    found = _call(pk)
    person_id = request.POST.get("person", "")
    person = Person.objects.filter(pk=person_id).first() if person_id.isdigit() else None
    try:
        if person is None:
            raise ValidationError({"person": ["Choose a person of this council"]})
        services.call_person_link(call=found, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("telephony:call", pk=found.pk)
    messages.success(request, f"The call is linked to {person.display_name}.")
    return redirect("telephony:call", pk=found.pk)


@crm_view
@require_POST
def schedule_callback(request, pk: int):
    found = _call(pk)
    form = CallBackForm(request.POST, phone=found.caller_normalised)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.callback_schedule(
                tenant=request.tenant,
                phone=data["phone"],
                due_at=data["due_at"],
                notes=data["notes"],
                call=found,
                assigned_to=request.user if data["for_whom"] == "me" else None,
                team=data["team"] if data["for_whom"] == "team" else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The call-back is scheduled.")
            return redirect("telephony:call", pk=found.pk)
    return _call_page(request, found, status=400, callback=form)


@crm_view
@require_http_methods(["GET", "POST"])
def raise_case(request, pk: int):
    """Log a case for the caller: choose the service, then its questions are the script to read out."""
    found = _call(pk)
    given = request.POST if request.method == "POST" else request.GET
    code = given.get("service")
    service = Service.objects.filter(code=code, is_active=True).first() if code else None
    if service is None:
        asked = "service" in given  # chose nothing, or a service that is not (or no longer) offered
        context = {"call": found, "groups": service_choices(), "service_error": "Choose a service" if asked else ""}
        return render_staff(request, "telephony/raise_case_service.html", context, status=400 if asked else 200)
    if request.method == "GET":
        return _raise_case_page(request, found, service, CallCaseForm(service=service))
    form = CallCaseForm(request.POST, service=service)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.call_raise_case(
                call=found,
                service=service,
                description=data["description"],
                answers=form.raw_answers(),
                address=data["address"],
                postcode=data["location_postcode"],
                agent=request.user,
            )
        except ValidationError as error:
            form.add_errors(error, {"postcode": "location_postcode"})
        else:
            messages.success(request, f"Case {case.reference} is logged from the call.")
            return redirect("telephony:call", pk=found.pk)
    return _raise_case_page(request, found, service, form, status=400)


def _raise_case_page(request, found: Call, service: Service, form: CallCaseForm, status: int = 200):
    context = {"call": found, "service": service, "form": form, "caller": selectors.caller_record(found.person)}
    return render_staff(request, "telephony/raise_case.html", context, status=status)


def _callback(pk: int) -> CallBack:
    return get_object_or_404(CallBack.objects.select_related("person", "case", "call", "team", "assigned_to"), pk=pk)


@crm_view
@require_http_methods(["GET", "POST"])
def callback(request, pk: int):
    """A call-back: who to call and why; once called, mark it done with how it went."""
    found = _callback(pk)
    form = CallBackDoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.callback_complete(callback=found, note=form.cleaned_data["note"], agent=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The call-back to {found.phone} is done.")
            return redirect("telephony:home")
    status = 400 if form.errors else 200
    context = {"callback": found, "form": form, "caller": selectors.caller_record(found.person)}
    return render_staff(request, "telephony/callback.html", context, status=status)
