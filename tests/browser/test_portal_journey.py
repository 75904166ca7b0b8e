"""A resident reports a missed bin on the portal in a real browser, with JavaScript and without, then follows the
report with the code emailed to them. axe-core checks every page of the journey (WCAG 2.2 A and AA), with and
without errors showing."""

import re

import pytest
from django.core import mail

from borough.core.models import OutboxMessage
from borough.crm.models import Case
from borough.portal.tests.helpers import PNG, add_catalogue
from borough.tenancy.scope import tenant_scope
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

SLUG = "harbourside"
SERVICE = "Report a missed bin collection"


@pytest.fixture
def council(transactional_db, make_tenant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tenant = make_tenant(SLUG, name="Harbourside District Council")
    add_catalogue(tenant)
    mail.outbox.clear()
    return tenant


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class Journey:
    """Drives the pages; `audit` (axe-core) runs on each page shown when given."""

    def __init__(self, page, url, audit: bool):
        self.page, self.url, self.audit = page, url, audit
        self.problems: list[str] = []
        self.audited: list[str] = []

    def check(self, label: str) -> None:
        if self.audit:
            self.problems += [f"{label}: {problem}" for problem in violations(self.page)]
            self.audited.append(label)

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text()

    def cont(self, name: str = "Continue") -> None:
        self.page.locator("main").get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state()


def report_a_missed_bin(journey: Journey) -> str:
    page = journey.page
    page.goto(journey.url("/"))
    journey.check("home")
    page.get_by_role("link", name=SERVICE).click()
    assert journey.heading() == SERVICE
    journey.check("start")
    journey.cont("Start now")

    assert journey.heading() == "Which bin was missed?"
    journey.check("radio question")
    journey.cont()  # nothing chosen: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.title().startswith("Error: ")
    journey.check("radio question with an error")
    page.get_by_role("link", name="Select an answer").click()  # the summary links to the first radio
    page.get_by_label("General waste (black bin)").check()
    journey.cont()

    assert journey.heading() == "How many extra bags were left out? (optional)"
    page.get_by_label("How many extra bags").fill("two")
    journey.cont()
    assert "Enter a number" in page.locator(".govuk-error-summary").inner_text()
    journey.check("number question with an error")
    page.get_by_label("How many extra bags").fill("2")
    journey.cont()

    assert journey.heading() == "When should it have been collected? (optional)"
    journey.check("date question")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2025")
    page.get_by_label("Time").fill("7:30am")
    journey.cont()

    assert journey.heading() == "Was there anything else wrong? (optional)"
    journey.check("checkbox question")
    page.get_by_label("Rubbish was spilled").check()
    journey.cont()

    assert journey.heading().startswith("Tell us anything else")
    journey.cont()

    page.get_by_label("Describe the problem or your question").fill("The black bin was not emptied on Monday.")
    journey.check("description")
    journey.cont()

    page.get_by_label("What is the postcode? (optional)").fill("hb1 2ab")
    journey.check("postcode")
    journey.cont()

    page.get_by_label("Where exactly is it?").fill("12 Harbour Road, outside the chip shop")
    journey.check("location")
    journey.cont()

    assert journey.heading() == "Add photos (optional)"
    page.get_by_label("Upload a photo").set_input_files({"name": "bin.png", "mimeType": "image/png", "buffer": PNG})
    journey.cont("Upload photo")
    assert "bin.png added" in page.locator("main").inner_text()
    journey.check("photos")
    journey.cont()

    page.get_by_label("Yes, I will give my contact details").check()
    journey.check("about you")
    journey.cont()

    page.get_by_label("First name").fill("Ann")
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("Email address").fill("ann@example.org")
    journey.check("contact details")
    journey.cont()

    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Send me updates about my report by email").check()
    journey.check("contact preferences")
    journey.cont()

    assert journey.heading() == "Check your answers before sending your report"
    summary = page.locator(".govuk-summary-list").inner_text()
    for shown in ("General waste (black bin)", "7:30am on Monday 3 March 2025", "HB1 2AB", "bin.png", "Ann Example"):
        assert shown in summary
    journey.check("check your answers")
    journey.cont("Send report")

    panel = page.locator(".govuk-panel--confirmation")
    assert panel.get_by_role("heading", name="Report sent").is_visible()
    reference = page.locator("#case-reference").inner_text()
    assert re.fullmatch(r"[A-Z]{2,5}-\d{6}", reference)
    assert "We aim to deal with it by" in page.locator("main").inner_text()
    journey.check("confirmation")
    return reference


def emailed_code(tenant, reference: str) -> str:
    """The code from the email: delivered to the locmem outbox after the commit, else still in the outbox table."""
    bodies = [message.body for message in mail.outbox if reference in message.subject and "code" in message.subject]
    if not bodies:
        with tenant_scope(tenant):
            codes = OutboxMessage.objects.filter(idempotency_key__startswith="portal-code").order_by("id")
            bodies = [message.payload["body"] for message in codes]
    return re.search(r" is (\d{6})\.", bodies[-1])[1]


def follow(journey: Journey, tenant, reference: str) -> None:
    page = journey.page
    page.goto(journey.url("/"))
    page.get_by_role("link", name="Follow a report you have already made").click()
    journey.check("follow")
    journey.cont("Send me a code")
    assert page.locator(".govuk-error-summary").is_visible()
    journey.check("follow with errors")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address or phone number").fill("ann@example.org")
    journey.cont("Send me a code")
    assert journey.heading() == "Check your email"
    journey.check("code")
    page.get_by_label("Security code").fill("000000" if emailed_code(tenant, reference) != "000000" else "111111")
    journey.cont()
    assert "not right" in page.locator(".govuk-error-summary").inner_text()
    journey.check("code with an error")
    page.get_by_label("Security code").fill(emailed_code(tenant, reference))
    journey.cont()
    assert journey.heading() == f"Your report {reference}"
    assert "Received" in page.locator(".govuk-summary-list").inner_text()
    journey.check("case page")
    page.get_by_role("link", name="Add information or a photo").click()
    page.get_by_label("What do you want to add?").fill("The lid is broken too.")
    journey.check("add information")
    journey.cont("Add information")
    assert "Your information was added" in page.locator("main").inner_text()
    assert "The lid is broken too." in page.locator("main").inner_text()


def test_a_resident_reports_a_missed_bin_and_follows_it_with_axe_on_every_page(axe_page, site, council):
    journey = Journey(axe_page, lambda path: site(f"{SLUG}.localhost", path), audit=True)
    reference = report_a_missed_bin(journey)
    with tenant_scope(council):
        case = Case.objects.get(reference=reference)
        assert case.answers["bin_type"] == "general" and case.attachments.count() == 1
    follow(journey, council, reference)
    assert len(journey.audited) == 22
    assert journey.problems == []


def test_the_journey_works_without_javascript(no_js_page, site, council):
    journey = Journey(no_js_page, lambda path: site(f"{SLUG}.localhost", path), audit=False)
    assert no_js_page.evaluate("() => 1") == 1  # Playwright can still read the page
    reference = report_a_missed_bin(journey)
    assert not no_js_page.locator("body.js-enabled").count()
    follow(journey, council, reference)
    with tenant_scope(council):
        case = Case.objects.get(reference=reference)
        assert case.requester.given_name == "Ann"
