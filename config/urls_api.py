"""The tenant API, `/api/v1/`. Each app adds its routes here (viewsets: one `router.register` line each)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from borough.channels.telephony import api as telephony_api
from borough.core import api_runs
from borough.crm import api as crm_api
from borough.crm import api_attachments as crm_api_attachments
from borough.identity import api as identity_api

router = DefaultRouter()
router.register("audit-events", identity_api.AuditEventViewSet, basename="api-audit-event")
router.register("runs", api_runs.RunViewSet, basename="api-run")
router.register("services", crm_api.ServiceViewSet, basename="api-service")
router.register("cases", crm_api.CaseViewSet, basename="api-case")
router.register(
    r"cases/(?P<reference>[A-Za-z0-9-]{1,20})/attachments",
    crm_api_attachments.CaseAttachmentViewSet,
    basename="api-case-attachment",
)
router.register("people", crm_api.PersonViewSet, basename="api-person")

urlpatterns: list = [
    path("me/", identity_api.MeView.as_view(), name="api-me"),
    path("telephony/calls", telephony_api.CallEventView.as_view(), name="api-telephony-calls"),
]
urlpatterns += router.urls
