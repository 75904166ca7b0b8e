from django.urls import path

from borough.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
