"""The text message review queue of the desk, mounted at /staff/texts/."""

from django.urls import path

from borough.channels.notify import staff_views

app_name = "texts"
urlpatterns = [
    path("", staff_views.review_list, name="review"),
    path("settings/", staff_views.notify_settings, name="settings"),
    path("<int:pk>/", staff_views.review_detail, name="review_detail"),
    path("<int:pk>/open-case/", staff_views.open_case, name="open_case"),
    path("<int:pk>/add-to-case/", staff_views.add_to_case, name="add_to_case"),
    path("<int:pk>/dismiss/", staff_views.dismiss, name="dismiss"),
]
