"""Annual billing's staff pages: /staff/revenues/billing/."""

from django.urls import path

from borough.revenues.billing import views

app_name = "revenues_billing"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/progress/", views.progress, name="progress"),
]
