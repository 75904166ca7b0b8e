"""Logging a case on a resident's behalf: choose the service, then the resident, the details and the service's
questions. The case records the channel and the agent who logged it; nothing is created unless all of it is."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from borough.crm.desk.log_forms import NEW_PERSON, PERSON_CHANNEL, LogCaseForm, service_choices
from borough.crm.desk.views import crm_view
from borough.crm.models import Service
from borough.crm.services import case_create
from borough.people.models import Person
from borough.people.selectors import person_duplicates
from borough.people.services import person_create, person_find_or_create
from borough.staff.views import render_staff


def _choose_service(request, error: str = ""):
    context = {"groups": service_choices(), "service_error": error, "chosen": request.GET.get("service", "")}
    return render_staff(request, "crm/desk/log_case_service.html", context, status=400 if error else 200)


def _candidates(request, data: dict):
    """People who may be this resident (same email or phone, or a similar name at the same postcode)."""
    return person_duplicates(
        tenant=request.tenant,
        given_name=data["given_name"],
        family_name=data["family_name"],
        email=data["email"],
        phone=data["phone"],
        postcode=data["postcode"],
    )


def _requester(request, data: dict) -> Person:
    names = {"given_name": data["given_name"].strip(), "family_name": data["family_name"].strip()}
    chosen = data.get("person")
    if chosen and chosen != NEW_PERSON:
        return Person.objects.get(pk=chosen, merged_into__isnull=True, anonymised_at__isnull=True)
    contacts = {"email": data["email"], "phone": data["phone"]}
    if chosen == NEW_PERSON or not (data["email"] or data["phone"]):
        return person_create(tenant=request.tenant, **names, **contacts)
    return person_find_or_create(tenant=request.tenant, **names, **contacts, channel=PERSON_CHANNEL[data["channel"]])


def _create(request, service: Service, form: LogCaseForm):
    data = form.cleaned_data
    try:
        with transaction.atomic():  # a person made for a case that then fails is not kept
            requester = _requester(request, data)
            return case_create(
                tenant=request.tenant,
                service=service,
                channel=data["channel"],
                description=data["description"],
                answers=form.raw_answers(),
                requester=requester,
                address=data["address"],
                postcode=data["location_postcode"] or data["postcode"],
                logged_by=request.user,
            )
    except ValidationError as error:
        form.add_errors(error, {"postcode": "location_postcode", "address.postcode": "postcode"})
        return None


@crm_view
@require_http_methods(["GET", "POST"])
def log_case(request):
    code = request.POST.get("service") if request.method == "POST" else request.GET.get("service")
    if not code:
        return _choose_service(request)
    service = Service.objects.filter(code=code, is_active=True).first()
    if service is None:
        return _choose_service(request, "Choose a service from the list")
    if request.method == "GET":
        return _render(request, service, LogCaseForm(service=service))
    form = LogCaseForm(request.POST, service=service)
    if not form.is_valid():
        return _render(request, service, form, status=400)
    candidates = _candidates(request, form.cleaned_data)
    if candidates:
        asked = "asked" in request.POST
        form = LogCaseForm(request.POST, service=service, candidates=candidates, person_required=asked)
        if not asked:
            # Not an error: the agent is asked once whether the resident is already known.
            form.is_valid()
            return _render(request, service, form, asking=True)
        if not form.is_valid():
            return _render(request, service, form, status=400)
    case = _create(request, service, form)
    if case is None:
        return _render(request, service, form, status=400)
    messages.success(request, f"Case {case.reference} is logged.")
    return redirect("crm:case", reference=case.reference)


def _render(request, service: Service, form: LogCaseForm, *, asking: bool = False, status: int = 200):
    context = {"service": service, "form": form, "asking": asking}
    return render_staff(request, "crm/desk/log_case.html", context, status=status)
