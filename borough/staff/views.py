from django.shortcuts import render

from borough.identity.permissions import staff_view
from borough.staff.navigation import staff_navigation
from borough.tenancy.modules import MODULES


def render_staff(request, template: str, context: dict | None = None, status: int = 200):
    """Render a staff page with the navigation the user may see."""
    context = {"staff_navigation": staff_navigation(request), **(context or {})}
    return render(request, template, context, status=status)


@staff_view()
def home(request):
    modules = [m for m in MODULES if request.tenant.has_module(m.code) and request.roles & set(m.roles)]
    return render_staff(request, "staff/home.html", {"modules": modules})
