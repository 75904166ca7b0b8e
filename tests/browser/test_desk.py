"""The case-worker desk in a real browser: an agent logs a case for a resident who telephoned, finds it on its
page, assigns it to themself and adds a note. With JavaScript on, htmx swaps the parts that change without
reloading the page."""

import re

import pytest

from borough.core.audit import Actor, acting_as
from borough.crm.models import KnowledgeArticle, ResponseTemplate, Service, ServiceQuestion
from borough.crm.services import case_create
from borough.tenancy.scope import tenant_scope
from tests.browser import test_accessibility
from tests.browser.test_front_ends import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(demo):
    """Northfield's missed-bin service, from the demo catalogue when it has one."""
    tenant = demo["northfield"]
    with tenant_scope(tenant):
        service, created = Service.objects.get_or_create(
            tenant=tenant, code="missed-bin", defaults={"name": "Missed bin", "group": "Bins and recycling"}
        )
        if created:
            ServiceQuestion.objects.create(
                tenant=tenant,
                service=service,
                code="bin_type",
                prompt="Which bin was missed?",
                kind=ServiceQuestion.Kind.SINGLE_CHOICE,
                required=True,
                choices=[{"key": "general", "name": "General waste"}, {"key": "recycling", "name": "Recycling"}],
            )
    return service


def answer_required_questions(page, service) -> None:
    """Whatever the catalogue asks: the first choice of each required choice question, a word or number else."""
    with tenant_scope(service.tenant):
        questions = list(service.questions.filter(required=True))
    for question in questions:
        field = f"answer_{question.code}"
        if question.kind in (ServiceQuestion.Kind.SINGLE_CHOICE, ServiceQuestion.Kind.MULTI_CHOICE):
            page.locator(f"input[name='{field}']").first.check()
        elif question.kind == ServiceQuestion.Kind.NUMBER:
            page.locator(f"input[name='{field}']").fill("1")
        elif question.kind == ServiceQuestion.Kind.DATETIME:
            page.locator(f"input[name='{field}']").fill("2026-01-19T07:30")
        else:
            page.locator(f"input[name='{field}']").fill("Outside number 12")


def required_answers(service) -> dict:
    """Answers to the service's required questions, as a form would send them (called inside its tenant's scope)."""
    typed = {ServiceQuestion.Kind.NUMBER: "1", ServiceQuestion.Kind.DATETIME: "2026-01-19T07:30"}
    return {
        q.code: q.choices[0]["key"] if q.choices else typed.get(q.kind, "Outside number 12")
        for q in service.questions.filter(required=True)
    }


