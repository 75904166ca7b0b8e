"""The email review queue, mounted at /staff/mail/, and the mail settings of administrators under settings/."""

from django.urls import path

from borough.channels import admin_views, views

app_name = "channels"
urlpatterns = [
    path("", views.review_list, name="review"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/open-case/", views.open_case, name="open_case"),
    path("<int:pk>/add-to-case/", views.add_to_case, name="add_to_case"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/original.eml", views.original, name="original"),
    path("settings/", admin_views.mail_settings, name="settings"),
    path("settings/mailboxes/new/", admin_views.mailbox_create, name="mailbox_create"),
    path("settings/mailboxes/<int:pk>/", admin_views.mailbox_edit, name="mailbox_edit"),
    path("settings/mailboxes/<int:pk>/switch/", admin_views.mailbox_switch, name="mailbox_switch"),
    path("settings/imap/new/", admin_views.imap_create, name="imap_create"),
    path("settings/imap/<int:pk>/", admin_views.imap_detail, name="imap_detail"),
    path("settings/imap/<int:pk>/edit/", admin_views.imap_edit, name="imap_edit"),
    path("settings/imap/<int:pk>/poll/", admin_views.imap_poll_now, name="imap_poll_now"),
]
