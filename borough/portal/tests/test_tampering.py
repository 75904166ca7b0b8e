"""A session that says something the pages never accepted creates no case: everything is checked again on send."""

import pytest

from borough.portal.journey import STATE
from borough.portal.session import session_read, signed_entry
from borough.portal.tests.helpers import cases, walk_to_check


class FakeRequest:
    def __init__(self, client, tenant):
        self.session = client.session
        self.tenant = tenant


def journey_state(client, tenant) -> dict:
    return session_read(FakeRequest(client, tenant), STATE)


def forge(client, tenant, state: dict, signed_for=None) -> None:
    session = client.session
    key, value = signed_entry(signed_for or tenant, STATE, state)
    session[key.replace(f".{(signed_for or tenant).pk}", f".{tenant.pk}")] = value
    session.save()


def send(client):
    return client.post("/report/missed-bin/check-your-answers/")


@pytest.mark.parametrize(
    ("change", "message", "link"),
    [
        ({"answers": {"bin_type": "compost"}}, "is not one of the choices", "questions/bin_type/"),
        ({"answers": {"bin_type": ["general", "recycling"]}}, "Give one answer", "questions/bin_type/"),
        ({"answers": {"bin_type": {"$gt": ""}}}, "This answer could not be read", "questions/bin_type/"),
        ({"answers": {"bin_type": "general", "sneaky": "x"}}, "do not match this service", ""),
        ({"answers": {}}, "Select an answer to “Which bin was missed?”", "questions/bin_type/"),
        ({"description": ""}, "Describe the problem", "description/"),
        ({"description": 42}, "could not be read", "description/"),
        ({"postcode": "SW1A 1AA; DROP TABLE"}, "Enter a full UK postcode", "postcode/"),
        ({"address": ""}, "Enter the address or describe where it is", "location/"),
        ({"latitude": "91", "longitude": "0"}, "latitude must be a number between -90 and 90", "location/"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format", "contact-details/"),
        ({"email": "", "phone": ""}, "Enter an email address or a phone number", "contact-details/"),
        ({"given_name": ""}, "Enter your first and last name", "contact-details/"),
        ({"preferred_channel": "sms"}, "Select how we should contact you", "contact-preferences/"),
        ({"consents": ["surveys"]}, "Select from the updates listed", "contact-preferences/"),
        ({"identity": "robot"}, "This report needs your contact details", "about-you/"),
        ({"photos": [{"id": "../../../etc/passwd", "name": "x"}]}, "is not one of yours", "photos/"),
        ({"photos": [{"id": "0" * 32, "name": "ghost.png"}]}, "We no longer have ghost.png", "photos/"),
        ({"photos": [{"id": "0" * 32}] * 4}, "Upload 3 photos at most", "photos/"),
    ],
)
def test_a_tampered_journey_is_refused_with_links_to_fix_it(resident, catalogue, tenant_a, change, message, link):
    walk_to_check(resident)
    forge(resident, tenant_a, {**journey_state(resident, tenant_a), **change})
    response = send(resident)
    html = response.content.decode()
    assert response.status_code == 400, html[:1500]
    assert "<title>Error: " in html
    assert message in html
    if link:
        assert f'href="/report/missed-bin/{link}?change=1"' in html
    assert cases(tenant_a) == []


def test_anonymity_cannot_be_forged_for_a_service_that_needs_contact_details(resident, catalogue, tenant_a):
    resident.post("/report/council-tax/")
    resident.post("/report/council-tax/description/", {"description": "A question"})
    resident.post("/report/council-tax/photos/", {"action": "continue"})
    state = journey_state(resident, tenant_a)
    state.update(identity="anonymous", done=[*state["done"], "about_you"])
    forge(resident, tenant_a, state)
    response = resident.post("/report/council-tax/check-your-answers/")
    assert response.status_code == 400
    assert "This report needs your contact details" in response.content.decode()
    assert cases(tenant_a) == []


def test_a_journey_not_signed_by_us_is_ignored(resident, catalogue, tenant_a):
    walk_to_check(resident)
    session = resident.session
    key = f"portal.{STATE}.{tenant_a.pk}"
    session[key] = session[key][:-3] + "abc"  # a changed signature
    session.save()
    response = send(resident)
    assert response.status_code == 302 and response["Location"] == "/report/missed-bin/"
    assert cases(tenant_a) == []


def test_a_journey_signed_for_another_tenant_is_ignored(resident, catalogue, tenant_a, tenant_b):
    walk_to_check(resident)
    forge(resident, tenant_a, journey_state(resident, tenant_a), signed_for=tenant_b)
    response = send(resident)
    assert response.status_code == 302 and response["Location"] == "/report/missed-bin/"
    assert cases(tenant_a) == []


def test_a_journey_of_another_service_cannot_be_sent_as_this_one(resident, catalogue, tenant_a):
    walk_to_check(resident)
    state = journey_state(resident, tenant_a)
    response = resident.post("/report/pothole/check-your-answers/")
    assert response.status_code == 302 and response["Location"] == "/report/pothole/"
    forge(resident, tenant_a, {**state, "service": "pothole"})
    response = resident.post("/report/pothole/check-your-answers/")
    assert response.status_code == 400
    assert "do not match this service" in response.content.decode()
    assert cases(tenant_a) == []
