from django.urls import path

from borough.portal import views
from borough.portal.one_login import views as one_login
from borough.portal.views import report, track

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("report/<slug:code>/", report.start, name="start"),
    path("report/<slug:code>/questions/<slug:question>/", report.question, name="question"),
    path("report/<slug:code>/description/", report.description, name="description"),
    path("report/<slug:code>/postcode/", report.postcode, name="postcode"),
    path("report/<slug:code>/location/", report.address, name="address"),
    path("report/<slug:code>/photos/", report.photos, name="photos"),
    path("report/<slug:code>/photos/remove/", report.photo_remove, name="photo_remove"),
    path("report/<slug:code>/about-you/", report.about_you, name="about_you"),
    path("report/<slug:code>/contact-details/", report.contact, name="contact"),
    path("report/<slug:code>/contact-preferences/", report.preferences, name="preferences"),
    path("report/<slug:code>/check-your-answers/", report.check, name="check"),
    path("report-sent/", report.confirmation, name="confirmation"),
    path("sign-in/", one_login.start, name="one_login_start"),
    path("sign-in/callback/", one_login.callback, name="one_login_callback"),
    path("sign-in/sign-out/", one_login.sign_out, name="one_login_sign_out"),
    path("sign-in/signed-out/", one_login.signed_out, name="one_login_signed_out"),
    path("track/", track.track, name="track"),
    path("track/code/", track.track_code, name="track_code"),
    path("track/<str:reference>/", track.case, name="case"),
    path("track/<str:reference>/add-information/", track.case_add, name="case_add"),
    path("track/<str:reference>/reopen/", track.case_reopen_view, name="case_reopen"),
    path("track/<str:reference>/feedback/", track.case_feedback, name="case_feedback"),
]
