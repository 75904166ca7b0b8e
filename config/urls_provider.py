"""URLs of the provider's host: the provider console."""

from django.urls import include, path

from borough.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("borough.identity.urls")),
    path("", include("borough.provider.urls")),
]
handler404 = "borough.core.errors.not_found"
handler403 = "borough.core.errors.forbidden"
handler500 = "borough.core.errors.server_error"
