"""The resident's council tax pages, under /council-tax/. Each journey's pages are named "<journey>-<step>"."""

from django.urls import path

from borough.revenues.portal import views
from borough.revenues.portal.journeys import JOURNEYS

app_name = "council_tax"
urlpatterns = [
    path("", views.start, name="start"),
    path("choose/", views.choose, name="choose"),
    path("account/", views.account, name="account"),
    path("account/sign-out/", views.sign_out, name="sign_out"),
    path("account/bills/<int:pk>/pdf/", views.bill_pdf, name="bill_pdf"),
]
for journey in JOURNEYS.values():
    for step in journey.steps:
        urlpatterns.append(
            path(
                f"{journey.code}/{step.slug}/",
                views.journey_step,
                {"journey": journey.code, "step": step.slug},
                name=f"{journey.code}-{step.slug}",
            )
        )
    urlpatterns += [
        path(f"{journey.code}/check-your-answers/", views.journey_check, {"journey": journey.code},
             name=f"{journey.code}-check"),
        path(f"{journey.code}/sent/", views.journey_sent, {"journey": journey.code}, name=f"{journey.code}-sent"),
    ]  # fmt: skip
