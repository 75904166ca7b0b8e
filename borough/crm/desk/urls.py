"""The case-worker desk, mounted at /staff/crm/."""

from django.urls import path

from borough.crm.desk import actions, attachments, dashboard, knowledge, log_case, views

app_name = "crm"
urlpatterns = [
    path("", views.home, name="home"),
    path("queues/<slug:queue>/", views.queue, name="queue"),
    path("search/", views.search, name="search"),
    path("new/", log_case.log_case, name="log_case"),
    path("cases/<str:reference>/", views.case, name="case"),
    path("cases/<str:reference>/assign/", actions.assign, name="case_assign"),
    path("cases/<str:reference>/status/", actions.status, name="case_status"),
    path("cases/<str:reference>/note/", actions.note, name="case_note"),
    path("cases/<str:reference>/update/", actions.update, name="case_update"),
    path("cases/<str:reference>/attach/", actions.attach, name="case_attach"),
    path(
        "cases/<str:reference>/attachments/<int:attachment_id>/",
        attachments.case_attachment,
        name="case_attachment",
    ),
    path("cases/<str:reference>/link/", actions.link, name="case_link"),
    path("cases/<str:reference>/refer/", actions.refer, name="case_refer"),
    path("knowledge/", knowledge.knowledge, name="knowledge"),
    path("knowledge/<int:pk>/", knowledge.article, name="knowledge_article"),
    path("templates/", knowledge.templates, name="templates"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/contacts.csv", dashboard.contacts_csv, name="dashboard_contacts_csv"),
]
