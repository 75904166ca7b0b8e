"""Reporting a problem or asking a question: a start page, one question per page, check your answers, sent.

Each page saves its answer in the journey (borough.portal.journey) and goes on to the next; `?change=1` (from the
check page) returns there instead. Nothing reaches the CRM until the resident sends the report from the check
page, where everything is checked again (borough.portal.submit).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from borough.crm.models import Case, Service
from borough.crm.questions import clean_answers
from borough.identity.permissions import public_view
from borough.portal import forms
from borough.portal.journey import CONFIRMATION, Journey, anonymous_allowed
from borough.portal.session import session_forget, session_read, session_write
from borough.portal.submit import report_send
from borough.portal.templatetags.portal_text import answer_text, file_size
from borough.portal.uploads import MAX_PHOTOS, upload_discard, upload_keep, uploads_clear
from borough.portal.views.common import crm_portal, posted, render_form_page
from borough.portal.views.track import remember_case

GET_POST = ["GET", "POST"]
RESTART = "We could not find your answers (they are kept for a day). Start your report again."


def _service(request, code: str) -> Service:
    return get_object_or_404(Service.objects.filter(tenant=request.tenant, is_active=True), code=code)


def _journey(request, code: str):
    """The journey of this service, or a redirect to its start page when there is none (or it was another's)."""
    service = _service(request, code)
    journey = Journey.load(request, service)
    if journey is None:
        messages.info(request, RESTART)
        return None, redirect("portal:start", code=service.code)
    return journey, None


def _changing(request) -> bool:
    return request.GET.get("change") == "1"


def _step_page(request, journey: Journey, step: str, template: str, form, extra: dict | None = None):
    context = {
        "service": journey.service,
        "journey": journey,
        "back_url": journey.previous_url(step, changing=_changing(request)),
        **(extra or {}),
    }
    return render_form_page(request, template, context, form=form)


def _saved(request, journey: Journey, step: str):
    journey.save(request)
    return redirect(journey.next_url(step, changing=_changing(request)))


@public_view
@crm_portal
@require_http_methods(GET_POST)
def start(request, code: str):
    service = _service(request, code)
    if request.method == "POST":
        uploads_clear(request)
        journey = Journey.start(request, service)
        return redirect(journey.steps()[0].url)
    context = {
        "service": service,
        "anonymous_allowed": anonymous_allowed(service),
        "has_journey": Journey.load(request, service) is not None,
    }
    return render(request, "portal/report/start.html", context)


def _rule_problems(journey: Journey, answers: dict, question) -> list[str]:
    """The service's own rules for this question's answer (borough.crm.questions), for this page only."""
    try:
        clean_answers(journey.service, answers)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return error.message_dict.get(f"answers.{question.code}", [])
    return []


@public_view
@crm_portal
@require_http_methods(GET_POST)
def question(request, code: str, question: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    asked = next((q for q in journey.questions if q.code == question), None)
    if asked is None:
        raise Http404
    step = f"question:{asked.code}"
    if request.method == "POST":
        form = forms.QuestionForm(request.POST, question=asked)
        if form.is_valid():
            answers = dict(journey.answers())
            raw = form.raw_answer()
            if raw is None:
                answers.pop(asked.code, None)
            else:
                answers[asked.code] = raw
            problems = _rule_problems(journey, answers, asked)
            if not problems:
                journey.update(step, answers=answers)
                return _saved(request, journey, step)
            form.add_error("answer_day" if form.is_date_time else "answer", problems)
    else:
        initial = forms.QuestionForm.initial_for(asked, journey.answers().get(asked.code))
        form = forms.QuestionForm(initial=initial, question=asked)
    return _step_page(request, journey, step, "portal/report/question.html", form, {"question": asked})


def _simple_step(request, code: str, step: str, form_class, template: str, keys: tuple[str, ...]):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    form = form_class(posted(request), initial={key: journey.get(key, "") for key in keys})
    if request.method == "POST" and form.is_valid():
        values = {key: form.cleaned_data[key] for key in keys}
        journey.update(step, **{key: "" if value is None else str(value) for key, value in values.items()})
        return _saved(request, journey, step)
    return _step_page(request, journey, step, template, form)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def description(request, code: str):
    return _simple_step(
        request, code, "description", forms.DescriptionForm, "portal/report/description.html", ("description",)
    )


def _location_service(request, code: str) -> None:
    if not _service(request, code).needs_location:
        raise Http404


@public_view
@crm_portal
@require_http_methods(GET_POST)
def postcode(request, code: str):
    _location_service(request, code)
    return _simple_step(request, code, "postcode", forms.PostcodeForm, "portal/report/postcode.html", ("postcode",))


@public_view
@crm_portal
@require_http_methods(GET_POST)
def address(request, code: str):
    _location_service(request, code)
    keys = ("address", "latitude", "longitude")
    return _simple_step(request, code, "address", forms.AddressForm, "portal/report/address.html", keys)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def photos(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    kept = journey.photos()
    form = forms.PhotoForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("photo")
        if not upload and request.POST.get("action") == "upload":
            form.add_error("photo", "Select a photo to upload")
        elif upload and len(kept) >= MAX_PHOTOS:
            form.add_error("photo", f"You can add {MAX_PHOTOS} photos at most. Remove one to add another")
        elif upload:
            try:
                kept = [*kept, upload_keep(request, upload)]
            except ValidationError as error:
                form.add_error("photo", error.messages)
        if not form.errors:
            if request.POST.get("action") == "upload":
                journey.state["photos"] = kept
                journey.save(request)
                if upload:
                    messages.success(request, f"{upload.name} added")
                return redirect(request.get_full_path())
            journey.update("photos", photos=kept)
            return _saved(request, journey, "photos")
    context = {"photos": kept, "may_add": len(kept) < MAX_PHOTOS, "max_photos": MAX_PHOTOS}
    return _step_page(request, journey, "photos", "portal/report/photos.html", form, context)


@public_view
@crm_portal
@require_POST
def photo_remove(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    photo_id = request.POST.get("photo", "")
    removed = [p for p in journey.photos() if p.get("id") == photo_id]
    if removed:
        upload_discard(request, photo_id)
        journey.state["photos"] = [p for p in journey.photos() if p.get("id") != photo_id]
        journey.save(request)
        messages.success(request, f"{removed[0].get('name', 'The photo')} removed")
    suffix = "?change=1" if _changing(request) else ""
    return redirect(journey.step("photos").url + suffix)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def about_you(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    if not anonymous_allowed(journey.service):
        raise Http404
    form = forms.AboutYouForm(posted(request), initial={"identity": journey.get("identity") or None})
    if request.method == "POST" and form.is_valid():
        identity = form.cleaned_data["identity"]
        if identity == "anonymous":  # keep no personal details of an anonymous report
            for key in ("given_name", "family_name", "email", "phone", "preferred_channel"):
                journey.state.pop(key, None)
            journey.state["consents"] = []
            journey.state["done"] = [d for d in journey.state.get("done", []) if d not in ("contact", "preferences")]
        journey.update("about_you", identity=identity)
        return _saved(request, journey, "about_you")
    return _step_page(request, journey, "about_you", "portal/report/about_you.html", form)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def contact(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    if journey.is_anonymous:
        return redirect(journey.step("about_you").url)
    keys = ("given_name", "family_name", "email", "phone")
    form = forms.ContactForm(posted(request), initial={key: journey.get(key, "") for key in keys})
    if request.method == "POST" and form.is_valid():
        changed_contacts = any(form.cleaned_data[k] != journey.get(k, "") for k in ("email", "phone"))
        journey.update("contact", **{key: form.cleaned_data[key] for key in keys})
        if changed_contacts:  # the choices on the preferences page depend on these
            journey.state["done"] = [d for d in journey.state["done"] if d != "preferences"]
        return _saved(request, journey, "contact")
    return _step_page(request, journey, "contact", "portal/report/contact.html", form)


@public_view
@crm_portal
@require_http_methods(GET_POST)
def preferences(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    email, phone = journey.get("email", ""), journey.get("phone", "")
    if journey.is_anonymous or not (email or phone):
        return redirect(journey.step("about_you" if journey.is_anonymous else "contact").url)
    initial = {"preferred_channel": journey.get("preferred_channel") or None, "consents": journey.get("consents", [])}
    form = forms.PreferencesForm(posted(request), initial=initial, email=email, phone=phone)
    if request.method == "POST" and form.is_valid():
        journey.update(
            "preferences",
            preferred_channel=form.cleaned_data["preferred_channel"],
            consents=form.cleaned_data["consents"],
        )
        return _saved(request, journey, "preferences")
    return _step_page(request, journey, "preferences", "portal/report/preferences.html", form)


def _check_rows(journey: Journey) -> list[dict]:
    rows = []
    answers = journey.answers()

    def row(step: str, key: str, value, missing: str = "Not given") -> None:
        lines = [line for line in (value if isinstance(value, list) else [value]) if line]
        rows.append({"key": key, "lines": lines or [missing], "url": journey.step(step).url + "?change=1"})

    for asked in journey.questions:
        row(f"question:{asked.code}", asked.prompt, answer_text(asked, answers.get(asked.code)))
    row("description", "Description", journey.get("description"))
    if journey.service.needs_location:
        row("postcode", "Postcode", journey.get("postcode"))
        row("address", "Location", journey.get("address"))
    photos = [f"{p.get('name')} ({file_size(p.get('size'))})" for p in journey.photos()]
    row("photos", "Photos", photos, "No photos")
    if anonymous_allowed(journey.service):
        row("about_you", "Contact details", "Report anonymously" if journey.is_anonymous else "Given")
    if not journey.is_anonymous:
        name = f"{journey.get('given_name', '')} {journey.get('family_name', '')}".strip()
        row("contact", "Your details", [name, journey.get("email"), journey.get("phone")])
        channels = dict(forms.contact_channels(journey.get("email"), journey.get("phone")))
        consents = dict(forms.update_consents(journey.get("email"), journey.get("phone")))
        chosen = [consents[c] for c in journey.get("consents", []) if c in consents]
        row(
            "preferences",
            "Contact preferences",
            [f"By {channels.get(journey.get('preferred_channel'), 'email').lower()}", *chosen],
        )
    return rows


def _error_links(journey: Journey, error: ValidationError) -> list[tuple[str, str]]:
    links = []
    names = {step.name: step for step in journey.steps()}
    for step_name, step_messages in error.message_dict.items():
        step = names.get(step_name)
        href = step.url + "?change=1" if step else journey.start_url()
        links += [(href, message) for message in step_messages]
    return links


@public_view
@crm_portal
@require_http_methods(GET_POST)
def check(request, code: str):
    journey, restart = _journey(request, code)
    if restart:
        return restart
    missing = journey.first_incomplete()
    if missing is not None and request.method == "GET":
        return redirect(missing.url)
    error_links = []
    if request.method == "POST":
        try:
            case = report_send(request, journey)
        except ValidationError as error:
            error_links = _error_links(journey, error)
        else:
            uploads_clear(request)
            Journey.forget(request)
            session_write(request, CONFIRMATION, {"case": case.pk})
            remember_case(request, case)
            return redirect("portal:confirmation")
    steps = journey.steps()
    context = {
        "service": journey.service,
        "rows": _check_rows(journey),
        "error_links": error_links,
        "back_url": steps[-1].url if steps else journey.start_url(),
    }
    return render(request, "portal/report/check.html", context, status=400 if error_links else 200)


@public_view
@crm_portal
@require_http_methods(["GET"])
def confirmation(request):
    sent = session_read(request, CONFIRMATION)
    case_pk = sent.get("case") if isinstance(sent, dict) else None
    case = Case.objects.filter(tenant=request.tenant, pk=case_pk).select_related("service", "requester").first()
    if case is None:
        session_forget(request, CONFIRMATION)
        return redirect("portal:home")
    return render(request, "portal/report/confirmation.html", {"case": case})
