"""The email review queue of the desk: messages that could not be matched to a case or a person, and what staff do
with each."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from borough.channels import review
from borough.channels.forms import AddToCaseForm, DismissForm, OpenCaseForm, absorb
from borough.channels.models import InboundEmail
from borough.crm.desk.views import crm_view
from borough.staff.views import render_staff

RECENT_LIMIT = 50


@crm_view
@require_GET
def review_list(request):
    emails = InboundEmail.objects.select_related("case", "mailbox")
    waiting = list(emails.filter(outcome=InboundEmail.Outcome.REVIEW, reviewed_at__isnull=True).order_by("received_at"))
    recent = list(emails.exclude(pk__in=[email.pk for email in waiting])[:RECENT_LIMIT])
    return render_staff(request, "channels/review_list.html", {"waiting": waiting, "recent": recent})


def _email(pk: int) -> InboundEmail:
    return get_object_or_404(InboundEmail.objects.select_related("case", "mailbox", "person"), pk=pk)


def _detail(request, email: InboundEmail, status: int = 200, **forms):
    known_reference = email.case.reference if email.case else ""
    context = {
        "email": email,
        "waiting": email.outcome == InboundEmail.Outcome.REVIEW and email.reviewed_at is None,
        "open_form": forms.get("open_form") or OpenCaseForm(tenant=request.tenant),
        "add_form": forms.get("add_form") or AddToCaseForm(initial={"reference": known_reference}),
        "dismiss_form": forms.get("dismiss_form") or DismissForm(),
    }
    context["form"] = next((form for form in forms.values() if form.errors), None)  # for the error summary
    return render_staff(request, "channels/review_detail.html", context, status=status)


@crm_view
@require_GET
def review_detail(request, pk: int):
    return _detail(request, _email(pk))


@crm_view
@require_POST
def open_case(request, pk: int):
    email = _email(pk)
    form = OpenCaseForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        try:
            case = review.inbound_email_open_case(record=email, service=form.cleaned_data["service"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened from the email.")
            return redirect("crm:case", reference=case.reference)
    return _detail(request, email, status=400, open_form=form)


@crm_view
@require_POST
def add_to_case(request, pk: int):
    email = _email(pk)
    form = AddToCaseForm(request.POST)
    if form.is_valid():
        try:
            case = review.inbound_email_add_to_case(record=email, reference=form.cleaned_data["reference"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, f"The email was added to {case.reference}.")
            return redirect("crm:case", reference=case.reference)
    return _detail(request, email, status=400, add_form=form)


@crm_view
@require_POST
def dismiss(request, pk: int):
    email = _email(pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            review.inbound_email_dismiss(record=email, note=form.cleaned_data["note"])
        except ValidationError as error:
            absorb(form, error)
        else:
            messages.success(request, "The email was dismissed.")
            return redirect("channels:review")
    return _detail(request, email, status=400, dismiss_form=form)


@crm_view
@require_GET
def original(request, pk: int):
    """The message exactly as received, to save and open in a mail program (never shown inline)."""
    email = _email(pk)
    try:
        handle = email.raw.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="message/rfc822", as_attachment=True, filename=f"email-{email.pk}.eml")
    response["X-Content-Type-Options"] = "nosniff"
    return response
