"""An administrator's journeys through Connections and Users in a real browser (issue 15, item 11).

A wrong key with "Save and test": one clear message, the result on that connection's row, the row
honest about being inactive; then a phone's view of the same rows; then Users, where a new user
starts as a Viewer and the filters say "Any role" and "Any state".
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models import AuditAction, AuditEntry, Connection
from tests.browser.conftest import add_connection, collect_errors, nav_link, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_KEY = "sk-wrong-JOURNEY-0123456789abcdef"
ADMIN, PASSWORD = "lan", "pw-lan-Long-enough-1"
AXE = Axe()

# How many lines an element's text takes: the distinct tops of its line boxes.
LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}"""


def _axe(page) -> list[str]:
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in AXE.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _axe_both_themes(page) -> None:
    # Reloaded first: base.html's flash list (<li role="status"> in a <ul>) is axe's "list" finding,
    # outside these pages; the reload also proves the row keeps the result once the flash is gone.
    page.reload()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert _axe(page) == [], (scheme, page.url)
    page.emulate_media(color_scheme="light")


def _fits_with_nothing_broken(page) -> None:
    """Every column fits without scrolling sideways, and names, keys and badges keep to one line."""
    scroll = page.locator(".table-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    for cells in ("td[data-label='Name'] a", "td[data-label='API key']", ".badge", "time"):
        for cell in page.locator(f"tbody {cells}").all():
            assert cell.evaluate(LINES) == 1, (cells, cell.inner_text())


@pytest.fixture
def administrator(db, django_user_model):
    user = django_user_model.objects.create_user(ADMIN, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Administrator"))
    return user


def test_save_and_test_with_a_wrong_key_then_users_start_as_viewers(
    browser, page, live_server, sandbox, connection, administrator, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})  # the narrowest desktop people use
    errors = collect_errors(page)
    sign_in(page, live_server, ADMIN, PASSWORD)

    # Add a connection with a wrong key and press "Save and test".
    add_connection(page, "hanoi-backup-2", sandbox.url, WRONG_KEY, {"Timeout (seconds)": "5"})

    added = Connection.objects.get(name="hanoi-backup-2")
    expect(page).to_have_url(re.compile(rf"/connections/#connection-{added.pk}$"))
    # One message, saying the diagnosis once and what became of the connection.
    messages = page.locator(".messages .message")
    expect(messages).to_have_count(1)
    text = messages.inner_text()
    assert "saved but left inactive because its test failed" in text and "Key rejected" in text
    upstream = AuditEntry.objects.get(action=AuditAction.CONNECTION_TESTED).details["error"]
    assert upstream and upstream not in text and text.count("Key rejected") == 1

    # The result is on that connection's row, which the page landed on; the row says it is inactive.
    row = page.locator(f"#connection-{added.pk}")
    assert page.evaluate("document.querySelector(':target').id") == f"connection-{added.pk}"
    expect(row.locator(".badge", has_text="Inactive")).to_be_visible()
    expect(row.locator(".badge", has_text="Key rejected")).to_be_visible()
    detail = row.locator("details.test-detail")
    expect(detail.locator("p")).to_be_hidden()  # collapsed: the diagnosis above says it in words
    detail.locator("summary").click()
    expect(detail.locator("p")).to_have_text(upstream)
    expect(row.get_by_role("button", name="Activate")).to_be_visible()
    other = page.locator(f"#connection-{connection.pk}")
    expect(other.locator(".badge", has_text=re.compile(r"^Active$"))).to_be_visible()
    expect(other.locator(".last-test")).to_have_text("never")
    assert not Connection.objects.get(pk=added.pk).is_active
    _axe_both_themes(page)
    _fits_with_nothing_broken(page)
    screenshot(page, "admin-connections-wrong-key")

    # Correct the key, test again: the row now says Connected, and stays inactive until activated.
    row.get_by_role("link", name="hanoi-backup-2").click()
    page.get_by_label("API key").fill(DEFAULT_API_KEY)
    page.get_by_role("button", name="Save and test").click()
    expect(page).to_have_url(re.compile(rf"#connection-{added.pk}$"))
    expect(page.locator(".messages")).to_contain_text("hanoi-backup-2: Connected")
    expect(row.locator(".badge", has_text="Connected")).to_be_visible()
    expect(row).to_contain_text(re.compile(r"10 hotlines in [\d,]+ ms"))
    expect(row.locator(".badge", has_text="Inactive")).to_be_visible()
    row.get_by_role("button", name="Activate").click()
    expect(page.locator(".messages")).to_contain_text("is active again")
    expect(row.locator(".badge", has_text=re.compile(r"^Active$"))).to_be_visible()
    expect(row.locator(".badge", has_text="Connected")).to_be_visible()

    # On a phone each connection is a card of labelled lines; names and keys still on one line.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    phone.add_cookies(page.context.cookies())
    mobile = phone.new_page()
    try:
        mobile.goto(f"{live_server.url}/connections/#connection-{added.pk}")
        _fits_with_nothing_broken(mobile)
        expect(mobile.locator(f"#connection-{added.pk}").get_by_role("button", name="Deactivate")).to_be_visible()
        screenshot(mobile, "admin-connections-phone")
    finally:
        phone.close()

    # Users → Add a user: Viewer is preselected, and the new user can browse.
    nav_link(page, "Users").click()
    page.get_by_role("link", name="Add a user").click()
    expect(page.get_by_role("radio", name=re.compile(r"^Viewer"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile(r"^No role"))).not_to_be_checked()
    _axe_both_themes(page)
    screenshot(page, "admin-users-add")
    page.get_by_label("Username").fill("minh")
    page.locator("#id_password1").fill("Correct-Horse-42-battery")
    page.locator("#id_password2").fill("Correct-Horse-42-battery")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("User “minh” added.")
    expect(page.locator("tbody tr", has_text="minh")).to_contain_text("Viewer")

    # The filters say what their empty choice does, and filtering by role and back works.
    role = page.get_by_label("Role")
    expect(role.locator("option:checked")).to_have_text("Any role")
    expect(page.get_by_label("State").locator("option:checked")).to_have_text("Any state")
    assert "---------" not in page.locator(".filters").inner_text()
    role.select_option(label="Viewer")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"role=Viewer"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("minh")
    screenshot(page, "admin-users-filtered")
    page.get_by_label("Role").select_option(label="Any role")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr", has_text=ADMIN)).to_be_visible()
    expect(page.locator("tbody tr", has_text="minh")).to_be_visible()
    _axe_both_themes(page)
    assert errors == []
