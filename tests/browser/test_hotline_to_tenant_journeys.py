"""From a hotline to its tenant and back to the tenant's hotlines, in a real browser, on the tenants
a real sync read from the sandbox: the journey a person makes to answer "which hotlines does this
customer have, and are they all enabled?"."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.models import Hotline, Tenant
from hotlines.selectors.tenancy import tenant_hotlines_q
from tests.browser.conftest import collect_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_hotline_to_its_tenant_and_to_all_its_hotlines(page, live_server, synced, superuser, screenshot):
    errors = collect_errors(page)
    # The sync read the sandbox's tenants with its hotlines: pick a hotline with exactly one tenant.
    tenants = Tenant.objects.filter(is_removed=False, hotline_count__gt=1).order_by("-hotline_count", "pk")
    tenant = next(t for t in tenants if not tenants.filter(owner_id=t.owner_id).exclude(pk=t.pk).exists())
    own = Hotline.objects.filter(tenant_hotlines_q(tenant), is_removed=False)
    assert own.count() == tenant.hotline_count > 1
    hotline = own.order_by("-created_at").first()
    enabled = own.filter(status="P").count()
    sign_in(page, live_server, "root", "pw-root")

    # The list names the hotline's tenant; its detail page too, with domain and status.
    page.goto(f"{live_server.url}/hotlines/?q={hotline.hotline}")
    row = page.locator("#hotline-table tbody tr").first
    expect(row.get_by_role("link", name=tenant.name)).to_be_visible()
    row.get_by_role("link", name=re.compile(re.escape(hotline.hotline[:4]))).first.click()
    expect(page.locator("#hotline-tenants")).to_contain_text(tenant.name)
    expect(page.locator("#hotline-tenants")).to_contain_text(tenant.domain)

    # To the tenant: its counts agree with the hotlines the dashboard holds.
    page.locator("#hotline-tenants").get_by_role("link", name=tenant.name).click()
    expect(page).to_have_url(re.compile(rf"/tenants/{tenant.pk}/$"))
    expect(page.locator("#tenant-name")).to_contain_text(tenant.name)
    expect(page.locator("#count-hotlines")).to_have_text(f"{own.count():,}")
    expect(page.locator("#count-enabled")).to_have_text(f"{enabled:,}")
    screenshot(page, "journey-tenant")

    # To all its hotlines: the list filtered to it, with a chip naming it, the hotline among them.
    page.locator("#all-hotlines").click()
    expect(page).to_have_url(re.compile(rf"/hotlines/\?tenant={tenant.pk}$"))
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{own.count():,} hotlines match", re.M))
    expect(page.locator(".chips .chip", has_text="Tenant:")).to_contain_text(tenant.name)
    expect(page.locator("#hotline-table")).to_contain_text(hotline.name[:20])
    # Are they all enabled? The status facet counts them under the tenant filter.
    expect(page.locator("#filter-form")).to_contain_text(re.compile(rf"Enabled\s*{enabled}"))
    screenshot(page, "journey-tenant-hotlines")

    # Back to the tenant, Forward to its hotlines, reload: each page as its address says.
    page.go_back()
    expect(page.locator("#tenant-name")).to_contain_text(tenant.name)
    page.go_forward()
    expect(page.locator(".chips .chip", has_text="Tenant:")).to_contain_text(tenant.name)
    page.reload()
    expect(page.locator("#result-count")).to_contain_text(re.compile(rf"^\s*{own.count():,} hotlines match", re.M))
    assert errors == []
