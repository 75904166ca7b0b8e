"""The report journey, page by page: what each page asks, what it refuses (a 400 with the GOV.UK error summary and
nothing created), and the case it makes at the end."""

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.models import CaseEvent, Interaction
from borough.people.models import Consent, ContactPoint
from borough.people.services import person_create
from borough.portal.journey import STATE
from borough.portal.tests.helpers import cases, emails, report_missed_bin, walk_to_check
from borough.portal.uploads import uploads_root
from borough.tenancy.scope import tenant_scope


def start(client, code="missed-bin"):
    response = client.post(f"/report/{code}/")
    assert response.status_code == 302
    return response["Location"]


def assert_refused(response, *messages):
    html = response.content.decode()
    assert response.status_code == 400, html[:2000]
    assert "<title>Error: " in html
    assert "There is a problem" in html
    for message in messages:
        assert message in html, f"{message!r} not shown"


def test_start_page_describes_the_service_and_starts_at_the_first_question(resident, catalogue):
    page = resident.get("/report/missed-bin/")
    assert page.status_code == 200
    assert "Report a missed bin collection" in page.content.decode()
    assert "Start now" in page.content.decode()
    assert start(resident) == "/report/missed-bin/questions/bin_type/"


def test_inactive_and_unknown_services_are_not_found(resident, catalogue):
    assert resident.get("/report/retired/").status_code == 404
    assert resident.get("/report/no-such-thing/").status_code == 404
    assert resident.post("/report/retired/").status_code == 404


def test_a_page_without_a_journey_sends_the_resident_to_the_start(resident, catalogue):
    response = resident.get("/report/missed-bin/description/")
    assert response.status_code == 302 and response["Location"] == "/report/missed-bin/"
    assert "Start your report again" in resident.get("/report/missed-bin/").content.decode()


def test_each_question_renders_as_its_kind(resident, catalogue):
    start(resident)
    radios = resident.get("/report/missed-bin/questions/bin_type/").content.decode()
    assert 'type="radio"' in radios and "General waste (black bin)" in radios
    assert '<h1 class="govuk-fieldset__heading">Which bin was missed?</h1>' in radios
    number = resident.get("/report/missed-bin/questions/bags/").content.decode()
    assert 'inputmode="decimal"' in number and "How many extra bags were left out? (optional)" in number
    date = resident.get("/report/missed-bin/questions/collection_day/").content.decode()
    assert 'id="answer-day"' in date and 'id="answer-year"' in date and 'id="answer-time"' in date
    boxes = resident.get("/report/missed-bin/questions/problems/").content.decode()
    assert 'type="checkbox"' in boxes
    text = resident.get("/report/missed-bin/questions/details/").content.decode()
    assert "<textarea" in text  # "Tell us ..." asks for a story
    assert resident.get("/report/missed-bin/questions/nope/").status_code == 404


def test_back_links_go_to_the_previous_page(resident, catalogue):
    start(resident)
    first = resident.get("/report/missed-bin/questions/bin_type/").content.decode()
    assert 'href="/report/missed-bin/" class="govuk-back-link"' in first
    second = resident.get("/report/missed-bin/questions/bags/").content.decode()
    assert 'href="/report/missed-bin/questions/bin_type/" class="govuk-back-link"' in second


