"""Going through the sign-in as a browser would: the portal's redirect, One Login's authorize, back to the callback."""

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from borough.portal.tests.one_login.standin import OneLoginStandIn

CALLBACK = "/sign-in/callback/"


def to_one_login(browser: Client, standin: OneLoginStandIn, next_code: str = "council-tax") -> str:
    """Start signing in; the URL One Login's authorize redirects back to (path and query on the tenant's host)."""
    start = browser.get(f"/sign-in/?next={next_code}")
    assert start.status_code == 302 and start.url.startswith(standin.issuer + "authorize?"), start
    back = urlsplit(standin.authorize(start.url))
    assert back.path == CALLBACK, back
    return f"{back.path}?{back.query}"


def sign_in(browser: Client, standin: OneLoginStandIn, next_code: str = "council-tax"):
    return browser.get(to_one_login(browser, standin, next_code))


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
