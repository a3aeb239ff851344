"""Issue 15, item 9: a person exports and always knows what is happening. A direct export says
"Preparing…" and cannot be started twice until its file arrives; one expected to take too long
(by format and rows, from the measured rates) is prepared by the worker while its page shows a
"being prepared" banner, which goes once the download link is there; "My exports" is one click
away in the main navigation, with the same status colours as the export's own page."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hotlines.models import ExportRecord, ExportStatus, Hotline
from hotlines.services import exports
from hotlines.services.exports import limits
from tests.browser.conftest import SCREENSHOTS, collect_errors, sign_in
from tests.conftest import make_user
from tests.exports.conftest import hostile_synced, media  # noqa: F401 - the export tests' fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIETTEL = "/hotlines/?network=viettel&sort=name"
# What the menu shows, as a person sees it: recorded by the page itself on every change (while the
# answer is held the page has a navigation pending, and Playwright waits for it before it reads
# anything). The first time it is busy, a second start is tried (Enter in the form, a script).
WATCH = """() => {
  const menu = document.getElementById("export-menu");
  const form = menu.querySelector("form");
  const seen = (window.exportStates = []);
  const submits = (window.exportSubmits = []); // whether each submit was refused
  const state = () => ({
    summary: menu.querySelector("summary").textContent.trim(),
    summaryBusy: menu.querySelector("summary").getAttribute("aria-busy"),
    menuOpen: menu.open,
    excel: menu.querySelector("button[value=xlsx]").textContent.trim(),
    excelBusy: menu.querySelector("button[value=xlsx]").getAttribute("aria-busy"),
    disabled: Array.from(menu.querySelectorAll("button[name=_export]"), (button) => button.disabled),
  });
  window.addEventListener("submit", (event) => submits.push(event.defaultPrevented ? "refused" : "sent"));
  new MutationObserver(() => {
    const now = state();
    if (JSON.stringify(now) !== JSON.stringify(seen[seen.length - 1])) seen.push(now);
    if (now.summaryBusy && submits.length === 1) form.requestSubmit();
  }).observe(menu, { subtree: true, attributes: true, childList: true, characterData: true });
}"""


def click(devtools, locator) -> None:
    """A mouse click at the middle of the element, sent without waiting for what it starts."""
    box = locator.bounding_box()
    at = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2, "button": "left", "clickCount": 1}
    devtools.send("Input.dispatchMouseEvent", {"type": "mousePressed", **at})
    devtools.send("Input.dispatchMouseEvent", {"type": "mouseReleased", **at})


@pytest.fixture
def exporter(django_user_model):
    return make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")


@pytest.fixture
def problems(page):
    return collect_errors(page)


@pytest.mark.usefixtures("hostile_synced", "exporter")
def test_a_direct_export_says_preparing_until_its_file_arrives(page, live_server, problems, monkeypatch, screenshot):
    # The answer is held until the test has seen the page wait for it (the live server runs in
    # this process): a slow count or a busy server, before the file's headers leave.
    gate = threading.Event()
    stream = exports.export_stream

    def held(*, job):
        assert gate.wait(20), "the test never released the export"
        return stream(job=job)

    monkeypatch.setattr(exports, "export_stream", held)
    sign_in(page, live_server, "exporter", "pw-exporter")
    page.goto(live_server.url + VIETTEL)
    summary = page.locator("#export-menu summary")
    summary.click()
    excel = page.locator("#export-menu button[value=xlsx]")
    page.evaluate(WATCH)
    devtools = page.context.new_cdp_session(page)
    with page.expect_download() as download:
        click(devtools, excel)  # a person's click, which Playwright would then wait on
        time.sleep(0.6)  # the person waits: the page must say so, and refuse a second start
        shot = devtools.send("Page.captureScreenshot", {"format": "png"})["data"]
        (SCREENSHOTS / "export-preparing.png").write_bytes(base64.b64decode(shot))
        gate.set()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert download.value.path().read_bytes()[:2] == b"PK"
    states = page.evaluate("window.exportStates")
    # The menu closes once sent; its button says what is going on, and so does the one clicked,
    # from then until the file arrives.
    assert states[0]["menuOpen"] is False and states[0]["summary"] == "Export", states
    assert states[1] == {
        "summary": "Preparing…", "summaryBusy": "true", "menuOpen": False,
        "excel": "Preparing…", "excelBusy": "true", "disabled": [True, True, True],
    }, states  # fmt: skip
    # ... and stays so while the file is written (the cookie comes with its headers only).
    assert all(state["summary"] == "Export" for state in states[2:]), states
    assert page.evaluate("window.exportSubmits") == ["sent", "refused"]
    # The file arrived: the menu is ready for another export.
    expect(summary).to_have_text("Export")
    expect(summary).not_to_have_attribute("aria-busy", "true")
    expect(excel).to_be_enabled()
    expect(excel).to_have_text("Excel (.xlsx)")
    expect(excel).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("window.exportStates")[-1] == {
        "summary": "Export", "summaryBusy": None, "menuOpen": False,
        "excel": "Excel (.xlsx)", "excelBusy": None, "disabled": [False, False, False],
    }  # fmt: skip
    assert list(ExportRecord.objects.values_list("format", "status", "background")) == [
        ("xlsx", ExportStatus.DONE, False)
    ]
    # And a second export now starts as the first did.
    with page.expect_download() as download:
        if not page.locator("#export-menu").evaluate("menu => menu.open"):
            summary.click()
        page.locator("#export-menu button[value=csv]").click()
    assert download.value.suggested_filename.endswith(".csv")
    expect(summary).to_have_text("Export")
    assert ExportRecord.objects.count() == 2
    assert not problems, problems


@pytest.mark.usefixtures("hostile_synced", "exporter")
def test_a_slow_export_is_prepared_by_the_worker_and_its_banner_goes_when_ready(
    page, live_server, problems, monkeypatch, screenshot
):
    # Excel measured at 10 rows/s: the list's rows would take far over EXPORT_MAX_DIRECT_SECONDS.
    monkeypatch.setattr(limits, "EXPORT_RATES", {"csv": 120_000, "json": 70_000, "xlsx": 10}, raising=False)
    viettel = Hotline.objects.filter(is_removed=False, network="viettel").count()
    sign_in(page, live_server, "exporter", "pw-exporter")
    page.goto(live_server.url + VIETTEL)
    summary = page.locator("#export-menu summary")
    summary.click()
    expect(page.locator("#export-menu")).to_contain_text("Prepared in the background for this many rows: Excel.")
    page.locator("#export-menu button[value=xlsx]").click()
    page.wait_for_url("**/exports/*/")
    banner = page.locator("#export-banner")
    expect(banner).to_have_text(
        f"Your export of {viettel} hotlines is being prepared; the download link appears here when it is ready."
    )
    expect(page.locator("ul.messages")).to_have_count(0)
    expect(page.locator("#export-progress .badge")).to_have_text("Waiting")
    waiting_colour = page.locator("#export-progress .badge").evaluate("e => getComputedStyle(e).backgroundColor")
    screenshot(page, "export-being-prepared")

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    record = ExportRecord.objects.get()
    assert record.background and record.status == ExportStatus.DONE, record.error
    expect(page.locator("#export-download")).to_be_visible(timeout=8_000)  # htmx polls every 2 s
    expect(banner).to_have_count(0)
    expect(page.locator("#export-progress")).not_to_contain_text("being prepared")
    done = page.locator("#export-progress .badge")
    expect(done).to_have_text("Done")
    done_colours = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        done_colours[scheme] = done.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    page.emulate_media(color_scheme="light")
    assert done_colours["light"][0] != waiting_colour
    screenshot(page, "export-ready-no-banner")
    with page.expect_download() as download:
        page.locator("#export-download").click()
    assert download.value.suggested_filename == record.filename

    # Back to the list: nothing is left "Preparing" there.
    page.go_back()
    page.wait_for_url(live_server.url + VIETTEL)
    expect(summary).to_have_text("Export")
    summary.click()
    expect(page.locator("#export-menu button[value=xlsx]")).to_be_enabled()
    page.go_forward()
    page.wait_for_url("**/exports/*/")
    expect(page.locator("#export-download")).to_be_visible()
    expect(page.locator("#export-banner")).to_have_count(0)

    # My exports, from the main navigation, in the same colours as the export's page.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My exports")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="My exports").click()
    page.wait_for_url("**/exports/mine/")
    badge = page.locator("#export-table .badge")
    expect(badge).to_have_text("Done")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        colours = badge.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        assert colours == done_colours[scheme], scheme
    page.emulate_media(color_scheme="light")
    screenshot(page, "my-exports")
    assert not problems, problems


def test_my_exports_is_not_in_a_viewers_navigation(page, live_server, django_user_model):
    make_user(django_user_model, "viewer", "hotlines.view_hotline")
    sign_in(page, live_server, "viewer", "pw-viewer")
    page.goto(live_server.url + "/hotlines/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Hotlines")).to_be_visible()
    expect(nav.get_by_role("link", name="My exports")).to_have_count(0)
