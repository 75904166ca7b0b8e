from django.urls import path

from borough.people import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/unmerge/", views.unmerge, name="unmerge"),
    path("<int:pk>/export.json", views.export_json, name="export_json"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/erase/", views.erase, name="erase"),
]
