"""The list page's journeys in a real browser (Chromium, JavaScript on): what a person clicks, then
what they see.

- Back, Forward and reload: the form always shows exactly what the address asks for, so the next
  tick adds to the filters the results show instead of silently dropping them.
- Paging, sorting and filtering bring the results' top into view (at desktop size and on a phone),
  and focus stays where a keyboard user expects it.
- The Columns and Export menus close on Save (their form is sent), on Escape (focus back on their
  button) and on a click outside, so they never stay over the table.
"""

import re

import pytest
from playwright.sync_api import expect

from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def synced(connection, sandbox):
    assert hotlines_sync(connection=connection).error == ""
    return sandbox.dataset.all()


@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions (Content-Security-Policy refusals among them)."""
    found: list[str] = []
    page.on("console", lambda message: message.type == "error" and found.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_columns_and_export_menus_close_on_save_escape_and_a_click_outside(
    page, live_server, synced, superuser, errors
):
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/?network=viettel")
    columns, export = page.locator("#columns-menu"), page.locator("#export-menu")
    columns_button, export_button = columns.locator("summary"), export.locator("summary")
    owner_header = page.locator("#hotline-table thead").get_by_text("Owner ID")

    # Save: the columns apply and the menu is closed, off the table.
    columns_button.click()
    expect(columns).to_have_attribute("open", "")
    columns.get_by_role("checkbox", name="Owner ID").uncheck()
    columns.get_by_role("button", name="Save").click()
    expect(owner_header).to_have_count(0)
    expect(columns).not_to_have_attribute("open", "")
    expect(page).to_have_url(re.compile(r"network=viettel"))
    # A move keeps it open (several moves in a row, with or without script).
    columns_button.click()
    columns.get_by_role("button", name="Move Status up").click()
    expect(columns).to_have_attribute("open", "")
    expect(columns.get_by_role("button", name="Move Status up")).to_be_visible()

    # Escape closes it and puts the focus back on its button, from inside the panel too.
    page.keyboard.press("Escape")
    expect(columns).not_to_have_attribute("open", "")
    expect(columns_button).to_be_focused()
    page.keyboard.press("Enter")  # the button opens it again
    expect(columns).to_have_attribute("open", "")
    columns.get_by_role("checkbox", name="Description").focus()
    page.keyboard.press("Escape")
    expect(columns).not_to_have_attribute("open", "")
    expect(columns_button).to_be_focused()
    export_button.click()
    expect(export).to_have_attribute("open", "")
    export.get_by_label("All fields").check()
    page.keyboard.press("Escape")
    expect(export).not_to_have_attribute("open", "")
    expect(export_button).to_be_focused()

    # A click outside closes them; opening one closes the other.
    columns_button.click()
    expect(columns).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(columns).not_to_have_attribute("open", "")
    columns_button.click()
    export_button.click()
    expect(export).to_have_attribute("open", "")
    expect(columns).not_to_have_attribute("open", "")
    page.locator("#hotline-table tbody tr").first.locator("td").nth(1).click()
    expect(export).not_to_have_attribute("open", "")

    # An export: the file downloads and the menu closes, the focus back on its button.
    export_button.click()
    with page.expect_download() as download:
        export.get_by_role("button", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    expect(export).not_to_have_attribute("open", "")
    expect(export_button).to_be_focused()
    assert errors == []
