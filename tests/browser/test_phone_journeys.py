"""An administrator on a phone (390×844, touch, Chromium): what they tap, then what they see.

- The header is one compact row (brand and Menu); Menu opens a panel with every link the desktop bar
  has, the language and Sign out, and nothing scrolls sideways.
- The search and a Filters button come before the results, and at least four hotlines are entirely
  on the first screen (the page at its top, nothing scrolled), and again once the results' top is
  brought to the top of the screen.
- Filters opens the filters in a panel: a tick filters the results behind it (htmx), the button
  counts the active filters, Close or Escape shuts it, and Back and Forward restore each state.
- Without JavaScript the same panels open (popovers need no script) and Apply filters the list.
"""

import functools
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import collect_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
HEADER_MAX = 64  # px: one row, brand and Menu
AXE = Axe()


def phone_context(browser, **options):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US", **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser):
    context = phone_context(browser)
    page = context.new_page()
    page.errors = collect_errors(page)
    yield page
    context.close()


@pytest.fixture
def screen(screenshot):
    """A screenshot of what the phone's screen shows (the whole page would be a long strip)."""
    return functools.partial(screenshot, full_page=False)


def box_of(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def links(nav) -> list[tuple[str, str]]:
    return [(a.text_content().strip(), a.get_attribute("href")) for a in nav.locator("a").all()]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def header_is_compact(page) -> None:
    header = box_of(page.locator(".topbar"))
    assert header["height"] <= HEADER_MAX, header
    brand, menu = box_of(page.locator(".brand")), box_of(page.get_by_role("button", name="Menu"))
    assert menu["y"] < brand["y"] + brand["height"] and brand["y"] < menu["y"] + menu["height"]  # one row
    assert menu["x"] + menu["width"] <= PHONE["width"]
    no_sideways_scroll(page)


def cards_fully_on_screen(page) -> int:
    """How many hotline cards lie entirely inside the window as it is scrolled now."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#hotline-table tbody tr')].filter(row => {
             const box = row.getBoundingClientRect();
             return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
           }).length"""
    )


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


def filters_button(page):
    return page.locator("#results").get_by_role("button", name=re.compile(r"^Filters"))


def expect_filters_button(page, active: int) -> None:
    button = filters_button(page)
    if active:
        expect(button).to_have_accessible_name(f"Filters ({active} active)")
        expect(button.locator(".filter-count")).to_have_text(str(active))
    else:
        expect(button).to_have_accessible_name("Filters")


def checkbox(panel, label: str):
    return panel.get_by_role("checkbox", name=re.compile(rf"^{label}"))


