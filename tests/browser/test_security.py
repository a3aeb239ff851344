"""Security journeys in a real browser: hostile upstream text stays text; an admin manages a connection."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models import Connection, Hotline
from tests.browser.conftest import add_connection, nav_link, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_NAME = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_DESCRIPTION = '<svg onload="window.__pwned=3"></svg><a href="javascript:window.__pwned=4">click me</a>'


def _watch(page) -> list[str]:
    """Collect what would betray a script run or a blocked inline script: dialogs and CSP reports."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: seen.append(f"console: {msg.text}") if "Content Security Policy" in msg.text else None,
    )
    return seen


def test_a_hostile_hotline_name_is_shown_as_text_and_runs_nothing(
    page, live_server, sandbox, connection, django_user_model, screenshot
):
    from hotlines.services.sync import hotlines_sync

    first = sandbox.dataset.all()[0]
    sandbox.dataset.patch(first["id"], name=HOSTILE_NAME, description=HOSTILE_DESCRIPTION)
    assert hotlines_sync(connection=connection).error == ""
    viewer = django_user_model.objects.create_user("nga", password="pw-nga-Long-enough-1")
    viewer.groups.add(Group.objects.get(name="Viewer"))
    seen = _watch(page)

    sign_in(page, live_server, "nga", "pw-nga-Long-enough-1")
    page.goto(f"{live_server.url}/hotlines/?q=pwned")
    cell = page.locator("tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_text(HOSTILE_NAME)  # the markup, shown as characters
    assert page.locator("tbody img, tbody script").count() == 0
    screenshot(page, "security-hostile-name-list")

    page.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("main").get_by_text(HOSTILE_NAME, exact=True).first).to_be_visible()
    expect(page.get_by_text(HOSTILE_DESCRIPTION)).to_be_visible()
    assert page.locator("main svg[onload], main a[href^='javascript:']").count() == 0
    screenshot(page, "security-hostile-name-detail")

    page.goto(f"{live_server.url}/")
    assert page.evaluate("window.__pwned") is None
    assert seen == []
    # A Viewer sees no link to what a Viewer may not open.
    nav = page.get_by_role("navigation", name="Main")
    for hidden in ("Syncs", "Connections", "Users", "Audit log", "Admin"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    assert Hotline.objects.filter(name=HOSTILE_NAME).count() == 1


def test_an_administrator_adds_tests_and_deactivates_a_connection(
    page, live_server, sandbox, django_user_model, screenshot
):
    admin = django_user_model.objects.create_user("lan", password="pw-lan-Long-enough-1", is_staff=True)
    admin.groups.add(Group.objects.get(name="Administrator"))
    seen = _watch(page)
    sign_in(page, live_server, "lan", "pw-lan-Long-enough-1")

    add_connection(page, "production", sandbox.url, DEFAULT_API_KEY, {"Page size": "50", "Timeout (seconds)": "5"})

    expect(page.get_by_role("status").filter(has_text="production: Connected")).to_contain_text(
        re.compile(r"returned 10 hotlines in [\d,]+ ms")
    )
    row = page.locator("tbody tr", has_text="production")
    expect(row).to_contain_text("••••-key")
    assert DEFAULT_API_KEY not in page.content()
    screenshot(page, "security-connections")

    row.get_by_role("link", name="production").click()
    key_field = page.get_by_label("API key")
    expect(key_field).to_have_value("")
    expect(page.get_by_text("ends in ••••-key")).to_be_visible()
    screenshot(page, "security-connection-edit")
    page.get_by_label("Page size").fill("80")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    assert Connection.objects.get(name="production").api_key == DEFAULT_API_KEY  # kept: left empty

    page.locator("tbody tr", has_text="production").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status").filter(has_text="deactivated")).to_be_visible()
    assert not Connection.objects.get(name="production").is_active

    nav_link(page, "Audit log").click()
    for action in ("Added a connection", "Tested a connection", "Changed a connection", "Signed in"):
        expect(page.locator("tbody").get_by_text(action).first).to_be_visible()
    screenshot(page, "security-audit-log")
    nav_link(page, "Users").click()
    expect(page.locator("tbody tr", has_text="lan")).to_contain_text("Administrator")
    screenshot(page, "security-users")
    assert seen == []
