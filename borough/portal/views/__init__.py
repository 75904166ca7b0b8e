"""The citizen portal's front pages: the services a resident can use, and the accessibility statement.

The report journey is in views/report.py, following a case in views/track.py.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from borough.identity.permissions import public_view
from borough.portal import selectors
from borough.portal.views.common import crm_portal

MAX_QUERY = 100


@public_view
@require_GET
def home(request):
    tenant = request.tenant
    groups = selectors.service_groups(tenant=tenant) if tenant.has_module("crm") else None
    return render(request, "portal/home.html", {"groups": groups})


@public_view
@crm_portal
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = selectors.service_search(tenant=request.tenant, query=query)
    return render(request, "portal/search.html", {"query": query, "results": results})


@public_view
@require_GET
def accessibility(request):
    return render(request, "portal/accessibility.html")
