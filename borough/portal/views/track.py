"""Following a case: reference and contact, a code, then the case page (status, updates, due date), where the
resident can add information, reopen a resolved case within the tenant's period, and give feedback once.

A case page answers 404 until this session has verified a code for that case, exactly as for a reference that
does not exist, so the pages say nothing about which references exist.
"""

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from borough.core.audit import acting_as
from borough.crm.attachments import check_attachment
from borough.crm.models import Case
from borough.crm.services import case_add_resident_information, case_record_feedback, case_reopen
from borough.identity.permissions import public_view
from borough.portal import forms, selectors
from borough.portal.models import PortalVerification
from borough.portal.services import RateLimited, portal_actor, verification_check, verification_request
from borough.portal.session import session_forget, session_read, session_write
from borough.portal.views.common import crm_portal, posted, render_form_page

GET_POST = ["GET", "POST"]
PENDING = "verification"
VERIFIED = "cases"
VERIFIED_FOR = 2 * 60 * 60  # seconds a verified case stays open in this session
SERVICE_FIELDS = {"attachments": "photo"}  # the CRM service's field names that differ from the form's


def remember_case(request, case: Case) -> None:
    """Let this session see the case (after a right code, or right after reporting it)."""
    verified = _verified(request)
    verified[str(case.pk)] = int(time.time())
    session_write(request, VERIFIED, verified)


def _verified(request) -> dict[str, int]:
    value = session_read(request, VERIFIED, max_age=VERIFIED_FOR)
    if not isinstance(value, dict):
        return {}
    now = time.time()
    return {pk: at for pk, at in value.items() if isinstance(at, int) and now - at < VERIFIED_FOR}


def _case_or_404(request, reference: str):
    """The case, if this session may see it; else None (the caller answers 404)."""
    case = selectors.case_for_resident(tenant=request.tenant, reference=reference.upper())
    if case is None or str(case.pk) not in _verified(request):
        return None
    return case


def _not_found(request):
    return render(request, "portal/track/not_found.html", status=404)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def track(request):
    form = forms.TrackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        contact_kind, contact = form.cleaned_data["contact"]
        try:
            with acting_as(portal_actor()):
                verification = verification_request(
                    tenant=request.tenant,
                    reference=form.cleaned_data["reference"],
                    contact_kind=contact_kind,
                    contact=contact,
                )
        except RateLimited as error:
            form.add_error("reference", error.message_dict["reference"])
            return render_form_page(request, "portal/track/start.html", {}, form=form, status=429)
        session_write(request, PENDING, {"id": verification.pk, "to": request.POST.get("contact", "").strip()})
        return redirect("portal:track_code")
    return render_form_page(request, "portal/track/start.html", {}, form=form)


@public_view
@crm_portal
@never_cache
@require_http_methods(GET_POST)
def track_code(request):
    pending = session_read(request, PENDING)
    verification = None
    if isinstance(pending, dict):
        verification = PortalVerification.objects.filter(tenant=request.tenant, pk=pending.get("id")).first()
    if verification is None:
        return redirect("portal:track")
    form = forms.CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with acting_as(portal_actor()):
                case = verification_check(verification=verification, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.message_dict["code"])
        else:
            session_forget(request, PENDING)
            remember_case(request, case)
            return redirect("portal:case", reference=case.reference)
    context = {"sent_to": pending.get("to", ""), "by_text": verification.sent_by == PortalVerification.Sent.SMS}
    return render_form_page(request, "portal/track/code.html", context, form=form)


@public_view
@crm_portal
@never_cache
@require_http_methods(["GET"])
def case(request, reference: str):
    case = _case_or_404(request, reference)
    if case is None:
        return _not_found(request)
    context = {
        "case": case,
        "events": selectors.public_events(case),
        "reopen_until": selectors.reopen_until(case),
        "may_give_feedback": selectors.may_give_feedback(case),
    }
    return render(request, "portal/track/case.html", context)


def _case_action(request, reference: str, form, template: str, act, done: str):
    """A form on a verified case: run `act(case, cleaned_data)` through the CRM's service, or show its errors."""
    case = _case_or_404(request, reference)
    if case is None:
        return _not_found(request)
    if request.method == "POST" and form.is_valid():
        try:
            with acting_as(portal_actor()):
                act(case, form.cleaned_data)
        except ValidationError as error:
            messages_by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, field_messages in messages_by_field.items():
                field = SERVICE_FIELDS.get(field, field)
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, done)
            return redirect("portal:case", reference=case.reference)
    return render_form_page(request, template, {"case": case}, form=form)


@public_view
@crm_portal
@never_cache
@require_http_methods(GET_POST)
def case_add(request, reference: str):
    form = forms.AddInformationForm(posted(request), request.FILES if request.method == "POST" else None)

    def act(case, data):
        photo = data.get("photo")
        if photo:
            try:
                check_attachment(photo)
            except ValidationError as error:
                raise ValidationError({"photo": error.messages}) from None
            photo.seek(0)
        case_add_resident_information(case=case, body=data["body"], attachments=(photo,) if photo else ())

    return _case_action(request, reference, form, "portal/track/add.html", act, "Your information was added")


@public_view
@crm_portal
@never_cache
@require_http_methods(GET_POST)
def case_reopen_view(request, reference: str):
    def act(case, data):
        if selectors.reopen_until(case) is None:
            raise ValidationError({"reason": "This report can no longer be reopened. Report the problem again."})
        case_reopen(case=case, reason=data["reason"])

    form = forms.ReopenForm(posted(request))
    return _case_action(request, reference, form, "portal/track/reopen.html", act, "Your report is open again")


@public_view
@crm_portal
@never_cache
@require_http_methods(GET_POST)
def case_feedback(request, reference: str):
    def act(case, data):
        case_record_feedback(case=case, rating=data["rating"], comment=data["comment"])

    form = forms.FeedbackForm(posted(request))
    return _case_action(request, reference, form, "portal/track/feedback.html", act, "Thank you for your feedback")
