"""Each front end renders in a real browser and signs its users in: the portals, the staff app, the console."""

import base64
import re

import pytest
from django_otp.oath import totp

from borough.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.parametrize("slug", ["northfield", "southvale"])
def test_each_portal_renders_with_its_own_name_colour_and_logo(page, problems, site, demo, slug):
    tenant = demo[slug]
    response = page.goto(site(f"{slug}.localhost"))
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == tenant.name
    assert tenant.name in page.title()
    header = page.locator(".borough-brand-header")
    assert header.evaluate("element => getComputedStyle(element).borderBottomColor") == rgb(tenant.brand_colour)
    assert page.locator(".borough-logo__image svg").is_visible()
    # The compiled GOV.UK Frontend stylesheet loaded: its Arial font stack applies to the heading.
    heading_font = page.get_by_role("heading", level=1).evaluate("element => getComputedStyle(element).fontFamily")
    assert heading_font.lower().startswith("arial")
    page.wait_for_load_state("networkidle")
    assert problems.console_errors == []
    assert problems.failed_static == []


def test_staff_member_signs_in_and_sees_the_staff_home_and_navigation(page, problems, site, demo):
    page.goto(site("northfield.localhost", "/staff/"))
    assert "/accounts/sign-in/" in page.url
    sign_in(page, "northfield-supervisor")
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Northfield District Council"
    assert page.get_by_text("Nora Supervisor").first.is_visible()
    navigation = page.get_by_role("navigation", name="Primary navigation")
    assert navigation.get_by_role("link", name="Home").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert problems.console_errors == []
    assert problems.failed_static == []


def test_provider_signs_in_on_localhost_and_the_console_lists_the_tenants(page, problems, site, demo):
    page.goto(site("localhost"))
    assert "/accounts/sign-in/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to the provider console"
    sign_in(page, "provider")
    page.wait_for_url(site("localhost"))
    table = page.get_by_role("table")
    for tenant in demo.values():
        assert table.get_by_role("link", name=tenant.name, exact=True).is_visible()
    assert problems.console_errors == []
    assert problems.failed_static == []


def test_a_user_of_another_tenant_is_not_let_into_the_staff_app(page, site, demo):
    page.goto(site("northfield.localhost", "/accounts/sign-in/?next=/staff/"))
    sign_in(page, "southvale-agent")
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "Northfield District Council" not in page.locator("main").inner_text()
    assert page.goto(site("northfield.localhost", "/staff/")).status == 404


def test_second_factor_is_set_up_in_the_browser_then_lets_the_user_in(page, problems, site, demo, settings):
    settings.BOROUGH_REQUIRE_2FA = True
    page.goto(site("northfield.localhost", "/staff/"))
    sign_in(page, "northfield-agent")
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your authenticator app"
    assert page.locator(".borough-qr svg").is_visible()
    key = base64.b32decode(page.locator(".borough-secret").inner_text().strip())
    page.get_by_label("Security code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Northfield District Council"
    assert problems.console_errors == []
    assert problems.failed_static == []
