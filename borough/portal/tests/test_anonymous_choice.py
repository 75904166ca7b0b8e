"""Whether the report journey asks "do you want to give your details": only for a service that allows anonymous
reports (Service.allow_anonymous, whether or not it needs a location); otherwise contact details are required."""

import pytest

from borough.crm.models import Service
from borough.portal.journey import anonymous_allowed
from borough.portal.tests.helpers import cases
from borough.portal.tests.test_tampering import forge, journey_state
from borough.tenancy.scope import tenant_scope

ASKS_IF_YOU_WANT_TO = "your contact details, if you want us to tell you about progress"
NEEDS_THEM = "your name, and an email address or phone number so we can reply"
CONTACT = {"given_name": "Ann", "family_name": "Example", "email": "ann@example.org"}


def allow_anonymous(tenant, service: Service, allowed: bool) -> None:
    with tenant_scope(tenant):
        service.allow_anonymous = allowed
        service.save()


def walk_pothole_to_photos(resident) -> str:
    """From the start page through the location; the page after the photos."""
    assert resident.post("/report/pothole/")["Location"] == "/report/pothole/description/"
    for path, data in [
        ("description/", {"description": "A deep hole by the bus stop"}),
        ("postcode/", {"postcode": "NF1 2AB"}),
        ("location/", {"address": "Mill Lane, by the bus stop", "latitude": "", "longitude": ""}),
    ]:
        assert resident.post(f"/report/pothole/{path}", data).status_code == 302
    return resident.post("/report/pothole/photos/", {"action": "continue"})["Location"]


@pytest.mark.parametrize(("needs_location", "allowed"), [(True, True), (True, False), (False, True), (False, False)])
def test_the_services_own_setting_decides(needs_location, allowed):
    assert anonymous_allowed(Service(needs_location=needs_location, allow_anonymous=allowed)) is allowed


def test_a_located_service_without_anonymous_reports_asks_for_contact_details(resident, catalogue, tenant_a):
    allow_anonymous(tenant_a, catalogue["pothole"], False)
    start = resident.get("/report/pothole/").content.decode()
    assert NEEDS_THEM in start and ASKS_IF_YOU_WANT_TO not in start
    assert walk_pothole_to_photos(resident) == "/report/pothole/contact-details/"
    assert resident.get("/report/pothole/about-you/").status_code == 404
    response = resident.post("/report/pothole/contact-details/", CONTACT)
    assert response["Location"] == "/report/pothole/contact-preferences/"
    response = resident.post(response["Location"], {"preferred_channel": "email"})
    check = resident.get(response["Location"]).content.decode()
    assert "Your details" in check and "Report anonymously" not in check
    assert resident.post("/report/pothole/check-your-answers/").status_code == 302
    [case] = cases(tenant_a)
    assert case.requester is not None and case.requester.given_name == "Ann"


def test_anonymity_cannot_be_forged_for_a_located_service_that_needs_contact_details(resident, catalogue, tenant_a):
    allow_anonymous(tenant_a, catalogue["pothole"], False)
    walk_pothole_to_photos(resident)
    state = journey_state(resident, tenant_a)
    state.update(identity="anonymous", done=[*state["done"], "about_you", "contact", "preferences"])
    forge(resident, tenant_a, state)
    response = resident.post("/report/pothole/check-your-answers/")
    assert response.status_code == 400
    assert "This report needs your contact details" in response.content.decode()
    assert cases(tenant_a) == []


def test_a_service_without_a_location_may_take_anonymous_reports(resident, catalogue, tenant_a):
    allow_anonymous(tenant_a, catalogue["tax"], True)
    assert ASKS_IF_YOU_WANT_TO in resident.get("/report/council-tax/").content.decode()
    resident.post("/report/council-tax/")
    resident.post("/report/council-tax/description/", {"description": "What is my band?"})
    response = resident.post("/report/council-tax/photos/", {"action": "continue"})
    assert response["Location"] == "/report/council-tax/about-you/"
    response = resident.post(response["Location"], {"identity": "anonymous"})
    assert response["Location"] == "/report/council-tax/check-your-answers/"
    assert "Report anonymously" in resident.get(response["Location"]).content.decode()
    assert resident.post("/report/council-tax/check-your-answers/").status_code == 302
    [case] = cases(tenant_a)
    assert case.requester is None


def test_the_about_you_page_refuses_a_missing_choice(resident, catalogue, tenant_a):
    walk_pothole_to_photos(resident)
    response = resident.post("/report/pothole/about-you/", {})
    assert response.status_code == 400
    assert "Select whether you want to give your contact details" in response.content.decode()
