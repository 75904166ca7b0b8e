"""Error pages in the layout of the host they are on (portal for a tenant, console for the provider)."""

from django.http import JsonResponse
from django.shortcuts import render

API_CODES = {404: "not_found", 403: "permission_denied", 500: "server_error"}


def _error(request, status: int, template: str, api_detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": api_detail, "code": API_CODES[status], "errors": {}}, status=status)
    return render(request, template, status=status)


def not_found(request, exception=None):
    return _error(request, 404, "404.html", "Not found.")


def forbidden(request, exception=None):
    return _error(request, 403, "403.html", "You do not have permission to do this.")


def server_error(request):
    return _error(request, 500, "500.html", "Something went wrong on our side. Nothing was saved.")
