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
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from playwright.sync_api import expect

from hotlines.listing import list_request
from tests.browser.conftest import collect_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions (Content-Security-Policy refusals among them)."""
    return collect_errors(page)


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


def address_pairs(page) -> set[str]:
    return {f"{key}={value}" for key, value in parse_qsl(urlsplit(page.url).query) if key in ("status", "network")}


def expect_ticked(page, expected: set[str]) -> None:
    """Exactly the `expected` name=value checkboxes are ticked, and the address says the same."""
    assert address_pairs(page) == expected, page.url
    boxes = page.locator("#filter-form .filters input[type=checkbox]")
    assert boxes.count() > 4
    for i in range(boxes.count()):
        box = boxes.nth(i)
        pair = f"{box.get_attribute('name')}={box.get_attribute('value')}"
        expect(box, pair).to_be_checked(checked=pair in expected)


def box(page, label: str):
    return page.locator("#filter-form .filters").get_by_role("checkbox", name=re.compile(rf"^{label}"))


def escape_closes(page, menu, button) -> None:
    """Escape closes an open menu and gives the focus back to its button."""
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(button).to_be_focused()


def next_page_from_the_bottom(page, count) -> None:
    """Next, clicked below the results: page 2 opens with the count in view and focused."""
    page.get_by_role("link", name=re.compile("^Next")).scroll_into_view_if_needed()
    expect(count).not_to_be_in_viewport()
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator(".pagination .current")).to_have_text("2")
    expect(count).to_be_in_viewport()
    expect(count).to_be_focused()


def test_rows_per_page_is_saved_by_its_own_post_and_each_visit_shows_the_right_size(
    page, live_server, synced, superuser, errors
):
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/?status=P")
    rows = page.locator("#hotline-table tbody tr")
    expect(rows).to_have_count(50)
    # The list's GET shows the new size; the choice is saved by a POST of its own, in the background.
    with page.expect_response(lambda r: r.request.method == "POST" and "/preferences/per-page/" in r.url):
        page.get_by_label("Rows per page").select_option("25")
    expect(rows).to_have_count(25)
    assert "status=P" in page.url and "per_page=25" in page.url
    page.reload()
    expect(rows).to_have_count(25)
    expect(page.get_by_label("Rows per page")).to_have_value("25")
    # A later visit, without per_page in the address: the saved size.
    page.goto(f"{live_server.url}/hotlines/")
    expect(rows).to_have_count(25)
    page.go_back()
    expect(rows).to_have_count(25)
    assert "status=P" in page.url
    assert errors == []


def test_back_forward_and_reload_keep_the_form_equal_to_the_address(page, live_server, synced, superuser, errors):
    enabled = [i for i in synced if i["status"] == "P"]
    enabled_viettel = [i for i in enabled if i["network"] == "viettel"]
    enabled_two = [i for i in enabled if i["network"] in ("viettel", "mobifone")]
    number = next(i["hotline"] for i in synced if re.fullmatch(r"09\d{8}", i["hotline"]))
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")
    search = page.get_by_label("Search", exact=True)

    # A search, Back, Forward: the box says what the address says.
    search.fill(number)
    expect(page).to_have_url(re.compile(rf"q={number}"))
    expect_count(page, 1)
    page.go_back()
    expect_count(page, len(synced))
    expect(search).to_have_value("")
    page.go_forward()
    expect_count(page, 1)
    expect(search).to_have_value(number)
    search.fill("")
    expect_count(page, len(synced))
    expect(page).to_have_url(re.compile(r"/hotlines/$"))

    # Enabled, then Viettel; Back shows Enabled alone, Forward both, in the results and the boxes.
    box(page, "Enabled").check()
    expect_count(page, len(enabled))
    box(page, "Viettel").check()
    expect_count(page, len(enabled_viettel))
    page.go_back()
    expect_count(page, len(enabled))
    expect_ticked(page, {"status=P"})
    page.go_forward()
    expect_count(page, len(enabled_viettel))
    expect_ticked(page, {"status=P", "network=viettel"})

    # Ticking Mobifone now adds to both filters instead of dropping them.
    box(page, "Mobifone").check()
    expect_count(page, len(enabled_two))
    expect_ticked(page, {"status=P", "network=viettel", "network=mobifone"})

    # A reload shows the same, and so does every step back to the unfiltered list.
    page.reload()
    expect_count(page, len(enabled_two))
    expect_ticked(page, {"status=P", "network=viettel", "network=mobifone"})
    page.go_back()
    expect_count(page, len(enabled_viettel))
    expect_ticked(page, {"status=P", "network=viettel"})
    page.go_back()
    expect_count(page, len(enabled))
    expect_ticked(page, {"status=P"})
    page.go_back()
    expect_count(page, len(synced))
    expect_ticked(page, set())
    expect(search).to_have_value("")

    # ...and Forward from there, then one more tick, still keeps every filter.
    page.go_forward()
    expect_count(page, len(enabled))
    expect_ticked(page, {"status=P"})
    box(page, "Viettel").check()
    expect_count(page, len(enabled_viettel))
    expect_ticked(page, {"status=P", "network=viettel"})
    assert errors == []


def test_after_a_tick_the_sort_and_page_links_carry_the_address_and_sorting_survives_reload_and_back(
    page, live_server, synced, superuser, errors
):
    """htmx sends the whole filter form; the links in its answer carry the address's query only."""
    enabled = [i for i in synced if i["status"] == "P"]
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/?per_page=25")
    box(page, "Enabled").check()
    expect_count(page, len(enabled))
    expect(page).to_have_url(re.compile(r"/hotlines/\?status=P&per_page=25$"))
    network = page.locator("#hotline-table thead").get_by_role("link", name=re.compile("^Network"))
    expect(network).to_have_attribute("href", "?status=P&per_page=25&sort=network")
    expect(page.locator(".pagination a[rel=next]")).to_have_attribute("href", "?status=P&per_page=25&page=2")

    network.click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Network")
    assert sorted(parse_qsl(urlsplit(page.url).query)) == [("per_page", "25"), ("sort", "network"), ("status", "P")]
    expect(page.locator(".pagination a[rel=next]")).to_have_attribute("href", re.compile(r"&page=2$"))
    assert "=&" not in page.locator(".pagination a[rel=next]").get_attribute("href")
    page.reload()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Network")
    expect_ticked(page, {"status=P"})
    page.go_back()
    expect(page).to_have_url(re.compile(r"/hotlines/\?status=P&per_page=25$"))
    expect(page.locator("#hotline-table th.col-network")).not_to_have_attribute("aria-sort", "ascending")
    expect_ticked(page, {"status=P"})
    assert errors == []


