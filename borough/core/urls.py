"""Staff pages of batch runs, mounted at /staff/runs/."""

from django.urls import path

from borough.core import views

app_name = "runs"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit-export/", views.audit_export_start, name="audit_export_start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/download/", views.download, name="download"),
]
