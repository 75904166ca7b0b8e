from django.urls import path

from borough.channels.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.home, name="home"),
    path("template/", views.template, name="template"),
    path("template/reset/", views.template_reset, name="template_reset"),
]
