"""Staff journeys through home, list and detail in a real browser (Chromium, JavaScript on).

Each test signs in once and walks a whole journey; screenshots land in artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from hotlines.collation import vietnamese_sorted
from hotlines.models import Hotline
from tests.browser.conftest import collect_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def count_text(page):
    return page.locator("#result-count")


def expect_count(page, n: int) -> None:
    expect(count_text(page)).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


def test_home_search_filters_sort_page_and_detail(page, live_server, synced, superuser, screenshot):
    viettel_disabled = [i for i in synced if i["network"] == "viettel" and i["status"] == "N"]
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")

    # Home: totals and charts whose bars lead into the filtered list.
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator(".stats")).to_contain_text(f"{len(synced)}")
    screenshot(page, "home-en-light")
    page.locator("#chart-network").get_by_role("link", name=re.compile(r"^Viettel · Disabled:")).click()
    page.wait_for_url(re.compile(r"/hotlines/\?"))
    assert "network=viettel" in page.url and "status=N" in page.url
    expect_count(page, len(viettel_disabled))
    expect(page.locator(".chips")).to_contain_text("Viettel")
    expect(page.locator(".chips")).to_contain_text("Disabled")

    # Search by a number typed three ways: each finds it, and the address follows (htmx, no reload).
    target = next(i for i in synced if re.fullmatch(r"09\d{8}", i["hotline"]))
    number = target["hotline"]
    page.goto(f"{live_server.url}/hotlines/")
    for typed in (f"{number[:3]} {number[3:6]} {number[6:]}", f"+84 {number[1:3]} {number[3:6]} {number[6:]}",
                  f"84{number[1:]}"):  # fmt: skip
        page.get_by_label("Search", exact=True).fill(typed)
        expect(page.locator("#hotline-table tbody")).to_contain_text(number)
        expect_count(page, 1)
        assert "q=" in page.url
    page.get_by_label("Search", exact=True).fill("")
    expect_count(page, len(synced))

    # Combine two filters, watch the facet counts, then take one off through its chip.
    enabled = [i for i in synced if i["status"] == "P"]
    page.get_by_role("checkbox", name=re.compile(r"^Enabled")).check()
    expect_count(page, len(enabled))
    mobifone_counts = page.locator("label.facet", has_text="Mobifone").locator(".facet-count")
    expect(mobifone_counts).to_have_text(str(sum(1 for i in enabled if i["network"] == "mobifone")))
    page.get_by_role("checkbox", name=re.compile(r"^Mobifone")).check()
    both = [i for i in enabled if i["network"] == "mobifone"]
    expect_count(page, len(both))
    assert "status=P" in page.url and "network=mobifone" in page.url
    screenshot(page, "list-en-light")
    page.locator(".chips").get_by_role("link", name=re.compile(r"Status.*Enabled")).click()
    expect_count(page, sum(1 for i in synced if i["network"] == "mobifone"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Enabled"))).not_to_be_checked()
    assert "status=P" not in page.url

    # Back and forward through the browser history restore each state.
    page.go_back()
    expect_count(page, len(both))
    page.go_forward()
    expect_count(page, sum(1 for i in synced if i["network"] == "mobifone"))
    page.locator(".chips").get_by_role("link", name="Reset all").click()
    expect_count(page, len(synced))

    # Sort by name, then page through.
    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    first_name = vietnamese_sorted(Hotline.objects.values_list("name", flat=True))[0]
    expect(page.locator("#hotline-table tbody tr").first.locator("td").nth(1)).to_have_text(first_name)
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator(".pagination .current")).to_have_text("2")
    assert "page=2" in page.url and "sort=name" in page.url

    # The detail page: copy button, international form, previous/next within this list.
    row = page.locator("#hotline-table tbody tr").nth(3)
    opened = row.locator("td").first.get_by_role("link").inner_text()
    row.locator("td").first.get_by_role("link").click()
    expect(page.locator("#hotline-number")).to_have_text(opened)
    expect(page.get_by_role("button", name=re.compile("^Copy"))).to_be_visible()
    expect(page.locator(".prev-next")).to_contain_text("No. 54 in the list")
    screenshot(page, "detail-en-light")
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator(".prev-next")).to_contain_text("No. 55 in the list")
    page.get_by_role("link", name="Back to the list").click()
    assert "page=2" in page.url and "sort=name" in page.url
    expect(page.locator(".pagination .current")).to_have_text("2")
    assert errors == []


def test_preferences_language_and_dark_scheme(page, live_server, synced, superuser, screenshot):
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")

    # Rows per page and columns are remembered for the account.
    page.get_by_label("Rows per page").select_option("25")
    expect(page.locator("#hotline-table tbody tr")).to_have_count(25)
    page.get_by_text("Columns", exact=True).click()
    page.get_by_role("checkbox", name="Owner ID").uncheck()
    page.get_by_role("checkbox", name="Description").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Columns", exact=True).click()  # Save closed the menu (off the table)
    page.get_by_role("button", name="Move Description up").click()
    page.goto(f"{live_server.url}/hotlines/")
    expect(page.locator("#hotline-table tbody tr")).to_have_count(25)
    headers = page.locator("#hotline-table thead th").all_inner_texts()
    headers = [h.replace("↕", "").replace("▼", "").replace("▲", "").strip() for h in headers]
    assert "Owner ID" not in headers
    assert headers.index("Description") == len(headers) - 2  # moved up one, above "Updated"

    # Dark scheme.
    page.emulate_media(color_scheme="dark")
    page.reload()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(14, 17, 21)"
    screenshot(page, "list-en-dark")
    page.emulate_media(color_scheme="light")

    # Vietnamese: chosen once, remembered for the account.
    page.get_by_label("Language").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Hotline")
    screenshot(page, "list-vi-light")
    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Tổng quan")
    screenshot(page, "home-vi-light")
    page.goto(f"{live_server.url}{Hotline.objects.order_by('pk').first().get_absolute_url()}")
    screenshot(page, "detail-vi-light")
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/hotlines/")
    screenshot(page, "list-vi-dark")
    page.emulate_media(color_scheme="light")

    # A phone: nothing wider than the screen, rows stacked with their labels.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/hotlines/", "/"):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(f"{live_server.url}/hotlines/")
    expect(page.locator("#hotline-table thead")).to_be_hidden()
    screenshot(page, "list-vi-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Signed out, the sign-in page keeps the language (cookie); it can be switched back there.
    page.locator(".userbox").get_by_role("button").last.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "login-vi-light")
    page.get_by_label("Ngôn ngữ").select_option("en")
    expect(page.locator("h1")).to_contain_text("Sign in")
    screenshot(page, "login-en-light")
