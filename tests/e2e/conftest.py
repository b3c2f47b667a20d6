"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .csp import CspWatch, WatchedBrowser

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):
    """Chromium for one test: every context made through it (the `page` fixture, `page_as`, a test's own) is watched
    for Content-Security-Policy violations; any left at the end fails the test (see csp.py), then its contexts close."""
    watched = WatchedBrowser(chromium, CspWatch())
    yield watched
    try:
        watched.csp.check()
    finally:
        watched.csp.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # A violation fails the test itself, not only its teardown; what happens later is checked by `browser`'s teardown.
    result = yield
    browser = item.funcargs.get("browser")
    if isinstance(browser, WatchedBrowser):
        browser.csp.check()
    return result


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    return page  # closed by `browser` after its last CSP check


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
