"""The hotline table fits the screens staff use (1280, 1366 and 1920 px wide, English and
Vietnamese): no sideways scrolling, no column cut off, names on two lines at most; numbers are
shown grouped the Vietnamese way yet copy as plain digits, and the grouped form finds them."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.hotline_fields import DEFAULT_COLUMNS
from hotlines.models import Hotline, UserPreference
from hotlines.normalize import number_groups
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Longer than any name of the demo data: needs three lines or more at the widths Name gets.
LONG_NAME = "Tổng đài chăm sóc khách hàng Công ty Cổ phần Thương mại và Dịch vụ Kỹ thuật Điện máy Hòa Phát Miền Bắc"

# How the table sits in its scroll region, and each column's first and last cells.
MEASURE = """() => {
  const region = document.querySelector('.table-scroll');
  const box = region.getBoundingClientRect();
  const lines = (td) => {
    const style = getComputedStyle(td);
    const inner = td.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return inner / parseFloat(style.lineHeight);
  };
  const cut = [...document.querySelectorAll('#hotline-table th, #hotline-table td')]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1 || cell.getBoundingClientRect().right > box.right + 1)
    .map((cell) => cell.className + ': ' + cell.textContent.trim().slice(0, 30));
  const updated = document.querySelector('#hotline-table th.col-updated_at').getBoundingClientRect();
  return {
    scrollWidth: region.scrollWidth, clientWidth: region.clientWidth, cut,
    updatedInside: updated.left >= box.left && updated.right <= box.right && updated.right <= window.innerWidth,
    nameLines: Math.max(...[...document.querySelectorAll('#hotline-table td.col-wide')].map(lines)),
  };
}"""

# The blank between each group's digits and the next group's, on screen.
TEXT_GAPS = """(element) => {
  const texts = [...element.querySelectorAll('.digits > span')].map((span) => {
    const range = document.createRange();
    range.selectNodeContents(span.firstChild);
    return range.getBoundingClientRect();
  });
  return texts.slice(1).map((box, n) => box.left - texts[n].right);
}"""

SELECT_AND_READ = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}"""


@pytest.fixture
def long_named(synced):
    """The synced hotlines, the newest renamed with a long name: a QuerySet of them all."""
    newest = Hotline.objects.order_by("-created_at").first()
    Hotline.objects.filter(pk=newest.pk).update(name=LONG_NAME)
    return Hotline.objects.all()


def show_owner_id(user) -> None:
    """The person's columns: the default ones and the Owner ID."""
    UserPreference.objects.update_or_create(user=user, defaults={"columns": [*DEFAULT_COLUMNS, "owner_id"]})


def kind(number: str) -> str:
    if number.startswith(("1800", "1900")):
        return "service"
    return "landline" if number.startswith("02") else "mobile"


@pytest.mark.parametrize(
    ("width", "height", "language", "searched"),
    [(1280, 800, "en", "mobile"), (1366, 768, "en", "service"), (1920, 1080, "en", "landline"),
     (1280, 800, "vi", "mobile")],
)  # fmt: skip
def test_the_table_fits_and_numbers_copy_and_search_as_digits(
    browser, live_server, long_named, superuser, screenshot, width, height, language, searched
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "root", "pw-root")
    if language != "en":
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/hotlines/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The default columns fit: no sideways scroll, Updated wholly in view, no cell cut, and even
    # the longest name takes two lines at most.
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["updatedInside"] and measured["cut"] == [], measured
    assert measured["nameLines"] <= 2.05, measured
    first_name = page.locator("#hotline-table tbody tr").first.locator("td.col-wide")
    expect(first_name).to_contain_text(LONG_NAME)  # the whole name is there to read aloud and copy
    screenshot(page, f"table-fit-{width}-{language}")

    # Each number is shown in its groups (0901 234 567, 1900 6868, 024 3825 1234)...
    link = page.locator("#hotline-table tbody tr").first.locator("td").first.locator("a")
    number = link.text_content()
    assert re.fullmatch(r"\d+", number), number
    groups = link.locator(".digits > span")
    assert groups.all_text_contents() == list(number_groups(number))
    assert link.evaluate(TEXT_GAPS)[0] >= 3  # a visible gap between the groups' digits
    # ...but a person who selects it and copies gets the plain digits.
    assert link.evaluate(SELECT_AND_READ) == number
    page.keyboard.press("Control+C")
    assert page.evaluate("navigator.clipboard.readText()") == number

    # The Owner ID (a column a person chooses; the Tenant column names the owner by default) is
    # short on screen, whole on hover and when copied.
    show_owner_id(superuser)
    page.reload()
    owner_cell = page.locator("#hotline-table tbody tr").first.locator("td.col-id")
    owner = Hotline.objects.get(hotline=number).owner_id
    assert owner_cell.evaluate(SELECT_AND_READ) == owner
    expect(owner_cell.locator(".long-id")).to_have_attribute("title", owner)
    assert owner_cell.bounding_box()["width"] < 130

    # Typing a number the way the table shows it finds it.
    wanted = next(h.hotline for h in long_named.order_by("pk") if kind(h.hotline) == searched)
    shown = " ".join(number_groups(wanted))
    assert " " in shown
    page.locator("#id_q").fill(shown)
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"^\s*1\b"))
    found = page.locator("#hotline-table tbody tr").first.locator("td").first.locator("a")
    expect(found).to_have_text(wanted)
    expect(found.locator(".digits > span")).to_have_text(list(number_groups(wanted)))

    # The detail page shows it grouped too; a double-click selects the plain digits, and so does
    # the copy button.
    found.click()
    heading = page.locator("#hotline-number")
    expect(heading).to_have_text(wanted)
    expect(heading.locator(".digits > span")).to_have_text(list(number_groups(wanted)))
    heading.locator(".digits > span").first.dblclick()
    assert page.evaluate("window.getSelection().toString()") == wanted
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator(".copy-button").click()
    expect(page.locator(".copy-button")).to_contain_text(re.compile(r"Copied|Đã chép"))
    assert page.evaluate("navigator.clipboard.readText()") == wanted
    screenshot(page, f"table-fit-detail-{width}-{language}")
    context.close()


def test_on_a_phone_ids_and_names_show_whole(browser, live_server, long_named, superuser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "root", "pw-root")
    show_owner_id(superuser)
    page.goto(f"{live_server.url}/hotlines/")
    row = page.locator("#hotline-table tbody tr").first
    owner = row.locator("td.col-id .long-id")
    # Each cell has a line of its own there: the ID fits whole, the name is not cut to two lines.
    assert owner.evaluate(
        "(e) => e.querySelector('.long-id-head').scrollWidth <= e.querySelector('.long-id-head').clientWidth"
    )
    name = row.locator("td.col-wide")
    expect(name).to_contain_text(LONG_NAME)
    assert name.evaluate("(td) => td.scrollHeight <= td.clientHeight + 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "table-fit-phone")
    context.close()
