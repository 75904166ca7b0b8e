"""The staff revenues pages. `revenues:home` is what puts Revenues in the staff navigation."""

from django.urls import path

from borough.revenues.staff import dd_views, settings_views, views

app_name = "revenues"
urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", settings_views.settings, name="settings"),
    path("accounts/<str:number>/", views.account, name="account"),
    path("accounts/<str:number>/history/", views.history, name="history"),
    path("accounts/<str:number>/bills/<int:pk>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("accounts/<str:number>/move-out/", views.move_out, name="move_out"),
    path("accounts/<str:number>/rebill/", views.rebill, name="rebill"),
    path("accounts/<str:number>/reductions/new/", views.reduction_add, name="reduction_add"),
    path("accounts/<str:number>/reductions/<int:pk>/end/", views.reduction_end, name="reduction_end"),
    path("accounts/<str:number>/direct-debit/new/", dd_views.direct_debit_new, name="direct_debit_new"),
    path("accounts/<str:number>/direct-debit/cancel/", dd_views.direct_debit_cancel_view, name="direct_debit_cancel"),
    path("accounts/<str:number>/refund/", dd_views.refund, name="refund"),
]
