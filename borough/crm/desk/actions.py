"""The case page's quick actions, each posting to its own URL (cases/<reference>/<action>/).

With htmx (an HX-Request header) a success answers the new timeline, with the summary, the action's fresh form and
a status message swapped out of band; bad input answers the action's form with its errors (400), retargeted onto
the form. Without JavaScript the same URL redirects back to the case page (post, redirect, get), or answers the
whole page with an error summary (400).
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from borough.crm import services
from borough.crm.desk import forms as action_forms
from borough.crm.desk.case_page import case_for, case_page_context, empty_forms, summary_context, timeline
from borough.crm.desk.views import crm_view
from borough.crm.models import Case, Team
from borough.staff.views import render_staff


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _done(request, case: Case, name: str, message: str):
    if not is_htmx(request):
        messages.success(request, message)
        return redirect("crm:case", reference=case.reference)
    case = case_for(case.reference)  # as the service left it
    fresh = empty_forms(request, case)
    # The status form is refreshed too: the statuses allowed next may have changed.
    refreshed = {action: fresh[action] for action in dict.fromkeys((name, "status"))}
    context = {**summary_context(case), "timeline": timeline(case), "refreshed": refreshed, "message": message}
    return render(request, "crm/desk/action_done.html", context)


def _form_only(request, case: Case, name: str, form, status: int):
    context = {"case": case, "form": form, "inline_summary": status == 400}
    response = render(request, f"crm/desk/actions/{name}.html", context, status=status)
    response["HX-Retarget"] = f"#action-{name}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _failed(request, case: Case, name: str, form):
    if is_htmx(request):
        return _form_only(request, case, name, form, 400)
    context = {**case_page_context(request, case, {name: form}), "error_form": form, "error_action": name}
    return render_staff(request, "crm/desk/case.html", context, status=400)


def _handle(request, case: Case, name: str, form, perform: Callable[[dict], object], message: str):
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            action_forms.add_service_errors(form, error)
        else:
            return _done(request, case, name, message)
    return _failed(request, case, name, form)


@crm_view
@require_http_methods(["GET", "POST"])
def assign(request, reference: str):
    case = case_for(reference)
    if request.method == "GET":
        # htmx asks for the officers of the team just chosen; without JavaScript the case page lists them all.
        if not is_htmx(request):
            return redirect("crm:case", reference=case.reference)
        chosen = request.GET.get("assign-team", "")
        team = Team.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        form = action_forms.AssignForm(case=case, team=team)
        form.initial["team"] = team.pk if team else None
        return _form_only(request, case, "assign", form, 200)
    to_me = "to_me" in request.POST
    form = action_forms.AssignForm(request.POST, case=case, to_me=to_me, user=request.user)

    def perform(data):
        services.case_assign(case=case, team=data["team"], user=data["officer"])

    message = "Assigned to you" if to_me else "Assignment saved"
    return _handle(request, case, "assign", form, perform, message)


@crm_view
@require_POST
def status(request, reference: str):
    case = case_for(reference)
    form = action_forms.StatusForm(request.POST, case=case)

    def perform(data):
        services.case_transition(case=case, to_status=data["to_status"], note=data["note"])

    return _handle(request, case, "status", form, perform, "Status changed")


@crm_view
@require_POST
def note(request, reference: str):
    case = case_for(reference)
    form = action_forms.NoteForm(request.POST)
    return _handle(
        request, case, "note", form, lambda data: services.case_add_note(case=case, body=data["body"]), "Note added"
    )


@crm_view
@require_POST
def update(request, reference: str):
    case = case_for(reference)
    prefill = "prefill" in request.POST
    form = action_forms.UpdateForm(request.POST, case=case, prefill=prefill)
    if prefill:
        # Filling the text in from a template writes nothing: the agent reads and edits it, then sends.
        if not form.is_valid():
            return _failed(request, case, "update", form)
        filled = form.prefilled()
        if is_htmx(request):
            return _form_only(request, case, "update", filled, 200)
        return render_staff(request, "crm/desk/case.html", case_page_context(request, case, {"update": filled}))

    def perform(data):
        services.case_publish_update(case=case, body=data["body"])

    return _handle(request, case, "update", form, perform, "Update sent to the resident")


@crm_view
@require_POST
def attach(request, reference: str):
    case = case_for(reference)
    form = action_forms.AttachForm(request.POST, request.FILES)

    def perform(data):
        services.case_add_attachment(case=case, file=data["file"], is_public=data["audience"] == "public")

    return _handle(request, case, "attach", form, perform, "File attached")


@crm_view
@require_POST
def link(request, reference: str):
    case = case_for(reference)
    form = action_forms.LinkForm(request.POST, case=case)

    def perform(data):
        services.case_link(case=case, other_case=data["other_case"], kind=data["kind"])

    return _handle(request, case, "link", form, perform, "Cases linked")


@crm_view
@require_POST
def refer(request, reference: str):
    case = case_for(reference)
    form = action_forms.ReferForm(request.POST, case=case, tenant=request.tenant)

    def perform(data):
        shared = set(data["share"])
        services.case_refer(
            case=case,
            to_tenant=data["to_tenant"],
            share_description="description" in shared,
            share_contact="contact" in shared,
        )

    return _handle(request, case, "refer", form, perform, "Case referred")
