"""Text messages in a real browser: Notify posts a received text to the live server (real HTTP, the demo's
callback token), it waits for review, and the review pages pass the automated accessibility rules, with and
without errors."""

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest

from borough.channels.notify.demo import DEMO_CALLBACK_TOKEN
from borough.channels.notify.models import InboundSms
from borough.channels.notify.standin import NotifyStandIn
from borough.tenancy.scope import tenant_scope
from tests.browser import test_accessibility
from tests.browser.test_front_ends import sign_in

pytestmark = pytest.mark.browser


def post_inbound(live_server, body: dict) -> dict:
    port = urlsplit(live_server.url).port
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/callbacks/notify/inbound-sms",
        data=json.dumps(body).encode(),
        headers={
            "Host": f"northfield.localhost:{port}",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {DEMO_CALLBACK_TOKEN}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own live server
        assert response.status == 201
        return json.loads(response.read())


def test_a_text_waiting_for_review_and_its_pages(axe_page, site, live_server, demo):
    answer = post_inbound(
        live_server, NotifyStandIn.inbound_sms(source_number="447700900987", message="Hello, is anyone there?")
    )
    assert answer["outcome"] == "review"
    with tenant_scope(demo["northfield"]):
        record = InboundSms.objects.get()
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/?next=/staff/texts/"))
    sign_in(axe_page, "northfield-agent")
    axe_page.wait_for_url(re.compile(r"/staff/texts/$"))
    assert axe_page.get_by_role("link", name="Hello, is anyone there?").count() == 1
    found = test_accessibility.check(axe_page, site("northfield.localhost", "/staff/texts/"))
    found += test_accessibility.check(
        axe_page, site("northfield.localhost", f"/staff/texts/{record.pk}/"), submit_empty_form=True
    )
    assert found == []


def test_the_notify_settings_page_with_and_without_errors(axe_page, site, demo):
    url = site("northfield.localhost", "/staff/texts/settings/")
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/?next=/staff/texts/settings/"))
    sign_in(axe_page, "northfield-admin")
    axe_page.wait_for_url(re.compile(r"/staff/texts/settings/$"))
    found = test_accessibility.check(axe_page, url)
    axe_page.get_by_label("Text message template id").fill("not an id")
    axe_page.get_by_role("button", name="Save the settings").click()
    axe_page.wait_for_load_state()
    assert axe_page.locator(".govuk-error-summary").count() == 1
    found += [f"{url} (with errors): {problem}" for problem in test_accessibility.violations(axe_page)]
    assert found == []
