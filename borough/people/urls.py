from django.urls import path

from borough.people import edit_views, views

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
    # Keeping the record up to date: one small page per change.
    path("<int:pk>/edit/", edit_views.edit, name="edit"),
    path("<int:pk>/emails/new/", edit_views.email_add, name="email_add"),
    path("<int:pk>/phones/new/", edit_views.phone_add, name="phone_add"),
    path(
        "<int:pk>/contact-points/<int:contact_point_id>/make-main/",
        edit_views.contact_point_primary,
        name="contact_point_primary",
    ),
    path(
        "<int:pk>/contact-points/<int:contact_point_id>/remove/",
        edit_views.contact_point_remove,
        name="contact_point_remove",
    ),
    path("<int:pk>/addresses/new/", edit_views.address_add, name="address_add"),
    path("<int:pk>/addresses/<int:address_id>/edit/", edit_views.address_edit, name="address_edit"),
    path("<int:pk>/addresses/<int:address_id>/make-main/", edit_views.address_primary, name="address_primary"),
    path("<int:pk>/addresses/<int:address_id>/remove/", edit_views.address_remove, name="address_remove"),
    path("<int:pk>/consent/new/", edit_views.consent_record, name="consent_record"),
]
