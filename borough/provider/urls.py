from django.urls import path

from borough.provider import views

app_name = "provider"
urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/new/", views.create, name="create"),
    path("tenants/<slug:slug>/", views.detail, name="tenant"),
    path("tenants/<slug:slug>/suspend/", views.suspend, name="suspend"),
    path("tenants/<slug:slug>/reactivate/", views.reactivate, name="reactivate"),
    path("tenants/<slug:slug>/modules/", views.modules, name="modules"),
    path("tenants/<slug:slug>/support-access/", views.support_access, name="support_access"),
    path(
        "tenants/<slug:slug>/support-access/<int:grant_id>/end/",
        views.support_access_end,
        name="support_access_end",
    ),
    path("usage/", views.usage, name="usage"),
    path("usage/usage.csv", views.usage_csv, name="usage_csv"),
    path("channels/", views.channels, name="channels"),
    path("channels/<slug:slug>/", views.tenant_channels, name="tenant_channels"),
    path("channels/<slug:slug>/contacts.csv", views.tenant_channels_csv, name="tenant_channels_csv"),
]
