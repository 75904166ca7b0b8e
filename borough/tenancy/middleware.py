"""The request entry point: find the tenant from the host name, pick its URLconf, and enter its scope."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from borough.tenancy.resolve import tenant_for_host
from borough.tenancy.scope import no_tenant_scope, tenant_scope


def _unavailable(request, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = "not_found" if status == 404 else "tenant_unavailable"
        return JsonResponse({"detail": message, "code": code, "errors": {}}, status=status)
    html = render_to_string("tenancy/unavailable.html", {"title": title, "message": message}, request=request)
    return HttpResponse(html, status=status)


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host().rsplit(":", 1)[0].lower().rstrip(".")
        request.tenant = None
        if host in settings.BOROUGH_PROVIDER_HOSTS:
            request.urlconf = settings.ROOT_URLCONF
            with no_tenant_scope():
                return self.get_response(request)
        if request.path in ("/healthz", "/readyz"):  # probes answer on every host
            return self.get_response(request)
        tenant = tenant_for_host(host)
        if tenant is None:
            return _unavailable(request, 404, "Page not found", f"There is no service at {host}.")
        if not tenant.is_active:
            return _unavailable(
                request,
                503,
                "Service unavailable",
                f"{tenant.name}'s services are suspended. Please try again later.",
            )
        request.tenant = tenant
        request.urlconf = settings.BOROUGH_TENANT_URLCONF
        with tenant_scope(tenant):
            return self.get_response(request)