def test_an_agent_logs_a_case_assigns_it_and_adds_a_note(page, problems, site, demo, catalogue):
    page.goto(site("northfield.localhost", "/staff/crm/"))
    sign_in(page, "northfield-agent")
    page.wait_for_url(re.compile(r"/staff/crm/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Customer contact"

    page.get_by_role("link", name="Log a case for a resident").click()
    page.get_by_label("Service").select_option(catalogue.code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff/crm/new/\?service="))
    page.get_by_label("First name").fill("Tess")
    page.get_by_label("Last name").fill("Telephone")
    page.get_by_label("Phone number").fill("01632 960444")
    page.get_by_label("What is the problem or request?").fill("My bin was not emptied this morning.")
    answer_required_questions(page, catalogue)
    page.get_by_label("Where is it? (optional)").fill("14 Mill Lane")
    page.get_by_role("button", name="Log the case").click()

    page.wait_for_url(re.compile(r"/staff/crm/cases/[A-Z]+-\d+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    assert page.get_by_role("heading", level=1).inner_text() == f"Case {reference}"
    assert page.get_by_text(f"Case {reference} is logged.").is_visible()
    summary = page.locator("#case-summary")
    assert "Tess Telephone" in summary.inner_text()
    assert "Logged by Nathan Agent on the resident’s behalf" in summary.inner_text()

    # From here on the page must not reload: htmx swaps the parts. A marker on the window would not survive one.
    page.evaluate("window.deskMarker = 'still here'")
    page.get_by_role("button", name="Assign to me").click()
    page.locator("#case-action-status").get_by_text("Assigned to you").wait_for()
    officer = summary.locator(".govuk-summary-list__row", has_text="Officer")
    assert "Nathan Agent" in officer.inner_text()

    page.get_by_role("textbox", name="Internal note").fill("Crew told; they will return this afternoon.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#case-timeline")
    timeline.get_by_text("Crew told; they will return this afternoon.").wait_for()
    assert page.locator("#case-action-status").inner_text().strip() == "Note added"
    assert page.get_by_role("textbox", name="Internal note").input_value() == ""  # a fresh form for the next note
    assert page.evaluate("window.deskMarker") == "still here"
    assert page.url.endswith(f"/staff/crm/cases/{reference}/")

    # The note is saved: a full reload shows it, as staff only.
    page.reload()
    first = page.locator("#case-timeline .moj-timeline__item").first
    assert "Crew told" in first.inner_text() and "Staff only" in first.inner_text()
    assert problems.console_errors == []
    assert problems.failed_static == []


def test_an_empty_note_shows_its_error_in_place(page, problems, site, demo, catalogue):
    page.goto(site("northfield.localhost", "/staff/crm/new/?service=" + catalogue.code))
    sign_in(page, "northfield-agent")
    page.wait_for_url(re.compile(r"/staff/crm/new/"))
    page.get_by_label("Phone number").fill("01632 960555")
    page.get_by_label("What is the problem or request?").fill("Bin left behind.")
    answer_required_questions(page, catalogue)
    page.get_by_role("button", name="Log the case").click()
    page.wait_for_url(re.compile(r"/staff/crm/cases/"))
    page.evaluate("window.deskMarker = 'still here'")
    page.get_by_role("button", name="Add note").click()
    section = page.locator("#action-note")
    section.locator(".govuk-error-summary").wait_for()
    assert "Enter the note" in section.inner_text()
    assert page.evaluate("window.deskMarker") == "still here"
    assert problems.console_errors == [] or all("400" in error for error in problems.console_errors)


def test_desk_pages_pass_the_automated_accessibility_rules(axe_page, site, demo, catalogue):
    tenant = demo["northfield"]
    with tenant_scope(tenant), acting_as(Actor.system("test")):
        ResponseTemplate.objects.create(tenant=tenant, title="Thanks", body="Thank you, {name}.")
        KnowledgeArticle.objects.create(tenant=tenant, title="Bin days", body="Weekly.")
        case = case_create(
            tenant=tenant,
            service=catalogue,
            channel="phone",
            description="Bin missed",
            answers=required_answers(catalogue),
            postcode="NF1 2AB",
            latitude="52.1",
            longitude="-1.2",
        )
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/?next=/staff/crm/"))
    sign_in(axe_page, "northfield-supervisor")
    axe_page.wait_for_url(re.compile(r"/staff/crm/$"))
    found = []
    for path, with_errors in [
        ("/staff/crm/", False),
        ("/staff/crm/queues/triage/", False),
        ("/staff/crm/search/?q=NF1+2AB", False),
        (f"/staff/crm/cases/{case.reference}/", False),
        ("/staff/crm/new/", False),
        (f"/staff/crm/new/?service={catalogue.code}", True),
        ("/staff/crm/knowledge/", False),
        ("/staff/crm/templates/", False),
        ("/staff/crm/dashboard/", False),
        ("/staff/crm/dashboard/?since=2026-13-01&until=2026-11-01&shift=month", False),  # the channel form's errors
    ]:
        found += test_accessibility.check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    # An action's errors, swapped in by htmx.
    axe_page.goto(site("northfield.localhost", f"/staff/crm/cases/{case.reference}/"))
    axe_page.get_by_role("button", name="Add note").click()
    axe_page.locator("#action-note .govuk-error-summary").wait_for()
    found += [f"note error: {problem}" for problem in test_accessibility.violations(axe_page)]
    assert found == []
