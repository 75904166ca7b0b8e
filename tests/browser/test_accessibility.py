"""Every kind of page passes axe-core's WCAG 2.2 A and AA rules, including forms showing their errors.

axe-core (npm, a dev dependency) is injected into each page; the test context bypasses the CSP only to inject it.
Automated rules find about a third of accessibility problems: they are a floor, not the audit.
"""

import pytest

from tests.browser.conftest import AXE
from tests.browser.test_front_ends import sign_in

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.browser


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
        ("/staff/admin/notifications/", False),  # every box may be unticked, so an empty submit saves
        ("/staff/admin/notifications/template/?event=update&channel=sms&language=en", False),
        ("/staff/runs/", False),
        ("/staff/runs/audit-export/", False),  # its dates are filled in, so an empty submit starts a run
        ("/accounts/password/", True),
        ("/staff/mail/settings/", False),
        ("/staff/mail/settings/mailboxes/new/", True),
        ("/staff/mail/settings/imap/new/", True),
    ]:
        found += check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    found += mail_settings_pages(axe_page, site)
    assert found == []


def mail_settings_pages(page, site) -> list[str]:
    """The pages of the demo's contact mailbox, and of an IMAP account added through the form."""
    page.goto(site("northfield.localhost", "/staff/mail/settings/"))
    change = page.get_by_role("link", name="Change contact").get_attribute("href")
    switch = page.get_by_role("link", name="Switch off contact").get_attribute("href")
    found = check(page, site("northfield.localhost", change)) + check(page, site("northfield.localhost", switch))
    page.goto(site("northfield.localhost", "/staff/mail/settings/imap/new/"))
    page.locator("#id_mailbox").select_option(label="contact (Contact us)")
    page.locator("#id_host").fill("imap.northfield.example")
    page.locator("#id_username").fill("contact@northfield.example")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    detail = page.url
    assert "/staff/mail/settings/imap/" in detail and not detail.endswith("/new/"), detail
    return found + check(page, detail) + check(page, f"{detail}edit/")


def test_provider_console_pages(axe_page, site, demo):
    axe_page.goto(site("localhost", "/accounts/sign-in/"))
    sign_in(axe_page, "provider")
    found = []
    for path, with_errors in [
        ("/", False),
        ("/tenants/northfield/", False),
        ("/tenants/new/", True),
        ("/usage/", False),
        ("/channels/", False),  # its dates are filled in, so an empty submit shows the summary
        ("/channels/northfield/", False),
    ]:
        found += check(axe_page, site("localhost", path), submit_empty_form=with_errors)
    assert found == []