def card_names(page) -> list[str]:
    return page.locator("#hotline-table tbody td[data-label=Name]").all_inner_texts()


def listed_names(query: str, n: int) -> list[str]:
    """The first `n` names the list shows for `query` (its own order: the database's collation)."""
    return list(list_request(QueryDict(query)).queryset.values_list("name", flat=True)[:n])


def test_on_a_phone_the_sort_select_sorts_and_survives_back_forward_and_reload(browser, live_server, synced, superuser):
    """A phone hides the header row whose links sort: the Sort select sorts there, keeps the
    filters, and Back, Forward and reload show the order the address names."""
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = collect_errors(page)
    try:
        viettel = [i for i in synced if i["network"] == "viettel"]
        sign_in(page, live_server, "root", "pw-root")
        page.goto(f"{live_server.url}/hotlines/?network=viettel")
        expect(page.locator("#hotline-table thead")).to_be_hidden()
        sort = page.get_by_label("Sort", exact=True)
        expect(sort).to_be_visible()
        expect(sort).to_have_value("")
        expect(sort.locator("option:checked")).to_have_text("Newest first (default)")
        expect(sort.locator("option[value=tenant]")).to_have_count(0)  # the tenant column does not sort

        sort.focus()  # a tap on the select
        sort.select_option(label="Name (descending)")
        expect(page).to_have_url(re.compile(r"\?network=viettel&sort=-name$"))
        expect_count(page, len(viettel))
        expect(page.get_by_label("Sort", exact=True)).to_be_focused()  # the swapped select keeps the focus
        assert card_names(page) == listed_names("network=viettel&sort=-name", 50)
        page.get_by_label("Sort", exact=True).select_option("name")
        expect(page).to_have_url(re.compile(r"\?network=viettel&sort=name$"))
        ascending = listed_names("network=viettel&sort=name", 50)
        expect(page.locator("#hotline-table tbody td[data-label=Name]")).to_have_text(ascending)

        page.go_back()
        expect(page).to_have_url(re.compile(r"sort=-name$"))
        expect(page.get_by_label("Sort", exact=True)).to_have_value("-name")
        page.go_forward()
        expect(page.get_by_label("Sort", exact=True)).to_have_value("name")
        page.reload()
        expect(page.get_by_label("Sort", exact=True)).to_have_value("name")
        expect(page.locator("#hotline-table tbody td[data-label=Name]")).to_have_text(ascending)
        expect_count(page, len(viettel))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert errors == []
    finally:
        context.close()


