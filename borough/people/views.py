"""Staff pages of the single person record: search, create (with the duplicate check), the person view, merge and
unmerge, subject access exports and erasure. Thin: parse, call a service or selector, render. The pages that keep a
record up to date (details, contact points, addresses, consent) are in borough.people.edit_views.

Objects are found through the scoped managers, so another tenant's person answers 404 like one that does not exist.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from borough.core.models import AuditEvent
from borough.identity.permissions import staff_view
from borough.people import selectors
from borough.people.erasure import erasure_problems, person_erase
from borough.people.export import person_subject_access_export, person_subject_access_pdf
from borough.people.forms import EraseForm, MergeForm, PersonCreateForm, SearchForm, UnmergeForm, add_service_errors
from borough.people.merge import MERGE_ACTION, merge_check, person_merge, person_unmerge
from borough.people.models import Consent, Person
from borough.people.services import person_create
from borough.staff.views import render_staff

CRM_ROLES = ("crm.agent", "crm.supervisor")
SUPERVISOR = ("crm.supervisor",)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _person(pk: int) -> Person:
    return get_object_or_404(Person.objects.select_related("merged_into"), pk=pk)


@staff_view(roles=CRM_ROLES, module="crm")
@require_GET
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render_staff(request, "people/search.html", {"form": form, "results": None}, status=400)
    query = form.cleaned_data["q"]
    results = selectors.person_search(tenant=request.tenant, query=query) if query else None
    return render_staff(request, "people/search.html", {"form": form, "results": results, "query": query})


def _detail_context(request, person: Person) -> dict:
    in_force = selectors.consent_records_in_force(person=person)
    return {
        "person": person,
        "contact_points": person.contact_points.order_by("-is_primary", "kind", "pk"),
        "addresses": person.addresses.order_by("-is_primary", "pk"),
        "consents_in_force": [(value, label, in_force.get(value)) for value, label in Consent.Purpose.choices],
        "consents": person.consents.select_related("recorded_by")[:50],
        "cases": selectors.person_cases(person=person).order_by("-created_at")[:100],
        "timeline": selectors.person_timeline(person=person),
        "history": selectors.person_history(person=person),
        "merged_records": selectors.people_merged_into(person=person),
        "is_supervisor": "crm.supervisor" in request.roles,
    }


@staff_view(roles=CRM_ROLES, module="crm")
@require_GET
def detail(request, pk: int):
    person = _person(pk)
    return render_staff(request, "people/detail.html", _detail_context(request, person))


@staff_view(roles=CRM_ROLES, module="crm")
@require_http_methods(["GET", "POST"])
def create(request):
    form = PersonCreateForm(_posted(request))
    if request.method != "POST":
        return render_staff(request, "people/create.html", {"form": form})
    if form.is_valid():
        data = form.cleaned_data
        candidates = []
        if not data["create_anyway"]:
            candidates = selectors.person_duplicates(
                tenant=request.tenant,
                given_name=data["given_name"],
                family_name=data["family_name"] or data["organisation_name"],
                email=data["email"],
                phone=data["phone"],
                postcode=data["postcode"],
            )
        if candidates:
            return render_staff(request, "people/duplicates.html", {"form": form, "candidates": candidates})
        try:
            person = person_create(tenant=request.tenant, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Record created for {person.display_name}.")
            return redirect("people:detail", pk=person.pk)
    return render_staff(request, "people/create.html", {"form": form}, status=400)


@staff_view(roles=SUPERVISOR, module="crm")
@require_http_methods(["GET", "POST"])
def merge(request, pk: int):
    survivor = _person(pk)
    form = MergeForm(_posted(request))
    context = {"person": survivor, "form": form}
    if request.method != "POST":
        if survivor.is_active:
            context["candidates"] = selectors.person_duplicates_of(person=survivor)
        return render_staff(request, "people/merge.html", context)
    if form.is_valid():
        duplicate = Person.objects.filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", "There is no record with that number")
        elif not form.cleaned_data["confirm"]:
            problem = _merge_problem(survivor, duplicate)
            if problem is None:
                context["duplicate"] = duplicate
                return render_staff(request, "people/merge_confirm.html", context)
            add_service_errors(form, problem)
        else:
            try:
                person_merge(survivor=survivor, duplicate=duplicate)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Record {duplicate.pk} is merged into this record.")
                return redirect("people:detail", pk=survivor.pk)
    return render_staff(request, "people/merge.html", context, status=400)


def _merge_problem(survivor: Person, duplicate: Person) -> ValidationError | None:
    """What would stop the merge, found before asking to confirm it (person_merge checks again)."""
    try:
        merge_check(survivor, duplicate)
    except ValidationError as error:
        return ValidationError([m for messages_ in error.message_dict.values() for m in messages_])
    return None


@staff_view(roles=SUPERVISOR, module="crm")
@require_POST
def unmerge(request, pk: int):
    person = _person(pk)
    form = UnmergeForm(request.POST)
    errors: list[str] = []
    if not form.is_valid():
        errors = [m for messages_ in form.errors.values() for m in messages_]
    else:
        event = AuditEvent.objects.filter(
            pk=form.cleaned_data["event"],
            action=MERGE_ACTION,
            object_type=Person._meta.label_lower,
            object_id=str(person.pk),
        ).first()
        if event is None:
            errors = ["There is no merge into this record with that number"]
        else:
            try:
                person_unmerge(audit_event=event)
            except ValidationError as error:
                errors = [m for messages_ in error.message_dict.values() for m in messages_]
            else:
                duplicate_id = event.detail["duplicate_id"]
                messages.success(request, f"The merge is undone: record {duplicate_id} is separate again.")
                return redirect("people:detail", pk=person.pk)
    context = {**_detail_context(request, person), "unmerge_errors": errors}
    return render_staff(request, "people/detail.html", context, status=400)


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view(roles=CRM_ROLES, module="crm")
@require_GET
def export_json(request, pk: int):
    person = _person(pk)
    data = person_subject_access_export(person=person)
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _download(response, f"subject-access-{person.pk}.json")


@staff_view(roles=CRM_ROLES, module="crm")
@require_GET
def export_pdf(request, pk: int):
    person = _person(pk)
    response = HttpResponse(person_subject_access_pdf(person=person), content_type="application/pdf")
    return _download(response, f"subject-access-{person.pk}.pdf")


@staff_view(roles=SUPERVISOR, module="crm")
@require_http_methods(["GET", "POST"])
@never_cache
def erase(request, pk: int):
    person = _person(pk)
    form = EraseForm(_posted(request))
    context = {"person": person, "form": form, "problems": erasure_problems(person)}
    if request.method != "POST":
        return render_staff(request, "people/erase.html", context)
    if form.is_valid():
        try:
            person_erase(person=person, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Record {person.pk} is erased: the person's details are anonymised.")
            return redirect("people:detail", pk=person.pk)
    return render_staff(request, "people/erase.html", context, status=400)
