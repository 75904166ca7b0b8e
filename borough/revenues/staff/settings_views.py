"""The council's revenues settings page (/staff/revenues/settings/): country, what bills print about the council,
Greater London, the BACS originator details and the court costs. Revenues managers only, as the recovery settings
page (officers get 403). Thin: the form gathers, `revenues_settings_update` checks and writes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from borough.identity.permissions import staff_view
from borough.revenues.council_settings import CouncilSettingsForm, current_settings, revenues_settings_update
from borough.revenues.staff.forms import service_errors
from borough.staff.views import render_staff

MANAGERS = ("revenues.manager",)
TEMPLATE = "revenues/staff/settings.html"


@staff_view(roles=MANAGERS, module="revenues")
@require_http_methods(["GET", "POST"])
def settings(request):
    """Show the council's settings; on POST save them all (a repeated POST saves the same values again), then
    redirect, so a reload does not send the form twice."""
    if request.method == "POST":
        form = CouncilSettingsForm(request.POST)
        if form.is_valid():
            try:
                revenues_settings_update(tenant=request.tenant, changes=form.cleaned_data)
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, "The council's revenues settings are saved.")
                return redirect("revenues:settings")
        return render_staff(request, TEMPLATE, {"form": form}, status=400)
    form = CouncilSettingsForm(initial=current_settings(request.tenant))
    return render_staff(request, TEMPLATE, {"form": form})
