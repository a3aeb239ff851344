"""axe-core finds no serious or critical violation on home, list, detail and sign-in, in light and
dark, and the list can be driven with the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from hotlines.models import Hotline
from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"serious", "critical"}


def violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_axe_on_every_browsing_page_and_the_keyboard(page, live_server, connection, superuser):
    assert hotlines_sync(connection=connection).error == ""
    page.goto(f"{live_server.url}/accounts/login/")
    assert violations(page) == []
    sign_in(page, live_server, "root", "pw-root")
    detail = Hotline.objects.order_by("pk").first().get_absolute_url()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for url in ("/", "/hotlines/", "/hotlines/?status=P&network=viettel&q=tong", detail):
            page.goto(f"{live_server.url}{url}")
            found = violations(page)
            assert found == [], (scheme, url, found)
        page.goto(f"{live_server.url}{detail}")
        page.get_by_text("Payload as received").click()  # open the collapsed payload too
        assert violations(page) == [], scheme

    # Keyboard only: "/" jumps to the search, typing filters, Tab reaches a result and Enter opens it.
    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server.url}/hotlines/")
    page.keyboard.press("/")
    expect(page.locator("#id_q")).to_be_focused()
    number = Hotline.objects.order_by("pk").first().hotline
    page.keyboard.type(number)
    expect(page).to_have_url(re.compile(rf"q={number}(&|$)"))  # the last keystroke's results are in
    expect(page.locator("#result-count")).to_contain_text("1 hotline matches")
    page.locator("#hotline-table tbody a").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#hotline-number")).to_have_text(number)


def test_everything_works_without_javascript(browser, live_server, connection, superuser):
    assert hotlines_sync(connection=connection).error == ""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "root", "pw-root")
        page.goto(f"{live_server.url}/hotlines/")
        expect(page.get_by_role("button", name="Show")).to_be_visible()  # the per-page button scripts hide
        page.get_by_role("checkbox", name=re.compile(r"^Disabled")).check()
        page.get_by_label("Search", exact=True).fill("tong dai")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"status=N.*q=tong\+dai|q=tong\+dai.*status=N"))
        count = page.locator("#result-count").inner_text()
        page.get_by_role("link", name=re.compile("^Name")).click()
        expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
        expect(page.locator("#result-count")).to_have_text(count)
        page.locator(".chips").get_by_role("link", name=re.compile(r"Status.*Disabled")).click()
        expect(page.get_by_role("checkbox", name=re.compile(r"^Disabled"))).not_to_be_checked()
        assert "sort=name" in page.url and "q=tong+dai" in page.url
        page.get_by_label("Rows per page").select_option("25")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#hotline-table tbody tr")).to_have_count(25)
        page.get_by_label("Language").select_option("vi")
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
    finally:
        context.close()


# Pages a person reads, and how to reach one of each; every other URL of the app is an action
# (POST), a fragment htmx polls or a file. A new page without an entry here fails the walk below.
NOT_PAGES = {
    "healthz", "readyz", "list-preferences", "list-per-page", "language", "sync-progress", "sync-cancel", "sync-start",
    "freshness", "export-progress", "export-download", "connection-active", "connection-test",
    "user-active", "user-unlock", "tenant-options", "list-counts",
    "notification-bell", "notification-read", "notification-read-all",
    "webhook-active", "webhook-test", "webhook-rotate",
    # Saved views and watches: their buttons (POST).
    "view-save", "view-pin", "watch-add", "watch-channel", "watch-delete",
}  # fmt: skip


def _notifications_for(user, run) -> None:
    """The Notifications page with something on it: a watch's changes (unread and read) and a failed sync."""
    from hotlines.models import NotificationKind, SyncRun
    from tests.factories import NotificationFactory, WatchEventFactory, WatchFactory

    hotlines = list(Hotline.objects.order_by("pk")[:3])
    notification = NotificationFactory(user=user, sync_run=run, watch=WatchFactory(user=user), entered=1, changed=2)
    WatchEventFactory(notification=notification, hotline=hotlines[0], kind="entered", changes=[])
    for hotline in hotlines[1:]:
        WatchEventFactory(notification=notification, hotline=hotline)
    NotificationFactory(user=user, sync_run=run, watch=WatchFactory(user=user, view=None, hotline=hotlines[2]),
                        read_at=run.started_at)  # fmt: skip
    failed = SyncRun.objects.create(connection=run.connection, trigger="command", status="failed", error="Timed out")
    NotificationFactory(user=user, sync_run=failed, kind=NotificationKind.SYNC_FAILED, watch=None, subject="")


