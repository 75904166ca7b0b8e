from django.urls import path

from borough.provider import views

app_name = "provider"
urlpatterns = [
    path("", views.home, name="home"),
    path("usage/", views.home, name="usage"),
]
