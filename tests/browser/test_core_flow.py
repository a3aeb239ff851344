"""A person signs in, filters by a network, sorts by a column and opens a detail page."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_filter_sort_and_open_detail(page, live_server, connection, sandbox, superuser, screenshot):
    assert hotlines_sync(connection=connection).error == ""
    viettel = [item for item in sandbox.dataset.all() if item["network"] == "viettel"]

    sign_in(page, live_server, "root", "pw-root")
    expect(page.locator("#result-count")).to_contain_text("230 hotlines match")
    screenshot(page, "list-en-light")

    page.get_by_label("Viettel").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#result-count")).to_contain_text(f"{len(viettel)} hotlines match")
    assert "network=viettel" in page.url

    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    assert "sort=name" in page.url and "network=viettel" in page.url
    first_name = sorted(item["name"] for item in viettel)[0]
    expect(page.locator("tbody tr").first.locator("td").nth(1)).to_have_text(first_name)

    first_link = page.locator("tbody tr").first.locator("td").first.get_by_role("link")
    number = first_link.inner_text()
    first_link.click()
    expect(page.locator("h1")).to_contain_text(number)
    screenshot(page, "detail-en-light")

    page.get_by_role("link", name="Back to the list").click()
    assert "network=viettel" in page.url and "sort=name" in page.url
    expect(page.locator("#result-count")).to_contain_text(f"{len(viettel)} hotlines match")
