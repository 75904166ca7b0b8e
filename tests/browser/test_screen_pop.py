"""The call desk in a real browser: an agent has /staff/calls/ open; the telephony platform posts a ringing call
to the webhook, and the caller's name and open case appear on the agent's screen without a reload (htmx polls the
panel every 2 seconds). The desk's pages pass the automated accessibility rules, with and without errors."""

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest

from borough.channels.telephony.models import Call
from borough.core.audit import Actor, acting_as
from borough.crm.models import Service
from borough.crm.services import case_create
from borough.identity.services import apikey_create
from borough.people.services import person_create
from borough.tenancy.scope import tenant_scope
from tests.browser import test_accessibility
from tests.browser.test_desk import required_answers
from tests.browser.test_front_ends import sign_in

pytestmark = pytest.mark.browser
CALLER_PHONE = "07700 900612"  # nobody in the demo data has it


@pytest.fixture
def caller(demo):
    """Northfield: Priya, on record by phone, with an open case; and the platform's API key."""
    tenant = demo["northfield"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        priya = person_create(tenant=tenant, given_name="Priya", family_name="Caller", phone=CALLER_PHONE)
        service = Service.objects.filter(is_active=True).order_by("code").first()
        case = case_create(
            tenant=tenant,
            service=service,
            channel="phone",
            description="Streetlight out",
            answers=required_answers(service),
            requester=priya,
            postcode="NF1 2AB",
        )
        _api_key, key = apikey_create(tenant=tenant, name="Telephony platform", scopes=["telephony"])
    return {"tenant": tenant, "person": priya, "case": case, "key": key}


def post_event(live_server, key: str, **event) -> dict:
    """As the platform does: a real HTTP POST to the live server, addressed to the tenant's host name."""
    port = urlsplit(live_server.url).port
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/telephony/calls",
        data=json.dumps({"called": "01632 960000", **event}).encode(),
        headers={
            "Host": f"northfield.localhost:{port}",
            "Content-Type": "application/json",
            "Authorization": f"Api-Key {key}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own live server
        assert response.status == 201
        return json.loads(response.read())


def test_a_ringing_call_pops_the_callers_record_without_a_reload(page, problems, site, live_server, caller):
    page.goto(site("northfield.localhost", "/staff/calls/"))
    sign_in(page, "northfield-agent")
    page.wait_for_url(re.compile(r"/staff/calls/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Calls"
    assert page.get_by_text("You have no call at the moment.").is_visible()
    page.evaluate("window.deskMarker = 'still here'")  # a reload would lose it

    body = post_event(
        live_server, caller["key"], call_id="pop-1", caller=CALLER_PHONE, state="ringing", agent="northfield-agent"
    )
    assert body["caller_known"] is True

    panel = page.locator("#call-panel")
    panel.get_by_role("link", name="Priya Caller").wait_for(timeout=8_000)
    assert panel.get_by_role("link", name=caller["case"].reference).is_visible()
    assert "Ringing: call from 07700 900612" in panel.inner_text()

    # A call nobody has taken rings for every agent, with a button to take it.
    post_event(live_server, caller["key"], call_id="pop-2", caller="01632 960321", state="ringing")
    waiting = panel.locator("section", has_text="Waiting").or_(panel.locator("section", has_text="01632 960321"))
    panel.get_by_text("Nobody on record has the number 01632 960321.").wait_for(timeout=8_000)
    assert page.evaluate("window.deskMarker") == "still here"
    assert waiting.first.get_by_role("button", name=re.compile("Take this call")).is_visible()

    page.get_by_role("link", name=re.compile("Open the call")).click()
    page.wait_for_url(re.compile(r"/staff/calls/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Call from 07700 900612"
    assert problems.console_errors == []
    assert problems.failed_static == []


def test_call_desk_pages_pass_the_automated_accessibility_rules(axe_page, site, live_server, caller):
    post_event(live_server, caller["key"], call_id="a11y-1", caller=CALLER_PHONE, state="ringing")
    post_event(
        live_server, caller["key"], call_id="a11y-1", caller=CALLER_PHONE, state="answered", agent="northfield-agent"
    )
    post_event(live_server, caller["key"], call_id="a11y-2", caller="01632 960321", state="ringing")
    with tenant_scope(caller["tenant"]):
        known = Call.objects.get(provider_call_id="a11y-1")
        unknown = Call.objects.get(provider_call_id="a11y-2")
        service = Service.objects.filter(is_active=True, questions__isnull=False).first() or caller["case"].service
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/?next=/staff/calls/"))
    sign_in(axe_page, "northfield-agent")
    axe_page.wait_for_url(re.compile(r"/staff/calls/$"))
    found = []
    for path, with_errors in [
        ("/staff/calls/", False),
        (f"/staff/calls/{unknown.pk}/", False),
        (f"/staff/calls/{known.pk}/", False),
        (f"/staff/calls/{known.pk}/case/", True),
        (f"/staff/calls/{known.pk}/case/?service={service.code}", True),
    ]:
        found += test_accessibility.check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    # The check before recording an unknown caller, and a call-back with its errors.
    axe_page.goto(site("northfield.localhost", f"/staff/calls/{unknown.pk}/"))
    axe_page.get_by_label("First name").fill("Tom")
    axe_page.get_by_role("button", name="Check the caller’s details").click()
    axe_page.get_by_role("heading", name="Check the caller’s details").wait_for()
    found += [f"caller check: {problem}" for problem in test_accessibility.violations(axe_page)]
    axe_page.goto(site("northfield.localhost", f"/staff/calls/{known.pk}/"))
    axe_page.get_by_role("button", name="Wrap up the call").click()
    axe_page.locator(".govuk-error-summary").wait_for()
    found += [f"wrap-up errors: {problem}" for problem in test_accessibility.violations(axe_page)]
    axe_page.get_by_label("Number to call").fill("")
    axe_page.get_by_role("button", name="Schedule a call-back").click()
    axe_page.locator(".govuk-error-summary").wait_for()
    found += [f"call-back errors: {problem}" for problem in test_accessibility.violations(axe_page)]
    axe_page.get_by_label("Number to call").fill(CALLER_PHONE)
    axe_page.get_by_role("button", name="Schedule a call-back").click()
    axe_page.wait_for_url(re.compile(rf"/staff/calls/{known.pk}/$"))
    axe_page.get_by_role("link", name=re.compile(r"\d{1,2} \w{3}, \d\d:\d\d")).first.click()
    axe_page.wait_for_url(re.compile(r"/staff/calls/call-backs/\d+/$"))
    found += test_accessibility.check(axe_page, axe_page.url, submit_empty_form=True)
    assert found == []
