"""The Tenants page in a real browser (Chromium, JavaScript on): a person searches, filters,
sorts, opens a tenant, goes Back to the list as it was, reloads; on a phone; with two accounts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotlines.models import Tenant
from tests.browser.conftest import collect_errors, sign_in
from tests.factories import ConnectionFactory, HotlineFactory, TenantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_accounts(db):
    """Two eTelecom accounts with tenants of every status; one tenant with hotlines."""
    head, branch = ConnectionFactory(name="Head office"), ConnectionFactory(name="Branch office")
    for i in range(30):
        TenantFactory(connection=head if i % 3 else branch, name=f"Công ty Số {i:02d}", domain=f"pbx{i:02d}.example.vn",
                      status="PNZ"[i % 3], hotline_count=i, enabled_count=i // 2)  # fmt: skip
    TenantFactory(connection=head, name="Tổng đài Khác", domain="other.vn", status="P", hotline_count=99)
    star = Tenant.objects.get(name="Công ty Số 27")
    for i in range(3):
        HotlineFactory(
            connection=star.connection, owner_id=star.owner_id, hotline=f"1900{i:04d}", name=f"Đường dây {i}"
        )
    return head, branch


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n} tenants? match", re.MULTILINE))


def first_names(page, n: int = 3) -> list[str]:
    return page.locator("#tenant-table tbody tr td:first-child a").all_inner_texts()[:n]


def test_search_filter_sort_open_back_reload(page, live_server, two_accounts, superuser, screenshot):
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenants").click()
    expect(page).to_have_url(f"{live_server.url}/tenants/")
    # The address changes when the page starts to arrive; typing must wait until it has loaded (its
    # deferred htmx wired the search box), as a person's typing does.
    page.wait_for_load_state()
    expect_count(page, 31)

    page.get_by_label("Search", exact=True).fill("cong ty")  # no accents typed
    expect_count(page, 30)
    expect(page).to_have_url(re.compile(r"q=cong\+ty"))

    page.locator("label.facet", has_text="Enabled").get_by_role("checkbox").check()
    expect_count(page, 10)
    expect(page).to_have_url(re.compile(r"status=P"))

    # Two accounts: the account filter is offered, with its count.
    account_group = page.locator("fieldset.filter-group", has=page.locator("legend", has_text="eTelecom account"))
    expect(account_group.get_by_role("checkbox")).to_have_count(2)

    page.locator("#tenant-table thead").get_by_role("link", name=re.compile("^Hotlines")).click()
    expect(page).to_have_url(re.compile(r"sort=hotline_count"))
    page.locator("#tenant-table thead").get_by_role("link", name=re.compile("^Hotlines")).click()
    expect(page).to_have_url(re.compile(r"sort=-hotline_count"))
    expect(page.locator("#tenant-table tbody tr td:first-child a").first).to_have_text("Công ty Số 27")
    listed = first_names(page)
    screenshot(page, "tenants-list-filtered")

    page.get_by_role("link", name="Công ty Số 27").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Công ty Số 27")
    hotlines = page.locator("#tenant-hotlines")
    expect(hotlines.get_by_role("link", name=re.compile(r"1900"))).to_have_count(3)
    expect(hotlines.get_by_role("link", name=re.compile("See all 27"))).to_have_attribute(
        "href", re.compile(r"/hotlines/\?tenant=\d+$")
    )
    screenshot(page, "tenant-detail")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/tenants/\?.*sort=-hotline_count"))
    expect_count(page, 10)
    expect(page.get_by_label("Search", exact=True)).to_have_value("cong ty")
    expect(page.locator("label.facet", has_text="Enabled").get_by_role("checkbox")).to_be_checked()
    assert first_names(page) == listed

    page.reload()
    expect_count(page, 10)
    expect(page.locator("label.facet", has_text="Enabled").get_by_role("checkbox")).to_be_checked()
    assert first_names(page) == listed

    # The detail's own Back link leads to the same list.
    page.get_by_role("link", name="Công ty Số 27").click()
    page.get_by_role("link", name=re.compile("Back to the tenants")).click()
    expect_count(page, 10)
    expect(page).to_have_url(re.compile(r"sort=-hotline_count"))
    assert errors == []


def test_one_account_then_both_and_forward(page, live_server, two_accounts, superuser):
    _head, branch = two_accounts
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/tenants/")
    expect_count(page, 31)
    group = page.locator("fieldset.filter-group", has=page.locator("legend", has_text="eTelecom account"))
    group.locator("label.facet", has_text="Branch office").get_by_role("checkbox").check()
    expect_count(page, 10)
    expect(page).to_have_url(re.compile(rf"connection={branch.pk}"))
    page.go_back()
    expect_count(page, 31)
    page.go_forward()
    expect_count(page, 10)


def test_on_a_phone(browser, live_server, two_accounts, superuser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = collect_errors(page)
    try:
        sign_in(page, live_server, "root", "pw-root")
        page.goto(f"{live_server.url}/tenants/")
        expect_count(page, 31)
        # A card per tenant: no table header, no sideways scrolling of the page.
        expect(page.locator("#tenant-table thead")).to_be_hidden()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.locator("button.filters-toggle").click()
        page.locator("label.facet", has_text="Disabled").get_by_role("checkbox").check()
        expect_count(page, 10)
        page.locator("button.filters-close").click()
        # The header row that sorts is hidden: the Sort select sorts instead, keeping the filter.
        page.get_by_label("Sort", exact=True).select_option(label="Name (descending)")
        expect(page).to_have_url(re.compile(r"\?status=N&sort=-name$"))
        expect_count(page, 10)
        names = first_names(page, 10)
        assert names == sorted(names, reverse=True)
        screenshot(page, "tenants-phone", full_page=False)
        page.locator("#tenant-table tbody tr td:first-child a").first.click()
        expect(page.locator("#tenant-hotlines")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()
