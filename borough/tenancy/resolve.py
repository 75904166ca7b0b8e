"""Which tenant a host name belongs to: a custom domain, or `<slug>.<BOROUGH_BASE_DOMAIN>`."""

from django.conf import settings

from borough.tenancy.kept import MISSING, keep, kept_value
from borough.tenancy.models import Tenant, TenantDomain


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant of a host name, kept by the process for a few seconds (ADR 0020); an unknown host is not kept,
    so a tenant just created answers at once."""
    tenant = kept_value(("host", host))
    if tenant is MISSING:
        tenant = _tenant_for_host(host)
        if tenant is not None:
            keep(("host", host), tenant)
    return tenant


def _tenant_for_host(host: str) -> Tenant | None:
    domain = TenantDomain.objects.select_related("tenant").filter(domain=host).first()
    if domain is not None:
        return domain.tenant
    suffix = "." + settings.BOROUGH_BASE_DOMAIN
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if "." not in slug:
            return Tenant.objects.filter(slug=slug).first()
    return None


def tenant_base_url(tenant: Tenant, request=None) -> str:
    """The address of a tenant's site, on the same scheme and port as the current request."""
    scheme = request.scheme if request else "http"
    port = ""
    if request is not None:
        host = request.get_host()
        if ":" in host:
            port = ":" + host.rsplit(":", 1)[1]
    primary = tenant.domains.filter(is_primary=True).first()
    host = primary.domain if primary else f"{tenant.slug}.{settings.BOROUGH_BASE_DOMAIN}"
    return f"{scheme}://{host}{port}"
