"""What the portal's pages share: the CRM module check, and rendering a page with its form's errors."""

from functools import wraps

from django.http import Http404
from django.shortcuts import render


def crm_portal(view):
    """Reporting and following cases exist only where the tenant has the CRM module."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.tenant is None or not request.tenant.has_module("crm"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def posted(request):
    # Not `request.POST or None`: a POST with nothing ticked is empty, and must still be validated.
    return request.POST if request.method == "POST" else None


def render_form_page(request, template: str, context: dict, *, form=None, status: int | None = None):
    """Render a page; a form with errors makes it a 400 with the GOV.UK error summary's links."""
    errors = form.error_links() if form is not None and form.is_bound and form.errors else []
    context = {"form": form, "error_links": errors, **context}
    return render(request, template, context, status=status or (400 if errors else 200))
