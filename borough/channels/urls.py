"""The email review queue, mounted at /staff/mail/."""

from django.urls import path

from borough.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.review_list, name="review"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/open-case/", views.open_case, name="open_case"),
    path("<int:pk>/add-to-case/", views.add_to_case, name="add_to_case"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/original.eml", views.original, name="original"),
]
