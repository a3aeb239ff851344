"""Names in Vietnamese alphabetical order, as a person sorts the list in a real browser (issue 15
item 5): "Đường dây nóng…" before "Tổng đài…", and back again with the browser's history."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.models import Connection, Hotline
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The order a Vietnamese reader expects (CLDR): a ă â b … d đ … t; tones after the letter.
NAMES_IN_ORDER = [
    "an ninh khu phố",
    "Ăn uống Hà Nội",
    "Âm nhạc Sài Gòn",
    "Bách khoa",
    "Đặt lịch khám",
    "Đường dây nóng Điện lực Miền Trung",
    "Đường dây tư vấn",
    "Hotline bán hàng",
    "Tổng đài chăm sóc khách hàng",
    "Tổng đài đặt lịch",
    "Ưu đãi thành viên",
]


@pytest.fixture
def vietnamese_names(db):
    owner = Connection.objects.create(name="default", base_url="https://api.example.vn", api_key="k")
    for n, name in enumerate(reversed(NAMES_IN_ORDER)):  # stored in another order than asked for
        Hotline.objects.create(
            connection=owner, etelecom_id=str(1000 + n), hotline=f"19001{n:03d}", name=name, content_hash="x",
            status="P", network=("viettel", "mobifone")[n % 2],
        )  # fmt: skip


def names_shown(page) -> list[str]:
    return page.locator("#hotline-table tbody tr td:nth-child(2)").all_inner_texts()


def expect_names(page, names: list[str]) -> None:
    expect(page.locator("#hotline-table tbody tr td:nth-child(2)")).to_have_text(names)


def test_sorting_by_name_follows_vietnamese_order(page, live_server, vietnamese_names, superuser, screenshot):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")
    expect(page.locator("#hotline-table tbody tr")).to_have_count(len(NAMES_IN_ORDER))

    # A click on the Name header: A to Z as a Vietnamese reader expects ("Đ" after "D", not after "T").
    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    expect_names(page, NAMES_IN_ORDER)
    shown = names_shown(page)
    assert shown.index("Đường dây tư vấn") < shown.index("Tổng đài chăm sóc khách hàng")
    assert "sort=name" in page.url
    screenshot(page, "list-sorted-by-name-vietnamese")

    # A second click: Z to A.
    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Name")
    expect_names(page, NAMES_IN_ORDER[::-1])
    assert "sort=-name" in page.url

    # Back and Forward bring each order back.
    page.go_back()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    expect_names(page, NAMES_IN_ORDER)
    page.go_forward()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Name")
    expect_names(page, NAMES_IN_ORDER[::-1])

    # A reload keeps it, and a phone sees the same order.
    page.reload()
    expect_names(page, NAMES_IN_ORDER[::-1])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/hotlines/?sort=name")
    expect_names(page, NAMES_IN_ORDER)
    screenshot(page, "list-sorted-by-name-vietnamese-phone")
    assert errors == []
