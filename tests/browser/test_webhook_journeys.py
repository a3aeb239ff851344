"""An administrator adds a webhook, copies its secret (shown once), sends a test and sees it
delivered in the log, signed with that secret, by a real receiver."""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import collect_errors, sign_in
from tests.browser.test_accessibility import violations
from tests.factories import WatchFactory
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_worker() -> None:
    """What `manage.py db_worker` does, until the queue is empty."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)


@pytest.fixture
def receiver():
    server = Receiver(secret="").start()
    yield server
    server.stop()


def test_add_a_webhook_see_the_secret_once_send_a_test_and_see_it_delivered(page, live_server, superuser, receiver):
    watch = WatchFactory(view__name="Viettel tắt")
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")
    # No link in the main navigation yet (it has no administrators' group to put it in): the address.
    page.goto(f"{live_server.url}/webhooks/")
    page.get_by_role("link", name="Add a webhook").click()
    page.get_by_label("Name").fill("Ops receiver")
    page.get_by_label("URL").fill("http://hooks.example.vn/x")
    page.get_by_label(f"{watch.user.username}: Viettel tắt").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The URL must use https")).to_be_visible()  # refused, the form kept

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Secret of “Ops receiver”")).to_be_visible()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_") and len(secret) > 40
    assert violations(page) == []
    page.reload()
    expect(page.get_by_text("already shown")).to_be_visible()
    assert secret not in page.content()
    receiver.secret = secret  # the receiver's owner pasted it

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Ops receiver").click()
    page.get_by_role("button", name="Send test").click()
    log = page.get_by_role("region", name="Deliveries")
    expect(log.get_by_text("webhook.test")).to_be_visible()
    expect(log.get_by_text("Waiting")).to_be_visible()

    run_worker()
    page.reload()
    expect(log.get_by_text("Delivered")).to_be_visible()
    expect(log.get_by_role("cell", name="200", exact=True)).to_be_visible()
    (got,) = receiver.requests
    assert got.signature_ok and got.headers["X-Etelecom-Event"] == "webhook.test"
    expect(log.get_by_text(got.headers["Idempotency-Key"])).to_be_visible()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert violations(page) == [], scheme
    page.set_viewport_size({"width": 390, "height": 844})
    expect(log.get_by_text("Delivered")).to_be_visible()
    assert errors == []
