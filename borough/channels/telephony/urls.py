"""The call desk, mounted at /staff/calls/."""

from django.urls import path

from borough.channels.telephony import views

app_name = "telephony"
urlpatterns = [
    path("", views.home, name="home"),
    path("panel/", views.panel, name="panel"),
    path("<int:pk>/", views.call, name="call"),
    path("<int:pk>/take/", views.take, name="take"),
    path("<int:pk>/wrap-up/", views.wrap_up, name="wrap_up"),
    path("<int:pk>/caller/", views.caller, name="caller"),
    path("<int:pk>/caller/existing/", views.link_person, name="link_person"),
    path("<int:pk>/call-back/", views.schedule_callback, name="schedule_callback"),
    path("<int:pk>/case/", views.raise_case, name="raise_case"),
    path("call-backs/<int:pk>/", views.callback, name="callback"),
]
