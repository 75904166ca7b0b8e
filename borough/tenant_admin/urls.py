from django.urls import path

from borough.tenant_admin import views

app_name = "tenant_admin"
urlpatterns = [
    path("", views.home, name="home"),
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("api-keys/", views.apikeys, name="apikeys"),
    path("api-keys/new/", views.apikey_create, name="apikey_create"),
    path("api-keys/<int:pk>/revoke/", views.apikey_revoke, name="apikey_revoke"),
    path("one-login/", views.one_login, name="one_login"),
    path("support-access/", views.support_access, name="support_access"),
]
