"""The revenues pages pass axe-core's WCAG 2.2 A and AA rules in Chromium, on the demo council's data: the staff
pages an officer and a manager use, and the resident's council tax pages after proving an account."""

import pytest

from borough.revenues.models import Account
from borough.tenancy.scope import tenant_scope
from tests.browser.test_accessibility import check
from tests.browser.test_front_ends import sign_in

pytestmark = pytest.mark.browser

STAFF_PAGES = [
    ("/staff/revenues/", False),
    ("/staff/revenues/billing/", False),
    ("/staff/revenues/payments/", False),
    ("/staff/revenues/payments/mandates/", False),
    ("/staff/revenues/payments/bacs/", False),
    ("/staff/revenues/payments/reports/", False),
    ("/staff/revenues/recovery/", False),
    ("/staff/revenues/recovery/liability-orders/", False),
    ("/staff/revenues/recovery/settings/", False),
    ("/staff/revenues/settings/", False),
]


def demo_account(tenant) -> Account:
    with tenant_scope(tenant):
        return Account.objects.filter(dwelling__isnull=False).select_related("dwelling").order_by("pk").first()


def test_revenues_staff_pages(axe_page, site, demo, make_staff):
    council = demo["northfield"]
    make_staff(council, roles=("revenues.officer", "revenues.manager"), username="axe-revenues-manager")
    account = demo_account(council)
    axe_page.goto(site("northfield.localhost", "/accounts/sign-in/"))
    sign_in(axe_page, "axe-revenues-manager", "correct-horse-battery-staple")
    axe_page.wait_for_url("**/staff/**")
    pages = [
        *STAFF_PAGES,
        (f"/staff/revenues/accounts/{account.number}/", False),
        (f"/staff/revenues/accounts/{account.number}/history/", False),
        (f"/staff/revenues/accounts/{account.number}/reductions/new/", True),
        (f"/staff/revenues/accounts/{account.number}/direct-debit/new/", True),
        (f"/staff/revenues/recovery/account/?number={account.number}", False),
    ]
    found = []
    for path, with_errors in pages:
        found += check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    assert found == []


def test_council_tax_pages(axe_page, site, demo):
    account = demo_account(demo["northfield"])
    found = check(axe_page, site("northfield.localhost", "/council-tax/"), submit_empty_form=True)
    axe_page.get_by_label("Account number").fill(account.number)
    axe_page.get_by_label("Postcode").fill(account.dwelling.postcode)
    axe_page.get_by_role("button", name="Continue").click()
    axe_page.wait_for_url("**/council-tax/account/")
    for path, with_errors in [
        ("/council-tax/account/", False),
        ("/council-tax/single-person-discount/only-adult/", True),
        ("/council-tax/single-person-discount/contact/", True),
        ("/council-tax/ebilling/email/", True),
    ]:
        found += check(axe_page, site("northfield.localhost", path), submit_empty_form=with_errors)
    assert found == []
