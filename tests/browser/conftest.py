"""Playwright driving Debian's Chromium (Playwright cannot download its own browser here)."""

import os
import threading
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still plain synchronous calls, so Django's async guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


class _OneRequestAtATime:
    """A WSGI app wrapped so that one request at a time runs in it, its response's iteration
    included. On SQLite the live server's threads all use the test's in-memory database (shared
    cache); a page and its own htmx request (the bell's poll) running together made SQLite answer
    "bad parameter or other API misuse", a 500 seen in a full run. The browser's connections stay
    concurrent: only the app's work takes turns."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _ReleasedOnClose(result, self.lock)


class _ReleasedOnClose:
    def __init__(self, result, lock: threading.Lock) -> None:
        self.result, self.lock, self.open = result, lock, True

    def __iter__(self):
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            if self.open:
                self.open = False
                self.lock.release()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time(live_server):
    """The live server serves one request at a time on SQLite (one in-memory database for every
    thread); on PostgreSQL each thread has a connection of its own and requests run together."""
    if connection.vendor == "sqlite":
        httpd = live_server.thread.httpd
        httpd.set_app(_OneRequestAtATime(httpd.get_app()))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret would put style="" on the page's inputs, which htmx then
        # carries into its history snapshots (and the CSP refuses when they are restored).
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    return take


def collect_errors(page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions (Content-Security-
    Policy refusals among them), each with the address it happened at."""
    found: list[str] = []
    page.on("console", lambda message: message.type == "error" and found.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Lands on the home page, or on the page the sign-in interrupted.
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/accounts/login" not in url)


def nav_link(page, name: str):
    """A link of the main navigation as a person reaches it: the administration pages are in the
    bar's Administration menu, which is opened first."""
    nav = page.get_by_role("navigation", name="Main")
    group = nav.locator("#admin-nav")
    inside = group.count() and group.get_by_role("link", name=name, exact=True, include_hidden=True).count()
    if inside and not group.evaluate("e => e.open"):
        group.locator("summary").click()
    return nav.get_by_role("link", name=name, exact=True)


def add_connection(page, name: str, base_url: str, api_key: str, more: dict[str, str]) -> None:
    """From the main navigation, add a connection as a person does, filling `more` ({label: value})
    after the key, and press "Save and test"."""
    nav_link(page, "Connections").click()
    page.get_by_role("link", name="Add a connection").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Base URL").fill(base_url)
    page.get_by_label("API key").fill(api_key)
    for label, value in more.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save and test").click()
