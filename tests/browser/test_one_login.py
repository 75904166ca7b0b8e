"""A resident signs in with GOV.UK One Login in a real browser: the portal sends Chromium to One Login (the local
stand-in, another site), One Login sends it back to the callback, and the session cookie must come with it (a
top-level navigation from another site: SameSite=Lax allows it, Strict would not). Then the resident proves their
council tax account once, signs out, signs in again and the account opens at once."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from borough.portal.one_login import provider
from borough.portal.tests.one_login.conftest import configure
from borough.portal.tests.one_login.standin import OneLoginStandIn
from borough.revenues.tests.web.conftest import account_in

pytestmark = pytest.mark.browser

CLIENT_ID = "borough-northfield-browser"


@pytest.fixture
def council(transactional_db, make_tenant):
    return make_tenant("northfield", name="Northfield District Council")


@pytest.fixture
def one_login(council, monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    provider.forget_kept()
    with OneLoginStandIn(client_id=CLIENT_ID, client_public_pem=provider.public_pem(key)) as standin:
        configure(council, issuer=standin.issuer, key=key, client_id=CLIENT_ID, monkeypatch=monkeypatch)
        yield standin
    provider.forget_kept()


def test_a_resident_signs_in_proves_once_and_finds_the_account_open_next_time(page, problems, site, council, one_login):
    account = account_in(council, address_line_1="12 Mill Lane")
    page.goto(site("northfield.localhost", "/council-tax/"))
    page.get_by_role("button", name="Sign in with GOV.UK One Login").or_(
        page.get_by_role("link", name="Sign in with GOV.UK One Login")
    ).click()
    page.wait_for_url("**/council-tax/")
    assert "You are signed in with GOV.UK One Login" in page.content()
    assert one_login.authorize_requests, "the browser did not go to One Login"

    page.get_by_label("Account number").fill(account.number)
    page.get_by_label("Postcode").fill("NF1 2AB")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/council-tax/account/")
    assert "12 Mill Lane" in page.content()

    page.get_by_role("button", name="Sign out of your account").click()
    page.wait_for_url("**/sign-in/signed-out/**")
    page.goto(site("northfield.localhost", "/council-tax/account/"))
    page.wait_for_url("**/council-tax/")  # signed out: the account is closed

    page.get_by_role("button", name="Sign in with GOV.UK One Login").or_(
        page.get_by_role("link", name="Sign in with GOV.UK One Login")
    ).click()
    page.wait_for_url("**/council-tax/account/")  # proved before: no number or postcode this time
    assert "12 Mill Lane" in page.content()
    assert len(one_login.authorize_requests) == 2
    assert problems.console_errors == [] and problems.failed_static == []