@pytest.mark.parametrize(
    ("path", "data", "messages"),
    [
        ("questions/bin_type/", {}, ["Select an answer", 'href="#id_answer_0"']),
        ("questions/bin_type/", {"answer": "compost"}, ["Select one of the answers listed"]),
        ("questions/bags/", {"answer": "two"}, ["Enter a number, like 3 or 2.5", 'href="#id_answer"']),
        (
            "questions/collection_day/",
            {"answer_day": "31", "answer_month": "2", "answer_year": "2025", "answer_time": "10:00"},
            ["The date must be a real date", 'href="#answer-day"'],
        ),
        (
            "questions/collection_day/",
            {"answer_day": "3", "answer_month": "", "answer_year": "2025", "answer_time": "10:00"},
            ["The date must include a month", 'href="#answer-month"'],
        ),
        (
            "questions/collection_day/",
            {"answer_day": "3", "answer_month": "3", "answer_year": "25", "answer_time": "10:00"},
            ["Year must include 4 numbers"],
        ),
        (
            "questions/collection_day/",
            {"answer_day": "3", "answer_month": "3", "answer_year": "2025", "answer_time": "25:99"},
            ["Enter a real time, like 14:30 or 2:30pm", 'href="#answer-time"'],
        ),
        ("questions/problems/", {"answer": ["spilled", "aliens"]}, ["Select one of the answers listed"]),
        ("description/", {"description": "   "}, ["Describe the problem or your question"]),
        ("description/", {"description": "x" * 5001}, ["Use 5000 characters or fewer"]),
        ("postcode/", {"postcode": "not a postcode"}, ["Enter a full UK postcode, like NF1 2AB"]),
        ("location/", {"address": ""}, ["Enter the address or describe where it is"]),
        ("location/", {"address": "Mill Lane", "latitude": "200", "longitude": "1"}, ["between -90 and 90"]),
        ("location/", {"address": "Mill Lane", "latitude": "52.1"}, ["The map position was incomplete"]),
        ("about-you/", {}, ["Select whether you want to give your contact details"]),
        ("contact-details/", {"given_name": "Ann", "family_name": "Example"}, ["Enter an email address or a phone"]),
        ("contact-details/", {"email": "ann@example.org"}, ["Enter your first name", "Enter your last name"]),
        (
            "contact-details/",
            {"given_name": "Ann", "family_name": "Example", "email": "ann@"},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            "contact-details/",
            {"given_name": "Ann", "family_name": "Example", "phone": "12345"},
            ["Enter a phone number, like 01632 960 001"],
        ),
    ],
)
def test_a_page_refuses_bad_answers_with_messages(resident, catalogue, tenant_a, path, data, messages):
    start(resident)
    response = resident.post(f"/report/missed-bin/{path}", data)
    assert_refused(response, *messages)
    assert cases(tenant_a) == []


def test_preferences_offer_only_the_ways_given(resident, catalogue):
    walk_to_check(resident, {"contact-details/": {"phone": ""}})
    page = resident.get("/report/missed-bin/contact-preferences/").content.decode()
    assert "Email" in page and "Text message" not in page
    response = resident.post("/report/missed-bin/contact-preferences/", {"preferred_channel": "sms"})
    assert_refused(response, "Select one of the ways listed")


def test_check_your_answers_shows_every_answer_with_change_links(resident, catalogue):
    walk_to_check(resident)
    page = resident.get("/report/missed-bin/check-your-answers/")
    html = page.content.decode()
    assert page.status_code == 200
    for shown in (
        "General waste (black bin)",
        "7am on Monday 3 March 2025",
        "Rubbish was spilled",
        "The black bin was not emptied on Monday.",
        "NF1 2AB",
        "12 Mill Lane, Northfield",
        "ann@example.org",
        "Send me updates about my report by email",
    ):
        assert shown in html, shown
    assert 'href="/report/missed-bin/questions/bin_type/?change=1"' in html
    assert 'href="/report/missed-bin/contact-details/?change=1"' in html


def test_changing_an_answer_returns_to_check_your_answers(resident, catalogue):
    walk_to_check(resident)
    page = resident.get("/report/missed-bin/description/?change=1").content.decode()
    assert 'href="/report/missed-bin/check-your-answers/" class="govuk-back-link"' in page
    response = resident.post("/report/missed-bin/description/?change=1", {"description": "Changed my mind."})
    assert response["Location"] == "/report/missed-bin/check-your-answers/"
    assert "Changed my mind." in resident.get(response["Location"]).content.decode()


def test_check_your_answers_sends_an_unfinished_journey_to_its_first_missing_page(resident, catalogue):
    start(resident)
    resident.post("/report/missed-bin/questions/bin_type/", {"answer": "general"})
    response = resident.get("/report/missed-bin/check-your-answers/")
    assert response["Location"] == "/report/missed-bin/questions/bags/"


def test_a_sent_report_makes_one_case_with_everything_given(resident, catalogue, tenant_a):
    location = report_missed_bin(resident)
    assert location == "/report-sent/"
    [case] = cases(tenant_a)
    assert case.channel == "web"
    assert case.service.code == "missed-bin"
    assert case.answers == {
        "bin_type": "general",
        "bags": 2,
        "collection_day": "2025-03-03T07:00",
        "problems": ["spilled"],
    }
    assert case.postcode == "NF1 2AB"
    assert case.address == "12 Mill Lane, Northfield"
    assert case.description == "The black bin was not emptied on Monday."
    with tenant_scope(tenant_a):
        person = case.requester
        assert (person.given_name, person.family_name, person.preferred_channel) == ("Ann", "Example", "email")
        assert ContactPoint.objects.get(person=person).normalised == "ann@example.org"
        assert Consent.objects.get(person=person, purpose="email_updates").granted is True
        assert CaseEvent.objects.filter(case=case, kind="created").count() == 1
        assert Interaction.objects.filter(case=case, direction="in", channel="web").count() == 1
    [ack] = emails(tenant_a)
    assert ack["to"] == ["ann@example.org"] and case.reference in ack["subject"]

    confirmation = resident.get(location).content.decode()
    assert f'<strong id="case-reference">{case.reference}</strong>' in confirmation
    assert "govuk-panel--confirmation" in confirmation
    assert "We aim to deal with it by <strong>5pm on " in confirmation
    # The journey is over: its answers are gone, so the check page starts again.
    assert STATE not in "".join(resident.session.keys()).replace(f".{tenant_a.pk}", "")
    assert resident.get("/report/missed-bin/check-your-answers/")["Location"] == "/report/missed-bin/"