def test_on_a_phone_without_javascript_the_sort_button_sends_the_form(browser, live_server, synced, superuser):
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "root", "pw-root")
        page.goto(f"{live_server.url}/hotlines/?status=P")
        page.get_by_label("Sort", exact=True).select_option("-network")
        page.locator("#results").get_by_role("button", name="Sort", exact=True).click()
        expect(page).to_have_url(re.compile(r"/hotlines/\?.*sort=-network"))
        assert dict(parse_qsl(urlsplit(page.url).query))["status"] == "P"
        expect(page.get_by_label("Sort", exact=True)).to_have_value("-network")
    finally:
        context.close()


def test_paging_sorting_and_filtering_bring_the_results_into_view(page, live_server, synced, superuser, errors):
    viettel = [i for i in synced if i["network"] == "viettel"]
    sign_in(page, live_server, "root", "pw-root")
    count = page.locator("#result-count")

    # Desktop: Next at the foot of page 1 opens page 2 at its top, the count focused (keyboard users
    # carry on from the results, screen readers hear them).
    page.goto(f"{live_server.url}/hotlines/?sort=name")
    next_page_from_the_bottom(page, count)
    expect(page.locator("#list-status")).to_have_text(re.compile(r"^Page 2 of \d+$"))  # the count is read on focus

    # Sorting from a header scrolled to the top of the window: the count comes back into view.
    page.locator("#hotline-table thead").evaluate("head => head.scrollIntoView()")
    expect(count).not_to_be_in_viewport()
    page.locator("#hotline-table thead").get_by_role("link", name=re.compile("^Network")).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Network")
    expect(count).to_be_in_viewport()
    expect(count).to_be_focused()

    # Rows per page: the swapped select keeps the focus (the person may pick again).
    per_page = page.get_by_label("Rows per page")
    per_page.focus()
    per_page.select_option("25")
    expect(page.locator("#hotline-table tbody tr")).to_have_count(25)
    expect(page.locator("#id_per_page")).to_be_focused()

    # A phone: the filters open in a panel over the results (tests/browser/test_phone_journeys.py);
    # ticking one with the keyboard filters them and the focus stays on the box so the next Tab
    # reaches the next filter; once the panel is closed the results' top is in view.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/hotlines/")
    page.locator("#results").get_by_role("button", name=re.compile("^Filters")).click()
    viettel_box = box(page, "Viettel")
    viettel_box.focus()
    page.keyboard.press("Space")
    expect_count(page, len(viettel))
    expect(viettel_box).to_be_checked()
    expect(viettel_box).to_be_focused()
    expect(page.locator("#list-status")).to_have_text(re.compile(rf"^{len(viettel)} hotlines match\b"))
    page.keyboard.press("Escape")
    expect(count).to_be_in_viewport()

    # Paging on the phone: page 2 opens at its top as well.
    next_page_from_the_bottom(page, count)
    # Typing a search does not yank the page: the box keeps the focus and stays where it is.
    page.get_by_label("Search", exact=True).fill("a")
    expect(page).to_have_url(re.compile(r"q=a"))
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    assert errors == []


def test_columns_and_export_menus_close_on_save_escape_and_a_click_outside(
    page, live_server, synced, superuser, errors
):
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/?network=viettel")
    columns, export = page.locator("#columns-menu"), page.locator("#export-menu")
    columns_button, export_button = columns.locator("summary"), export.locator("summary")
    tenant_header = page.locator("#hotline-table thead").get_by_text("Tenant", exact=True)

    # Save: the columns apply and the menu is closed, off the table.
    columns_button.click()
    expect(columns).to_have_attribute("open", "")
    columns.get_by_role("checkbox", name="Tenant", exact=True).uncheck()
    columns.get_by_role("button", name="Save").click()
    expect(tenant_header).to_have_count(0)
    expect(columns).not_to_have_attribute("open", "")
    expect(page).to_have_url(re.compile(r"network=viettel"))
    # A move keeps it open (several moves in a row, with or without script).
    columns_button.click()
    columns.get_by_role("button", name="Move Status up").click()
    expect(columns).to_have_attribute("open", "")
    expect(columns.get_by_role("button", name="Move Status up")).to_be_visible()

    # Escape closes it and puts the focus back on its button, from inside the panel too.
    escape_closes(page, columns, columns_button)
    page.keyboard.press("Enter")  # the button opens it again
    expect(columns).to_have_attribute("open", "")
    columns.get_by_role("checkbox", name="Description").focus()
    escape_closes(page, columns, columns_button)
    export_button.click()
    expect(export).to_have_attribute("open", "")
    export.get_by_label("All fields").check()
    escape_closes(page, export, export_button)

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