def saved_view_walked(user, *, world_hotline):
    """A shared view the walker owns, pinned to home and watched, and a watch of one hotline."""
    from hotlines.models import SavedViewPin
    from tests.factories import SavedViewFactory, WatchFactory

    view = SavedViewFactory(owner=user, name="Viettel · bật", query="network=viettel&status=P", shared=True)
    SavedViewPin.objects.create(user=user, view=view)
    WatchFactory(user=user, view=view, email=True)
    WatchFactory(user=user, view=None, hotline=world_hotline)
    return view


def _page_urls(world: dict) -> list[str]:
    from django.urls import get_resolver, reverse

    urls = []
    for pattern in get_resolver("hotlines.urls").url_patterns:
        if pattern.name in NOT_PAGES:
            continue
        kwargs = {"pk": world[pattern.name].pk} if "pk" in pattern.pattern.converters else {}
        urls.append(reverse(f"hotlines:{pattern.name}", kwargs=kwargs))
    return urls


def _webhook():
    """A webhook with a watch, one failed delivery (tried three times) and one delivered."""
    from tests.factories import WatchFactory, WebhookDeliveryFactory, WebhookFactory

    webhook = WebhookFactory(is_active=False, consecutive_failures=10, disabled_reason="Disabled after 10 deliveries.")
    webhook.watches.add(WatchFactory())
    tries = [{"at": "2026-01-01T00:00:00+00:00", "code": 500, "error": "HTTP 500", "ms": 12}] * 3
    WebhookDeliveryFactory(webhook=webhook, status="failed", tries=3, response_code=500, error="HTTP 5", attempts=tries)
    WebhookDeliveryFactory(webhook=webhook, status="delivered", tries=1, response_code=200, event="webhook.test")
    return webhook


def test_axe_on_every_page_in_light_and_dark(page, live_server, connection, superuser, settings, tmp_path):
    """Every page of the dashboard (found from the URL conf, so a new page is walked too), as an
    administrator sees it, with data on it, in both colour schemes."""
    from django.core.management import call_command

    from hotlines.models import AuditEntry, ExportRecord, SyncRun, Tenant

    settings.MEDIA_ROOT = tmp_path
    assert hotlines_sync(connection=connection).error == ""
    sign_in(page, live_server, "root", "pw-root")
    # An export of each kind: one streamed now, one written by the worker.
    with page.expect_download():
        page.evaluate("url => { window.location.href = url; }", f"{live_server.url}/hotlines/?_export=csv")
    settings.EXPORT_MAX_SYNC_ROWS = 10
    page.goto(f"{live_server.url}/hotlines/?network=viettel&_export=xlsx")
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    world = {
        "detail": Hotline.objects.order_by("pk").first(),
        "sync-detail": SyncRun.objects.order_by("pk").first(),
        "export-detail": ExportRecord.objects.filter(background=True).first(),
        "connection-edit": connection,
        "user-edit": superuser,
        "tenant-detail": Tenant.objects.order_by("pk").first(),
        **dict.fromkeys(("webhook-edit", "webhook-delete", "webhook-secret", "webhook-deliveries"), _webhook()),
        # A saved view (shared, pinned, watched by email) and a watched hotline: the list opens
        # with its bar, home shows the pin, /watches/ lists both.
        "view-open": saved_view_walked(superuser, world_hotline=Hotline.objects.order_by("pk").first()),
    }
    world["view-edit"] = world["view-delete"] = world["view-open"]
    assert AuditEntry.objects.exists() and all(world.values()), world
    _notifications_for(superuser, world["sync-detail"])
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for url in _page_urls(world):
            page.goto(f"{live_server.url}{url}")
            found = violations(page)
            assert found == [], (scheme, url, found)
