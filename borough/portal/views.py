from django.shortcuts import render

from borough.identity.permissions import public_view
from borough.tenancy.modules import MODULES_BY_CODE


@public_view
def home(request):
    tenant = request.tenant
    services = [MODULES_BY_CODE[code] for code in tenant.enabled_modules if code in MODULES_BY_CODE]
    return render(request, "portal/home.html", {"services": services})


@public_view
def accessibility(request):
    return render(request, "portal/accessibility.html")
