"""Tenants on the hotline list in a real browser (Chromium, JavaScript on): a person sees who each
hotline belongs to, finds a tenant in the picker by typing part of its name without accents,
ticks it, sees its chip and only its hotlines (not those of another eTelecom account whose owner
has the same ID), and Back, Forward and reload keep what the address says; then on a phone."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.models import Hotline, Tenant
from tests.browser.conftest import collect_errors, sign_in
from tests.browser.test_phone_journeys import phone_context
from tests.factories import DEMO_OWNER_IDS, TenantFactory
from tests.views.test_two_accounts import (  # noqa: F401 - fixtures
    accounts,
    second_sandbox,
    second_sandbox_server,
    two_synced,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OWNER = DEMO_OWNER_IDS[0]


def expect_count(page, n: int) -> None:
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{n:,} hotlines? match", re.MULTILINE))


@pytest.fixture
def tenants(two_synced):  # noqa: F811
    head, branch = two_synced
    Tenant.objects.all().delete()  # the sandbox's own tenants, read by the sync, give way to these
    mine = TenantFactory(connection=head, owner_id=OWNER, name="Công ty Ánh Dương", domain="anhduong.vn")
    theirs = TenantFactory(connection=branch, owner_id=OWNER, name="Chi nhánh Ánh Dương", domain="cn.vn")
    TenantFactory(connection=head, owner_id=DEMO_OWNER_IDS[1], name="<b>Công ty</b> =cmd", domain="x.vn")
    return head, branch, mine, theirs


def test_find_a_tenant_tick_it_and_walk_back_and_forth(page, live_server, tenants, superuser, screenshot):
    head, branch, mine, _theirs = tenants
    errors = collect_errors(page)
    everyone = Hotline.objects.filter(is_removed=False).count()
    own = Hotline.objects.filter(connection=head, owner_id=OWNER, is_removed=False).count()
    assert 0 < own < everyone and Hotline.objects.filter(connection=branch, owner_id=OWNER).exists()
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/")
    expect_count(page, everyone)

    # The Tenant column names owners; a hostile name is text, never markup.
    table = page.locator("#hotline-table")
    expect(table.get_by_role("columnheader", name="Tenant")).to_be_visible()
    expect(table.get_by_role("link", name="Công ty Ánh Dương").first).to_be_visible()
    expect(table.locator("b")).to_have_count(0)

    # The picker: type without accents, the server answers with a few checkboxes.
    search = page.get_by_label("Find a tenant")
    search.fill("anh duong")
    picker = page.locator("#tenant-options")
    expect(picker.get_by_role("checkbox")).to_have_count(2)  # both accounts' tenants are offered...
    picker.get_by_role("checkbox", name=re.compile(r"^Công ty Ánh Dương")).check()
    # ...but ticking one selects its own account's hotlines only.
    expect_count(page, own)
    expect(page).to_have_url(re.compile(rf"\?tenant={mine.pk}$"))
    chip = page.locator(".chips .chip", has_text="Tenant:")
    expect(chip).to_contain_text("Công ty Ánh Dương")
    expect(table.get_by_role("link", name="Chi nhánh Ánh Dương")).to_have_count(0)
    assert search.input_value() == "anh duong"  # the person's search stays while the list changes
    screenshot(page, "tenant-filtered")

    # Reload: the address rules; the tenant is listed, ticked, in the picker.
    page.reload()
    expect_count(page, own)
    expect(page.locator(f"#id_tenant_{mine.pk}")).to_be_checked()

    # Back to every hotline, Forward to the tenant's, as the address says each time.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/hotlines/$"))
    expect_count(page, everyone)
    page.go_forward()
    expect_count(page, own)
    expect(page.locator(f"#id_tenant_{mine.pk}")).to_be_checked()

    # A second tenant from the picker: the first stays chosen (listed, ticked) while searching.
    search.fill("cmd")
    expect(picker.get_by_role("checkbox")).to_have_count(2)
    expect(page.locator(f"#id_tenant_{mine.pk}")).to_be_checked()
    picker.get_by_role("checkbox", name=re.compile(r"Công ty.* =cmd")).check()
    both = Hotline.objects.filter(connection=head, owner_id__in=DEMO_OWNER_IDS[:2], is_removed=False).count()
    expect_count(page, both)
    expect(page.locator(".chips .chip", has_text="Tenant:")).to_have_count(2)

    # Removing a chip drops that tenant only.
    page.locator(".chips .chip", has_text="=cmd").click()
    expect_count(page, own)
    expect(page.locator(f"#id_tenant_{mine.pk}")).to_be_checked()
    assert errors == []


def test_the_tenant_filter_on_a_phone(browser, live_server, tenants, superuser, screenshot):
    head, _branch, mine, _theirs = tenants
    own = Hotline.objects.filter(connection=head, owner_id=OWNER, is_removed=False).count()
    context = phone_context(browser)
    page = context.new_page()
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")
    page.goto(f"{live_server.url}/hotlines/?tenant={mine.pk}")
    expect_count(page, own)
    expect(page.locator(".chips .chip", has_text="Tenant:")).to_contain_text("Công ty Ánh Dương")
    # A row is a card: its Tenant cell names the tenant.
    expect(page.locator('#hotline-table td[data-label="Tenant"]').first).to_contain_text("Công ty Ánh Dương")
    page.get_by_role("button", name=re.compile(r"^Filters")).click()
    panel = page.locator("#filters")
    expect(panel.get_by_label("Find a tenant")).to_be_visible()
    expect(panel.locator(f"#id_tenant_{mine.pk}")).to_be_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the picker must not widen the page"
    screenshot(page, "tenant-picker-phone", full_page=False)
    # Untick it in the panel: every hotline again.
    panel.locator(f"#id_tenant_{mine.pk}").uncheck()
    expect(page).to_have_url(re.compile(r"/hotlines/$"))
    assert errors == []
    context.close()