def violations(page) -> list[str]:
    response = AXE.run(page).response
    return [f"{v['id']}: {v['help']}" for v in response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_header_is_one_compact_row_and_its_menu_shows_every_link(
    page, phone, live_server, synced, superuser, screen
):
    # What the desktop bar offers an administrator.
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")
    desktop_links = links(page.locator(".mainnav"))
    assert len(desktop_links) == 13 and ("Admin", "/admin/") in desktop_links  # with Views, Watches, Webhooks
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    # In one row: the administration pages are one menu of the bar, opened on demand.
    assert box_of(page.locator(".mainnav"))["height"] < 48
    admin_menu = page.locator("#admin-nav")
    expect(admin_menu.get_by_role("link", name="Audit log")).to_be_hidden()
    admin_menu.locator("summary").click()
    expect(admin_menu.get_by_role("link", name="Audit log")).to_be_visible()
    page.keyboard.press("Escape")

    # The phone: brand and Menu on one short row; no link shows until Menu is tapped.
    sign_in(phone, live_server, "root", "pw-root")
    phone.goto(f"{live_server.url}/hotlines/")
    header_is_compact(phone)
    menu_button, menu = phone.get_by_role("button", name="Menu"), phone.locator("#site-menu")
    expect(menu).to_be_hidden()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_have_attribute("aria-controls", "site-menu")

    menu_button.tap()
    expect(menu).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    nav = menu.get_by_role("navigation", name="Main")
    assert links(nav) == desktop_links  # the same links, in the same order
    assert nav.get_by_role("link").count() == len(desktop_links)  # none of them hidden in a closed menu
    for link in nav.get_by_role("link").all():  # every one entirely on the screen, none hidden
        expect(link).to_be_visible()
        box = box_of(link)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], link
    expect(nav.get_by_role("link", name="Hotlines")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    expect(menu.get_by_label("Language")).to_be_visible()
    no_sideways_scroll(phone)
    screen(phone, "phone-menu-open")
    assert violations(phone) == []

    # Escape closes it, the focus back on Menu; a tap outside closes it too.
    phone.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(menu_button).to_be_focused()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.tap()
    expect(menu).to_be_visible()
    phone.locator("h1").tap()
    expect(menu).to_be_hidden()

    # A link in it leads on; the next page has the same compact header, its menu closed.
    menu_button.tap()
    menu.get_by_role("link", name="Audit log").tap()
    phone.wait_for_url(re.compile(r"/audit/"))
    expect(phone.locator("#site-menu")).to_be_hidden()
    header_is_compact(phone)

    # The language, from the menu: the page comes back in Vietnamese, its header as compact.
    phone.get_by_role("button", name="Menu").tap()
    phone.locator("#site-menu").get_by_label("Language").select_option("vi")
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    phone.goto(f"{live_server.url}/hotlines/")
    assert box_of(phone.locator(".topbar"))["height"] <= HEADER_MAX
    no_sideways_scroll(phone)
    assert cards_fully_on_screen(phone) >= 4  # longer words, the same four hotlines
    screen(phone, "phone-list-vi")
    phone.locator(".menu-toggle").tap()
    assert links(phone.locator("#site-menu nav")) == [(name, href) for name, href in links(phone.locator(".mainnav"))]
    assert len(links(phone.locator("#site-menu nav"))) == len(desktop_links)
    no_sideways_scroll(phone)
    assert phone.errors == []


def test_four_hotlines_on_the_first_screen_and_the_filters_in_a_panel(phone, live_server, synced, superuser, screen):
    viettel = [i for i in synced if i["network"] == "viettel"]
    viettel_enabled = [i for i in viettel if i["status"] == "P"]
    sign_in(phone, live_server, "root", "pw-root")
    phone.goto(f"{live_server.url}/hotlines/")
    header_is_compact(phone)

    # The page at its top: the search and the Filters button come first, then at least four whole
    # hotline cards, all within the first 844 px.
    cards = phone.locator("#hotline-table tbody tr")
    first = box_of(cards.first)
    assert box_of(phone.get_by_label("Search", exact=True))["y"] < first["y"]
    button = filters_button(phone)
    assert box_of(button)["y"] + box_of(button)["height"] <= first["y"]
    assert phone.evaluate("window.scrollY") == 0
    assert box_of(cards.nth(3))["y"] + box_of(cards.nth(3))["height"] <= PHONE["height"]
    assert cards_fully_on_screen(phone) >= 4
    expect_filters_button(phone, 0)
    expect(button).to_have_attribute("aria-expanded", "false")
    screen(phone, "phone-list")

    # Filters opens the panel over the results, on the screen.
    panel = phone.locator("#filters")
    expect(panel).to_be_hidden()
    button.tap()
    expect(panel).to_be_visible()
    expect(filters_button(phone)).to_have_attribute("aria-expanded", "true")
    sheet = box_of(panel)
    assert sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= PHONE["width"] and sheet["y"] >= 0
    assert sheet["y"] + sheet["height"] <= PHONE["height"] + 1
    no_sideways_scroll(phone)
    screen(phone, "phone-filters-open")
    assert violations(phone) == []
    phone.emulate_media(color_scheme="dark")
    assert violations(phone) == []
    screen(phone, "phone-filters-open-dark")
    phone.emulate_media(color_scheme="light")

    # A tick filters the results behind it; the panel stays open for the next one; the button counts.
    checkbox(panel, "Viettel").tap()
    expect_count(phone, len(viettel))
    expect_filters_button(phone, 1)
    expect(panel).to_be_visible()
    checkbox(panel, "Enabled").tap()
    expect_count(phone, len(viettel_enabled))
    expect_filters_button(phone, 2)
    expect(phone).to_have_url(re.compile(r"network=viettel"))

    # Close: the panel goes, the focus is on the (swapped) Filters button, the results are there.
    panel.get_by_role("button", name="Close").tap()
    expect(panel).to_be_hidden()
    expect(filters_button(phone)).to_be_focused()
    expect(filters_button(phone)).to_have_attribute("aria-expanded", "false")
    screen(phone, "phone-list-filtered")

    # The results' top at the top of the screen: four whole cards again.
    phone.locator("#results").evaluate("results => results.scrollIntoView({block: 'start'})")
    assert cards_fully_on_screen(phone) >= 4

    # Back: Viettel alone, in the results, the button and the boxes; Back again: everything.
    phone.go_back()
    expect_count(phone, len(viettel))
    expect_filters_button(phone, 1)
    expect(panel).to_be_hidden()
    expect(filters_button(phone)).to_have_attribute("aria-expanded", "false")
    filters_button(phone).tap()
    expect(checkbox(panel, "Viettel")).to_be_checked()
    expect(checkbox(panel, "Enabled")).not_to_be_checked()
    phone.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(filters_button(phone)).to_be_focused()
    phone.go_back()
    expect_count(phone, len(synced))
    expect_filters_button(phone, 0)
    phone.go_forward()
    expect_count(phone, len(viettel))
    expect_filters_button(phone, 1)

    # Reset from the panel: every filter off, the panel still open where the person is.
    filters_button(phone).tap()
    panel.get_by_role("link", name="Reset").tap()
    expect_count(phone, len(synced))
    expect(panel).to_be_visible()
    expect(checkbox(panel, "Viettel")).not_to_be_checked()
    expect_filters_button(phone, 0)
    # Apply there closes it (the filters already apply as they are ticked).
    checkbox(panel, "Viettel").tap()
    expect_count(phone, len(viettel))
    panel.get_by_role("button", name="Apply").tap()
    expect(panel).to_be_hidden()
    expect_count(phone, len(viettel))
    assert phone.errors == []


def test_without_javascript_the_menu_and_the_filters_still_open(browser, live_server, synced, superuser):
    viettel = [i for i in synced if i["network"] == "viettel"]
    context = phone_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "root", "pw-root")
        page.goto(f"{live_server.url}/hotlines/")
        header_is_compact(page)
        page.get_by_role("button", name="Menu").tap()
        expect(page.locator("#site-menu").get_by_role("link", name="Audit log")).to_be_visible()
        page.locator("h1").tap()
        expect(page.locator("#site-menu")).to_be_hidden()

        filters_button(page).tap()
        panel = page.locator("#filters")
        expect(panel).to_be_visible()
        checkbox(panel, "Viettel").tap()
        panel.get_by_role("button", name="Apply").tap()
        page.wait_for_url(re.compile(r"network=viettel"))
        expect_count(page, len(viettel))
        expect(panel).to_be_hidden()
        expect_filters_button(page, 1)
        assert box_of(page.locator("#hotline-table tbody tr").first)["y"] < PHONE["height"]
    finally:
        context.close()
