"""/open311/v2/: each resource at `<name>.xml` and `<name>.json` (the spec requires the suffix).

One pattern per format rather than a `<format>` parameter, so the isolation sweep walks every resource.
"""

from django.urls import path, re_path

from borough.crm.open311 import views
from borough.crm.open311.formats import FORMATS

app_name = "open311"


def both_formats(route: str, view, name: str) -> list:
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=f"{name}-{fmt}") for fmt in FORMATS]


urlpatterns = [
    *both_formats("discovery", views.discovery, "discovery"),
    *both_formats("services", views.services, "services"),
    *both_formats("services/<str:service_code>", views.service_definition, "service"),
    *both_formats("requests", views.requests, "requests"),
    *both_formats("requests/<str:service_request_id>", views.request_detail, "request"),
    *both_formats("tokens/<str:token>", views.token, "token"),
    *both_formats("servicerequestupdates", views.service_request_updates, "updates"),
    path("media/<str:reference>/<int:attachment_id>", views.media, name="media"),
    re_path(r"^.*$", views.unknown, name="unknown"),
]
