"""Two eTelecom accounts in a real browser (Chromium, JavaScript on): a person ticks one account,
sees its count and its rows, goes Back to both; the freshness bar names the account that never
synced instead of claiming the list is empty; the account filter stays clean for axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from hotlines.models import Connection, Hotline
from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import collect_errors, sign_in
from tests.views.test_two_accounts import (  # noqa: F401 - fixtures
    SECOND_SIZE,
    accounts,
    second_sandbox,
    second_sandbox_server,
    two_synced,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


def shown_numbers(page) -> set[str]:
    """The hotline numbers of the rows on the page, as digits."""
    cells = page.locator("#hotline-table tbody tr td:first-child").all_inner_texts()
    return {re.sub(r"\D", "", text) for text in cells}


def test_tick_one_account_then_back_to_both(page, live_server, two_synced, superuser, screenshot):  # noqa: F811
    _head, branch = two_synced
    Connection.objects.create(name="New branch", base_url=branch.base_url, api_key="k-new-branch-unsynced")
    errors = collect_errors(page)
    everyone = Hotline.objects.filter(is_removed=False).count()
    branch_numbers = {
        re.sub(r"\D", "", n) for n in Hotline.objects.filter(connection=branch).values_list("hotline", flat=True)
    }
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")
    expect_count(page, everyone)

    # The bar tells the truth: data is there, one account never synced.
    bar = page.locator("#freshness")
    expect(bar).to_contain_text("New branch has never synced.")
    expect(bar).not_to_contain_text("No successful sync yet")

    # The account filter: one real checkbox per active account, its count beside it.
    group = page.locator("fieldset.filter-group", has=page.locator("legend", has_text="eTelecom account"))
    boxes = group.get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    branch_box = group.get_by_role("checkbox", name=re.compile(r"^Branch office"))
    expect(branch_box).to_have_accessible_name(re.compile(rf"^Branch office\s+{SECOND_SIZE}$"))
    assert not shown_numbers(page) <= branch_numbers  # both accounts' rows at first

    # Tick Branch office: its count, its rows, and the other facets count its hotlines only.
    branch_box.check()
    expect(page).to_have_url(re.compile(rf"connection={branch.pk}"))
    expect_count(page, SECOND_SIZE)
    assert shown_numbers(page) <= branch_numbers
    expect(page.locator("#facet-status-all")).to_have_text(str(SECOND_SIZE))
    expect(page.locator(".chips")).to_contain_text("Branch office")
    screenshot(page, "two-accounts-branch-ticked")

    # Back: both accounts again, the box unticked; Forward: ticked again.
    page.go_back()
    expect_count(page, everyone)
    expect(branch_box).not_to_be_checked()
    expect(page.locator("#facet-status-all")).to_have_text(f"{everyone:,}")
    page.go_forward()
    expect_count(page, SECOND_SIZE)
    expect(branch_box).to_be_checked()
    assert errors == []


def test_the_account_filter_and_the_bar_are_clean_for_axe(page, live_server, accounts, superuser):  # noqa: F811
    head, _branch = accounts
    assert hotlines_sync(connection=head).error == ""  # Branch office never synced: per-account lines
    sign_in(page, live_server, "root", "pw-root")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{live_server.url}/hotlines/?connection={head.pk}")
        expect(page.locator("#freshness")).to_contain_text("Branch office has never synced.")
        results = Axe().run(page)
        found = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert found == [], (scheme, found)
