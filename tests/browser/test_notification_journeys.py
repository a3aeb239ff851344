"""A person's notifications in the browser: the bell counts the unread ones, the page lists them
grouped per sync, marking one read and all read clears the bell (htmx, and without JavaScript),
and the bell is there on a phone without opening the menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from hotlines.models import Notification, NotificationKind
from tests.browser.conftest import collect_errors, sign_in
from tests.factories import (
    HotlineFactory,
    NotificationFactory,
    SavedViewFactory,
    SyncRunFactory,
    UserFactory,
    WatchEventFactory,
    WatchFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lan(db):
    """A Viewer with three unread notifications from two syncs, and one read."""
    user = UserFactory(username="lan", email="lan@partner.example", roles=["Viewer"])
    older, newer = SyncRunFactory(), SyncRunFactory(connection__name="account hn")
    # The older sync's notifications were written first, as the watch engine does after each sync.
    NotificationFactory(user=user, sync_run=older, subject="Mobifone")
    NotificationFactory(user=user, sync_run=older, subject="Already read", read_at="2026-01-01T00:00:00Z")
    view = SavedViewFactory(owner=user, name="Viettel tắt")
    changed = NotificationFactory(
        user=user, sync_run=newer, watch=WatchFactory(user=user, view=view), subject=view.name
    )
    hotline = HotlineFactory(connection=newer.connection, hotline="19006868", name="Tổng đài CSKH")
    WatchEventFactory(notification=changed, hotline=hotline, changes=[{"field": "status", "old": "P", "new": "N"}])
    single = HotlineFactory(connection=newer.connection, hotline="02438251234")
    NotificationFactory(
        user=user, sync_run=newer, watch=WatchFactory(user=user, view=None, hotline=single), subject=single.hotline
    )
    return user


def bell(page):
    return page.locator("#notification-bell")


def wait_until(page, ready, timeout_ms: int = 10_000) -> None:
    """Let Playwright run (its route handlers among it) until `ready()` is true."""
    for _ in range(timeout_ms // 50):
        if ready():
            return
        page.wait_for_timeout(50)
    raise AssertionError("timed out")


BELL_ROUTE = "**/notifications/bell/"


def open_notifications_with_the_first_count_held(page, live_server):
    """Sign in as lan (3 unread) and open Notifications, holding the bell's first count: the server
    has answered it, the page is not told until the test fulfils the returned route with the
    returned answer. Later counts go through."""
    sign_in(page, live_server, "lan", "pw-lan")
    expect(bell(page)).to_have_accessible_name("3 unread notifications")
    held = []

    def hold_the_first_count(route):
        if held:
            route.continue_()
            return
        held.append((route, route.fetch()))  # the server counts now (3), the page gets it later

    page.route(BELL_ROUTE, hold_the_first_count)
    with page.expect_request(BELL_ROUTE):
        page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".notification-unread")).to_have_count(3)
    wait_until(page, lambda: held)  # the server has answered the first count (page not told yet)
    return held[0]


def test_the_bell_the_page_mark_one_and_mark_all_read(page, live_server, lan):
    errors = collect_errors(page)
    sign_in(page, live_server, "lan", "pw-lan")
    page.goto(f"{live_server.url}/")
    expect(bell(page)).to_have_accessible_name("3 unread notifications")
    expect(bell(page).locator(".bell-count")).to_have_text("3")

    bell(page).click()
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.locator(".notification-group")).to_have_count(2)
    expect(page.locator(".notification-group").first.get_by_role("heading", level=2)).to_contain_text("account hn")
    expect(page.locator(".notification-unread")).to_have_count(3)
    first = page.locator(".notification").filter(has_text="Viettel tắt")
    expect(first).to_contain_text("Status: Enabled → Disabled")
    expect(first.get_by_role("link", name=re.compile("1900"))).to_have_attribute("href", re.compile(r"/hotlines/\d+/"))

    # Mark one read: the item stays, no longer unread; the bell counts again.
    page.get_by_role("button", name=re.compile(r"^Mark read\s*: Viettel tắt$")).click()
    expect(page.locator(".notification-unread")).to_have_count(2)
    expect(bell(page)).to_have_accessible_name("2 unread notifications")

    # Mark all read: the page and the bell say nothing is unread.
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(page.locator("#notifications-summary")).to_contain_text("Nothing unread.")
    expect(bell(page)).to_have_accessible_name("Notifications, none unread")
    assert not Notification.objects.filter(user=lan, read_at__isnull=True).exists()

    # A reload shows the same.
    page.reload()
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(bell(page)).to_have_accessible_name("Notifications, none unread")
    assert errors == []


def test_a_slow_first_count_does_not_overwrite_the_count_after_mark_read(page, live_server, lan):
    """The bell counts on page load. If that first answer is still on its way when "Mark read"
    says notifications changed, the bell must count again and keep the newer count: the late
    first answer (taken before the mark) may not leave a stale "3" behind."""
    errors = collect_errors(page)
    route, stale = open_notifications_with_the_first_count_held(page, live_server)
    expect(bell(page)).to_have_accessible_name("Notifications")  # still counting

    page.get_by_role("button", name=re.compile(r"^Mark read\s*: Viettel tắt$")).click()
    expect(page.locator(".notification-unread")).to_have_count(2)
    expect(bell(page)).to_have_accessible_name("2 unread notifications")

    # Now the first, stale answer arrives (if the page still waits for it): it changes nothing.
    try:
        route.fulfill(response=stale)
    except PlaywrightError:
        pass  # the page gave up that request when it asked again: the right outcome
    page.wait_for_timeout(300)
    expect(bell(page)).to_have_accessible_name("2 unread notifications")
    page.unroute(BELL_ROUTE)
    # htmx logs the request it gave up (hx-sync "replace") as sendAbort and its afterRequest.
    assert [error for error in errors if not re.search(r": htmx:(sendAbort|afterRequest), ", error)] == []


def test_a_mark_read_just_after_the_bell_was_swapped_in_is_not_lost(page, live_server, lan):
    """htmx wires up what it swaps in only in its settle step, a moment after the swap. A "Mark
    read" whose "notifications changed" lands in between must still make the bell count again
    (a bell that replaced itself missed it: the old one gone, the new one not yet listening)."""
    route, first = open_notifications_with_the_first_count_held(page, live_server)
    # Widen the settle step (20 ms) so that the click surely lands inside it.
    page.evaluate("htmx.config.defaultSettleDelay = 3000")
    route.fulfill(response=first)
    expect(bell(page)).to_have_accessible_name("3 unread notifications")  # swapped in, not yet settled

    page.get_by_role("button", name=re.compile(r"^Mark read\s*: Viettel tắt$")).click()
    expect(page.locator(".notification-unread")).to_have_count(2)
    expect(bell(page)).to_have_accessible_name("2 unread notifications", timeout=2_500)
    page.unroute(BELL_ROUTE)


def test_without_javascript_the_forms_work(browser, live_server, lan):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, "lan", "pw-lan")
        page.goto(f"{live_server.url}/notifications/")
        expect(page.locator(".notification-unread")).to_have_count(3)
        page.get_by_role("button", name=re.compile(r"^Mark read\s*: Mobifone$")).click()
        expect(page).to_have_url(f"{live_server.url}/notifications/")
        expect(page.locator(".notification-unread")).to_have_count(2)
        page.get_by_role("button", name="Mark all read").click()
        expect(page.get_by_text("All notifications are marked read.")).to_be_visible()
        expect(page.locator(".notification-unread")).to_have_count(0)
        # Without JavaScript the bell is a plain link to the page.
        expect(page.locator("#notification-bell")).to_have_attribute("href", "/notifications/")
    finally:
        context.close()


def test_on_a_phone_the_bell_is_in_the_bar(browser, live_server, lan):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, "lan", "pw-lan")
        page.goto(f"{live_server.url}/notifications/")
        expect(bell(page)).to_be_visible()
        expect(bell(page)).to_have_accessible_name("3 unread notifications")
        box, toggle = bell(page).bounding_box(), page.locator(".menu-toggle").bounding_box()
        assert box["y"] < 60 and abs(box["y"] - toggle["y"]) < 20  # the same row as the menu button
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
    finally:
        context.close()


def test_a_failed_sync_notice_for_an_operator_links_to_the_run(page, live_server, db):
    operator = UserFactory(username="op", roles=["Operator"])
    run = SyncRunFactory(status="failed", error="eTelecom timed out on page 37 after 3 retries")
    NotificationFactory(user=operator, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None, subject="")
    sign_in(page, live_server, "op", "pw-op")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".notification-error")).to_have_text("eTelecom timed out on page 37 after 3 retries")
    page.get_by_role("link", name="See the sync").click()
    expect(page).to_have_url(f"{live_server.url}/syncs/{run.pk}/")