def test_sending_twice_makes_one_case(resident, catalogue, tenant_a):
    report_missed_bin(resident)
    again = resident.post("/report/missed-bin/check-your-answers/")
    assert again.status_code == 302 and again["Location"] == "/report/missed-bin/"
    assert len(cases(tenant_a)) == 1


def test_an_existing_person_is_found_and_their_preferences_are_not_changed(resident, catalogue, tenant_a):
    with tenant_scope(tenant_a), acting_as(Actor.system("test")):
        known = person_create(tenant=tenant_a, given_name="Ann", email="ann@example.org", preferred_channel="phone")
    walk_to_check(resident, {"contact-preferences/": {"preferred_channel": "email", "consents": []}})
    resident.post("/report/missed-bin/check-your-answers/")
    [case] = cases(tenant_a)
    with tenant_scope(tenant_a):
        assert case.requester_id == known.pk
        known.refresh_from_db()
        assert known.preferred_channel == "phone"
        assert not Consent.objects.filter(person=known).exists()  # an unticked box withdraws nothing


def test_an_anonymous_report_has_no_requester_and_skips_the_contact_pages(resident, catalogue, tenant_a):
    walk_to_check(resident, anonymous=True)
    check = resident.get("/report/missed-bin/check-your-answers/").content.decode()
    assert "Report anonymously" in check and "Your details" not in check
    assert resident.get("/report/missed-bin/contact-details/")["Location"] == "/report/missed-bin/about-you/"
    resident.post("/report/missed-bin/check-your-answers/")
    [case] = cases(tenant_a)
    assert case.requester is None
    assert emails(tenant_a) == []
    assert "You reported this anonymously" in resident.get("/report-sent/").content.decode()


def test_choosing_anonymity_after_giving_details_forgets_them(resident, catalogue):
    walk_to_check(resident)
    resident.post("/report/missed-bin/about-you/?change=1", {"identity": "anonymous"})
    html = resident.get("/report/missed-bin/check-your-answers/").content.decode()
    assert "ann@example.org" not in html


def test_an_enquiry_has_no_location_and_no_anonymous_option(resident, catalogue, tenant_a):
    assert start(resident, "council-tax") == "/report/council-tax/description/"
    resident.post("/report/council-tax/description/", {"description": "Why did my bill go up?"})
    assert resident.get("/report/council-tax/postcode/").status_code == 404
    assert resident.get("/report/council-tax/about-you/").status_code == 404
    response = resident.post("/report/council-tax/photos/", {"action": "continue"})
    assert response["Location"] == "/report/council-tax/contact-details/"
    resident.post(
        "/report/council-tax/contact-details/",
        {"given_name": "Bo", "family_name": "Tax", "phone": "07700 900123"},
    )
    response = resident.post("/report/council-tax/contact-preferences/", {"preferred_channel": "sms"})
    assert response["Location"] == "/report/council-tax/check-your-answers/"
    assert resident.post(response["Location"]).status_code == 302
    [case] = cases(tenant_a)
    with tenant_scope(tenant_a):
        assert case.requester.preferred_channel == "sms"
        assert ContactPoint.objects.get(person=case.requester).normalised == "+447700900123"
        consent = Consent.objects.get(person=case.requester)
        assert (consent.purpose, consent.granted) == ("sms_updates", False)


def test_starting_again_clears_the_answers(resident, catalogue):
    walk_to_check(resident)
    start(resident)
    assert resident.get("/report/missed-bin/check-your-answers/")["Location"] == (
        "/report/missed-bin/questions/bin_type/"
    )


def test_starting_another_service_leaves_the_first_journey(resident, catalogue):
    walk_to_check(resident)
    start(resident, "pothole")
    assert resident.get("/report/missed-bin/check-your-answers/")["Location"] == "/report/missed-bin/"


def test_another_tenants_service_is_not_found_on_this_portal(client_for, catalogue, tenant_b):
    assert client_for(tenant_b).get("/report/missed-bin/").status_code == 404


def test_a_report_leaves_no_uploads_folder(resident, catalogue):
    report_missed_bin(resident)
    assert not uploads_root().exists() or list(uploads_root().iterdir()) == []
