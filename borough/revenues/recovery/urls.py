"""The recovery pages, mounted at /staff/revenues/recovery/. Objects are named in the query string or the form."""

from django.urls import path

from borough.revenues.recovery import views

app_name = "revenues_recovery"
urlpatterns = [
    path("", views.home, name="home"),
    path("run/", views.run_now, name="run"),
    path("summons-list/", views.summons_list, name="summons_list"),
    path("account/", views.account, name="account"),
    path("account/hold/", views.hold_place, name="hold_place"),
    path("account/hold/release/", views.hold_release, name="hold_release"),
    path("account/arrangement/", views.arrangement, name="arrangement"),
    path("liability-orders/", views.liability_orders, name="liability_orders"),
    path("notice/", views.notice, name="notice"),
    path("print/", views.print_now, name="print"),
    path("print/file/", views.print_file, name="print_file"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("settings/", views.settings, name="settings"),
]
