"""Every kind of page passes axe-core's WCAG 2.2 A and AA rules, including forms showing their errors.

axe-core (npm, a dev dependency) is injected into each page; the test context bypasses the CSP only to inject it.
Automated rules find about a third of accessibility problems: they are a floor, not the audit.
"""

from pathlib import Path

import pytest

from tests.browser.test_front_ends import sign_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make does)")
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def check(page, url: str, submit_empty_form: bool = False) -> list[str]:
    page.goto(url)
    found = [f"{url}: {problem}" for problem in violations(page)]
    if submit_empty_form:
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator(".govuk-error-summary").count() == 1, f"{url}: no error summary after an empty submit"
        found += [f"{url} (with errors): {problem}" for problem in violations(page)]
    return found


def test_portal_pages(axe_page, site, demo):
    found = []
    for slug in ("northfield", "brightside"):
        found += check(axe_page, site(f"{slug}.localhost", "/"))
    found += check(axe_page, site("northfield.localhost", "/accessibility/"))
    found += check(axe_page, site("northfield.localhost", "/no-such-page/"))
    assert found == []


def test_staff_pages(axe_page, site, demo):
    found = check(axe_page, site("northfield.localhost", "/accounts/sign-in/"), submit_empty_form=True)
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/"))
    sign_in(axe_page, "northfield-admin")
    for path, with_errors in [
        ("/staff/", False),
        ("/staff/admin/", False),
        ("/staff/admin/members/", False),
        ("/staff/admin/members/add/", True),
        ("/staff/admin/api-keys/", False),
        ("/staff/admin/api-keys/new/", True),
        ("/staff/admin/support-access/", False),
        ("/staff/runs/", False),
        ("/staff/runs/audit-export/", False),  # its dates are filled in, so an empty submit starts a run
        ("/accounts/password/", True),
    ]:
        found += check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    assert found == []


def test_provider_console_pages(axe_page, site, demo):
    axe_page.goto(site("localhost", "/accounts/sign-in/"))
    sign_in(axe_page, "provider")
    found = []
    for path, with_errors in [
        ("/", False),
        ("/tenants/northfield/", False),
        ("/tenants/new/", True),
        ("/usage/", False),
    ]:
        found += check(axe_page, site("localhost", path), submit_empty_form=with_errors)
    assert found == []
