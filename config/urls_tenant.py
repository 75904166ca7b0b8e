"""URLs of a tenant's host: the citizen portal, the staff app, the API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from borough.core import health
from borough.identity.permissions import public_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("borough.identity.urls")),
    path("staff/admin/", include("borough.tenant_admin.urls")),
    path("staff/admin/notifications/", include("borough.channels.notifications.urls")),
    path("staff/runs/", include("borough.core.urls")),
    path("staff/people/", include("borough.people.urls")),
    path("staff/crm/", include("borough.crm.desk.urls")),
    path("staff/mail/", include("borough.channels.urls")),
    path("staff/texts/", include("borough.channels.notify.staff_urls")),
    path("staff/calls/", include("borough.channels.telephony.urls")),
    path("staff/revenues/billing/", include("borough.revenues.billing.urls")),
    path("staff/revenues/recovery/", include("borough.revenues.recovery.urls")),
    path("staff/revenues/payments/", include("borough.revenues.payments.urls")),
    path("staff/revenues/", include("borough.revenues.staff.urls")),
    path("staff/", include("borough.staff.urls")),
    path("api/v1/", include("config.urls_api")),
    path(
        "api/schema/",
        public_view(SpectacularAPIView.as_view(urlconf="config.urls_tenant")),
        name="api-schema",
    ),
    path("api/docs/", public_view(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("open311/v2/", include("borough.crm.open311.urls")),
    path("callbacks/notify/", include("borough.channels.notify.urls")),
    path("callbacks/pay/", include("borough.revenues.payments.callback_urls")),
    path("council-tax/", include("borough.revenues.portal.urls")),
    path("", include("borough.portal.urls")),
]
handler404 = "borough.core.errors.not_found"
handler403 = "borough.core.errors.forbidden"
handler500 = "borough.core.errors.server_error"
