from django.shortcuts import render

from borough.identity.permissions import provider_view
from borough.tenancy.models import Tenant


@provider_view
def home(request):
    tenants = Tenant.objects.prefetch_related("domains")
    return render(request, "provider/home.html", {"tenants": tenants})
