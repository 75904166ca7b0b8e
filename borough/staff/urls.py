from django.urls import path

from borough.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
]
