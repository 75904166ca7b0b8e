"""The tenant administrator's notification pages: settings (languages, events, survey) and the templates, each
edited with a preview. Which template is chosen by query string (event, channel, language): they are not
objects with ids, and a tenant only ever sees its own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from borough.channels.notifications import selectors
from borough.channels.notifications.compose import preview
from borough.channels.notifications.events import Event, Language, NotifyChannel, allowed_placeholders
from borough.channels.notifications.forms import SettingsForm, TemplateForm
from borough.channels.notifications.services import (
    notification_settings_update,
    notification_template_reset,
    notification_template_save,
)
from borough.identity.permissions import staff_view
from borough.staff.views import render_staff
from borough.tenancy.modules import TENANT_ADMIN


def _posted(request):
    # Not `request.POST or None`: a POST with every box unticked is empty, and must still be validated.
    return request.POST if request.method == "POST" else None


def _add_service_errors(form, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def home(request):
    settings = selectors.notification_settings(request.tenant)
    initial = {field: getattr(settings, field) for field in ("bilingual", "both_languages_in_email", "survey_url")}
    form = SettingsForm(_posted(request), initial={**initial, "events": settings.events})
    if request.method == "POST" and form.is_valid():
        try:
            notification_settings_update(tenant=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Notification settings saved.")
            return redirect("notifications:home")
    languages = selectors.tenant_languages(settings)
    context = {
        "form": form,
        "settings": settings,
        "grid": selectors.template_grid(request.tenant, languages),
        "language_names": dict(Language.choices),
        "channel_names": dict(NotifyChannel.choices),
    }
    return render_staff(request, "notifications/home.html", context, status=400 if form.errors else 200)


def _which(request) -> tuple[str, str, str]:
    source = request.POST if request.method == "POST" else request.GET
    event, channel, language = (source.get(name, "") for name in ("event", "channel", "language"))
    if event not in Event.values or channel not in NotifyChannel.values or language not in Language.values:
        raise Http404("There is no such template")
    return event, channel, language


@staff_view(roles=(TENANT_ADMIN,))
@require_http_methods(["GET", "POST"])
def template(request):
    if request.method == "GET" and not request.GET:
        return redirect("notifications:home")
    event, channel, language = _which(request)
    settings = selectors.notification_settings(request.tenant)
    current = selectors.template_for(request.tenant, event, channel, language)
    initial = {"subject": current.subject, "body": current.body}
    form = TemplateForm(_posted(request), initial=initial, event=event, channel=channel)
    shown = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data.get("subject", ""), form.cleaned_data["body"]
        if request.POST.get("action") == "save":
            try:
                notification_template_save(
                    tenant=request.tenant,
                    event=event,
                    channel=channel,
                    language=language,
                    subject=subject,
                    body=body,
                    user=request.user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"{_title(event, channel, language)} saved.")
                return redirect("notifications:home")
        else:
            shown = preview(
                request.tenant,
                event,
                channel,
                language,
                subject=subject,
                body=body,
                notification_settings=settings,
            )
    elif request.method == "GET":
        shown = preview(
            request.tenant,
            event,
            channel,
            language,
            subject=current.subject,
            body=current.body,
            notification_settings=settings,
        )
    context = {
        "form": form,
        "title": _title(event, channel, language),
        "which": {"event": event, "channel": channel, "language": language},
        "is_default": current.is_default,
        "placeholders": allowed_placeholders(event),
        "preview": shown,
        "is_sms": channel == NotifyChannel.SMS,
        "language": language,
    }
    return render_staff(request, "notifications/template.html", context, status=400 if form.errors else 200)


def _title(event: str, channel: str, language: str) -> str:
    return f"{Event(event).label}: {NotifyChannel(channel).label.lower()} in {Language(language).label}"


@staff_view(roles=(TENANT_ADMIN,))
@require_POST
def template_reset(request):
    event, channel, language = _which(request)
    if notification_template_reset(tenant=request.tenant, event=event, channel=channel, language=language):
        messages.success(request, f"{_title(event, channel, language)}: back to Borough's wording.")
    return redirect(f"{reverse('notifications:template')}?event={event}&channel={channel}&language={language}")
