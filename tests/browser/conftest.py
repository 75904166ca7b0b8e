"""Playwright driving Debian's Chromium against pytest-django's live server.

Each tenant is reached by its host name, as in `make run`: Chromium resolves every `*.localhost` name to this
machine, so `http://northfield.localhost:<port>/` reaches the live server as the tenant northfield.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import service_missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        service_missing(f"Chromium is not at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("the playwright package is not installed")
    # Playwright's sync API keeps an event loop in this thread, which Django would take for async code and
    # refuse ORM calls from the test; the test's ORM calls are synchronous, so that guard does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageProblems:
    """What went wrong while the page loaded: script errors, console errors, static files that failed."""

    console_errors: list[str] = field(default_factory=list)
    failed_static: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("requestfailed", lambda request: self.failed_static.append(f"{request.url} ({request.failure})"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and "/static/" in response.url
                and self.failed_static.append(f"{response.url} ({response.status})")
            ),
        )


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, problems):
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


@pytest.fixture
def site(live_server):
    """`site("northfield.localhost", "/staff/")`: the live server's address on a host name."""
    port = urlsplit(live_server.url).port

    def url(host: str, path: str = "/") -> str:
        return f"http://{host}:{port}{path}"

    return url


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """The demo data of `make run` (on PostgreSQL too, which demo_seed refuses without BOROUGH_DEMO=1)."""
    from borough.core.demo import demo_seed

    monkeypatch.setenv("BOROUGH_DEMO", "1")
    return {tenant.slug: tenant for tenant in demo_seed()}


@pytest.fixture
def axe_page(browser):
    """A page for axe-core checks (tests/browser/test_accessibility.py): the CSP bypassed only to inject axe."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make does)")
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
