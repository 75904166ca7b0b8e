"""Staff pages for payments: /staff/revenues/payments/."""

from django.urls import path

from borough.revenues.payments import report_views, views

app_name = "revenues_payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload", views.upload, name="upload"),
    path("files/<int:pk>/", views.file_detail, name="file"),
    path("rows/<int:pk>/post", views.row_post, name="row_post"),
    path("rows/<int:pk>/dismiss", views.row_dismiss, name="row_dismiss"),
    path("mandates/", views.mandates, name="mandates"),
    path("bacs/", views.bacs_files, name="bacs"),
    path("bacs/<int:pk>/download", views.bacs_download, name="bacs_download"),
    path("bacs/refund-file", views.refund_file, name="bacs_refund_file"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/items/<int:pk>/resolve", report_views.item_resolve, name="report_item_resolve"),
]
