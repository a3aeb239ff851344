"""Issue 17's whole journey in a real browser, with the real worker and a real SMTP server: a
person saves a view, pins it, watches it by email; a sync changes a hotline in it; the bell shows
1, the overview says what left, the Notifications page links to the hotline, and exactly one email
digest arrives with the change and a link back."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hotlines.models import EmailDigest, Hotline, Notification, SavedView, Watch, WatchEvent
from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import collect_errors, sign_in
from tests.notifications.conftest import smtp_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_worker() -> None:
    """What `manage.py db_worker` does in production, until the queue is empty."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_save_pin_watch_then_a_sync_rings_the_bell_and_sends_one_email(
    page,
    live_server,
    connection,
    sandbox,
    superuser,
    smtp_server,  # noqa: F811 - the fixture imported above
    screenshot,
):
    assert hotlines_sync(connection=connection).error == ""
    run_worker()  # a first import tells nobody: nothing to deliver
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")

    # Filter the list to the enabled hotlines and save that view.
    page.goto(f"{live_server.url}/hotlines/?status=P")
    enabled = Hotline.objects.filter(status="P", is_removed=False).count()
    expect(page.locator("#result-count")).to_contain_text(f"{enabled:,} hotline")
    page.locator("#views-menu > summary").click()
    page.get_by_label("Save this view as").fill("Đang bật")
    page.locator("#views-menu").get_by_role("button", name="Save view").click()
    view = SavedView.objects.get(name="Đang bật")
    expect(page.locator("#view-bar-name")).to_have_text("Đang bật")

    # Pin it to the overview, and watch it by email.
    page.locator(".view-bar").get_by_role("button", name="Pin to the overview").click()
    expect(page.locator(".messages")).to_contain_text("Pinned")
    page.locator(".view-bar .watch-menu > summary").click()
    page.locator(".view-bar").get_by_label("In the dashboard and by email").check()
    page.locator(".view-bar .watch-menu").get_by_role("button", name="Watch").click()
    expect(page).to_have_url(re.compile(r"/watches/"))
    assert Watch.objects.get(view=view, user=superuser).email
    expect(page.locator("#notification-bell")).to_have_accessible_name("Notifications, none unread")

    # eTelecom disables one of the view's hotlines; the next sync sees it, the worker tells.
    item = next(i for i in sandbox.dataset.all() if i["status"] == "P")
    sandbox.dataset.patch(item["id"], status="N")
    run = hotlines_sync(connection=connection)
    assert run.error == "" and run.updated == 1
    run_worker()  # the watch engine, then the email digest it hands the run to

    notification = Notification.objects.get(user=superuser, sync_run=run)
    assert (notification.entered, notification.left, notification.changed) == (0, 1, 0)
    event = WatchEvent.objects.get(notification=notification)
    assert event.kind == "left" and event.changes == [{"field": "status", "old": "P", "new": "N"}]

    # The bell shows 1 on the next page; the overview says what left the pinned view.
    page.goto(f"{live_server.url}/")
    bell = page.locator("#notification-bell")
    expect(bell).to_have_accessible_name("1 unread notification")
    expect(bell.locator(".bell-count")).to_have_text("1")
    pins = page.locator("section.pins")
    expect(pins.get_by_role("link", name="Đang bật")).to_be_visible()
    expect(pins).to_contain_text(f"{enabled - 1:,} hotline")
    expect(pins).to_contain_text(re.compile(r"since the last sync.*1 left", re.S))
    screenshot(page, "watch-journey-home-bell")

    # One email, for the whole sync, with the change and links back to the dashboard.
    assert EmailDigest.objects.get(user=superuser, sync_run=run).status == "sent"
    assert len(smtp_server.inbox.messages) == 1
    mail = smtp_server.inbox.messages[0]
    assert mail["To"] == "root@example.com"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    number = Hotline.objects.get(etelecom_id=item["id"]).hotline
    assert "Đang bật" in text and number in text and "Enabled" in text and "Disabled" in text
    assert f"https://hotlines.partner.example/hotlines/{event.hotline_id}/" in html

    # The Notifications page links straight to the hotline; reading it clears the bell.
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/"))
    entry = page.locator("main").get_by_role("link", name=re.compile(r"^" + r"\s?".join(number) + "$"))
    expect(entry).to_be_visible()
    screenshot(page, "watch-journey-notifications")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-bell")).to_have_accessible_name("Notifications, none unread")
    entry.click()
    expect(page.locator("#hotline-number")).to_have_text(number)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/notifications/"))

    # A second run of the worker, or of the digest, sends nothing more.
    run_worker()
    assert len(smtp_server.inbox.messages) == 1
    assert errors == []
