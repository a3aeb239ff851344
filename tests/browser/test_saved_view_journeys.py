"""Saved views and watches in a real browser (Chromium, JavaScript on), with two eTelecom accounts:
an operator filters the list to one account's disabled hotlines, saves the view, leaves, opens it
again from the Views menu, goes Back, Forward and reloads, pins it, sees it on the overview with
its count, watches it by email and finds the watch on /watches/; then the same view on a phone."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from hotlines.models import Hotline, SavedView, SavedViewPin, Watch
from hotlines.services.users import OPERATOR
from tests.browser.conftest import collect_errors, sign_in
from tests.security.conftest import make_role_user
from tests.views.test_two_accounts import (  # noqa: F401 - fixtures
    accounts,
    second_sandbox,
    second_sandbox_server,
    two_synced,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


def test_save_open_pin_and_watch_a_view(page, browser, live_server, two_synced, screenshot):  # noqa: F811
    _head, branch = two_synced
    make_role_user(get_user_model(), "minh", OPERATOR)
    errors = collect_errors(page)
    disabled = Hotline.objects.filter(connection=branch, status="N", is_removed=False).count()
    branch_all = Hotline.objects.filter(connection=branch, is_removed=False).count()
    assert 0 < disabled < branch_all

    sign_in(page, live_server, "minh", "pw-minh-Long-enough-1")
    page.goto(f"{live_server.url}/hotlines/")
    # Filter: one account, its disabled hotlines.
    page.get_by_role("checkbox", name=re.compile(r"^Branch office")).check()
    expect(page).to_have_url(re.compile(rf"connection={branch.pk}"))
    page.get_by_role("checkbox", name=re.compile(r"^Disabled")).check()
    expect(page).to_have_url(re.compile(r"status=N"))
    expect_count(page, disabled)

    # Save it, shared, from the Views menu.
    page.locator("#views-menu > summary").click()
    page.get_by_label("Save this view as").fill("Chi nhánh · tắt")
    page.locator("#views-menu").get_by_label("Shared with everyone who browses hotlines").check()
    page.locator("#views-menu").get_by_role("button", name="Save view").click()
    view = SavedView.objects.get()
    assert view.shared and view.owner.username == "minh"
    expect(page).to_have_url(re.compile(rf"view={view.pk}"))
    expect(page.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
    expect(page.locator(".messages")).to_contain_text("Saved the view")
    expect_count(page, disabled)
    page.emulate_media(color_scheme="dark")
    page.locator("#views-menu > summary").click()
    screenshot(page, "saved-view-bar-dark", full_page=False)
    page.locator("#views-menu > summary").click()
    page.emulate_media(color_scheme="light")

    # Away, and back through the Views menu.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hotlines").click()
    expect(page.locator("#view-bar-name")).to_have_count(0)
    expect_count(page, Hotline.objects.filter(is_removed=False).count())
    page.locator("#views-menu > summary").click()
    entry = page.locator("#views-menu").get_by_role("link", name=re.compile(r"^Chi nhánh · tắt"))
    expect(entry).to_contain_text(str(disabled))  # its live count
    entry.click()
    expect(page).to_have_url(re.compile(rf"view={view.pk}"))
    expect(page.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
    expect_count(page, disabled)
    expect(page.get_by_role("checkbox", name=re.compile(r"^Disabled"))).to_be_checked()

    # Change a filter inside the view: the view stays open; Back, Forward and reload keep the state.
    page.get_by_role("checkbox", name=re.compile(r"^Disabled")).uncheck()
    expect_count(page, branch_all)
    expect(page).to_have_url(re.compile(rf"view={view.pk}"))
    expect(page.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
    page.go_back()
    expect_count(page, disabled)
    expect(page.get_by_role("checkbox", name=re.compile(r"^Disabled"))).to_be_checked()
    page.go_forward()
    expect_count(page, branch_all)
    page.reload()
    expect_count(page, branch_all)
    expect(page.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
    page.go_back()
    expect_count(page, disabled)

    # Pin it; the overview shows it with its count.
    page.locator(".view-bar").get_by_role("button", name="Pin to the overview").click()
    expect(page.locator(".messages")).to_contain_text("Pinned")
    expect(page.locator(".view-bar").get_by_role("button", name="Unpin from the overview")).to_be_visible()
    assert SavedViewPin.objects.filter(view=view, user__username="minh").exists()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    pins = page.locator("section.pins")
    expect(pins.get_by_role("link", name="Chi nhánh · tắt")).to_be_visible()
    expect(pins).to_contain_text(f"{disabled} hotline")
    screenshot(page, "saved-view-pinned-on-home")

    # Watch it by email from its bar; it is on /watches/.
    pins.get_by_role("link", name="Chi nhánh · tắt").click()
    expect(page.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
    page.locator(".view-bar .watch-menu > summary").click()
    page.locator(".view-bar").get_by_label("In the dashboard and by email").check()
    page.locator(".view-bar .watch-menu").get_by_role("button", name="Watch").click()
    expect(page).to_have_url(re.compile(r"/watches/"))
    row = page.locator("#watches tbody tr", has_text="Chi nhánh · tắt")
    expect(row).to_contain_text("In the dashboard and by email")
    assert Watch.objects.get(view=view).email
    screenshot(page, "watches-page")
    assert errors == []

    # On a phone: the view opens from the Views page, its bar and menu fit, and it is watched.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone_errors = collect_errors(phone)
    try:
        sign_in(phone, live_server, "minh", "pw-minh-Long-enough-1")
        phone.goto(f"{live_server.url}/views/")
        phone.get_by_role("link", name="Chi nhánh · tắt").first.click()
        expect(phone.locator("#view-bar-name")).to_have_text("Chi nhánh · tắt")
        expect_count(phone, disabled)
        expect(phone.locator(".view-bar").get_by_role("link", name=re.compile("Watching"))).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width  # nothing sticks out sideways
        phone.locator("#views-menu > summary").click()
        expect(phone.locator("#views-menu").get_by_label("Save this view as")).to_be_in_viewport(ratio=1)
        box = phone.locator("#views-menu .menu-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # the whole menu on screen
        screenshot(phone, "saved-view-phone", full_page=False)
        assert phone_errors == []
    finally:
        context.close()


def test_without_javascript_save_rename_and_watch(browser, live_server, synced):
    make_role_user(get_user_model(), "lan", "Viewer")
    disabled = Hotline.objects.filter(status="N", is_removed=False).count()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "lan", "pw-lan-Long-enough-1")
        page.goto(f"{live_server.url}/hotlines/?status=N")
        page.locator("#views-menu > summary").click()
        expect(page.locator("#views-menu").get_by_label("Shared with everyone who browses hotlines")).to_have_count(0)
        page.get_by_label("Save this view as").fill("Tắt")
        page.locator("#views-menu").get_by_role("button", name="Save view").click()
        expect(page.locator("#view-bar-name")).to_have_text("Tắt")
        expect_count(page, disabled)
        page.locator(".view-bar").get_by_role("link", name="Rename").click()
        page.get_by_label("Name").fill("Bị tắt")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("table")).to_contain_text("Bị tắt")
        page.get_by_role("link", name="Bị tắt", exact=True).click()
        expect(page.locator("#view-bar-name")).to_have_text("Bị tắt")
        page.locator(".view-bar .watch-menu > summary").click()
        page.locator(".view-bar .watch-menu").get_by_role("button", name="Watch").click()
        expect(page.locator("#watches")).to_contain_text("Bị tắt")
        expect(page.locator("#watches")).to_contain_text("In the dashboard")
        view = SavedView.objects.get()
        assert view.name == "Bị tắt" and not view.shared and view.query == "status=N"
    finally:
        context.close()
