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
    navigation = staff_navigation(request)
    areas = [item for item in navigation if item.url != request.path]
    opened = {item.label for item in areas}
    # Modules the user holds roles in whose pages have not been built yet: named, so nobody hunts for them.
    tenant, roles = request.tenant, request.roles
    awaited = [m for m in MODULES if tenant.has_module(m.code) and roles & set(m.roles) and m.name not in opened]
    context = {"staff_navigation": navigation, "areas": areas, "awaited_modules": awaited}
    return render(request, "staff/home.html", context)
