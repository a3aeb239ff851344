"""What the tenant pages keep between requests is never older than the last sync: the hotline
table's tenant cells (kept per process, tables/tenant_cells.py) and the Tenants page's rendered
table and filter panel (kept in the cache, tenant_list_page.table_cache_key). Each test warms the
caches first, then a real sync (hotlines from the sandbox over HTTP, tenants from
`tenant_upstream`) changes what they show, and the next page must show the new data; a language
switch must never serve the other language's cells."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from hotlines.choices import HotlineStatus, SyncStatus
from hotlines.models import Connection, Tenant
from hotlines.selectors import tenant_data_version

pytestmark = pytest.mark.django_db(transaction=True)

HOTLINES = "/hotlines/?per_page=200"
TENANTS = "/tenants/?per_page=100"


def tenant_cells(response) -> dict[str, str]:
    """Each hotline row's number -> the text of its Tenant cell."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S):
        number = re.search(r'href="/hotlines/(\d+)/', row)
        cell = re.search(r'<td[^>]*>(<span class="(?:tenant-list|muted no-tenant)".*?)</td>', row, re.S)
        if number and cell:
            found[number.group(1)] = unescape(re.sub(r"<[^>]+>", " ", cell.group(1))).strip()
    return found


def tenant_rows(response) -> dict[str, str]:
    """Each Tenants page row's tenant name -> the row's text."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S):
        name = re.search(r'class="clamp-2" title="([^"]*)"', row)
        if name:
            found[unescape(name.group(1))] = " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
    return found


@pytest.fixture
def synced(sync_with_tenants):
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    return run


def _resync(sync_with_tenants) -> None:
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error


def owner_cells(client, owner: str) -> set[str]:
    """The Tenant cells of the hotline list filtered by an owner."""
    return set(tenant_cells(client.get(HOTLINES, {"owner": owner})).values())


def test_the_tenant_column_shows_a_tenant_renamed_by_the_next_sync(
    viewer_client, synced, tenant_upstream, sync_with_tenants
):
    item = tenant_upstream.items[2]  # an owner with one tenant
    owner = item["owner_id"]
    assert owner_cells(viewer_client, owner) == {item["name"]}
    # Warm: the same page reads no tenant row (its cells are kept in this process).
    with CaptureQueriesContext(db) as warm:
        assert owner_cells(viewer_client, owner) == {item["name"]}
    assert not [q for q in warm.captured_queries if 'FROM "hotlines_tenant"' in q["sql"]]

    tenant_upstream.patch(item["id"], name="Công ty Đổi Tên Mới")
    _resync(sync_with_tenants)
    assert owner_cells(viewer_client, owner) == {"Công ty Đổi Tên Mới"}

    # Removed upstream: the owner's hotlines have no tenant any more.
    tenant_upstream.remove(item["id"])
    _resync(sync_with_tenants)
    assert owner_cells(viewer_client, owner) == {"No tenant"}


def test_the_tenant_column_follows_a_language_switch(viewer_client, synced, tenant_upstream):
    owner = tenant_upstream.items[2]["owner_id"]
    lonely = synced.connection.hotlines.exclude(owner_id__in=Tenant.objects.values("owner_id")).first().owner_id
    assert owner_cells(viewer_client, lonely) == {"No tenant"}
    assert owner_cells(viewer_client, owner) == {tenant_upstream.items[2]["name"]}
    viewer_client.post("/preferences/language/", {"language": "vi"})
    assert owner_cells(viewer_client, lonely) == {"Không có"}
    viewer_client.post("/preferences/language/", {"language": "en"})
    assert owner_cells(viewer_client, lonely) == {"No tenant"}


def test_the_tenants_page_shows_a_tenant_renamed_or_disabled_by_the_next_sync(
    viewer_client, synced, tenant_upstream, sync_with_tenants
):
    item = tenant_upstream.items[2]
    old_name = item["name"]
    assert "Enabled" in tenant_rows(viewer_client.get(TENANTS))[old_name]
    assert "Enabled" in tenant_rows(viewer_client.get(TENANTS))[old_name]  # warm: from the cache

    tenant_upstream.patch(item["id"], name="Công ty Đổi Tên Mới", status="N")
    _resync(sync_with_tenants)
    rows = tenant_rows(viewer_client.get(TENANTS))
    assert old_name not in rows
    assert "Disabled" in rows["Công ty Đổi Tên Mới"]
    # The status filter's counts follow too (the panel is cached beside the table).
    disabled = viewer_client.get(TENANTS, {"status": "N"})
    assert "Công ty Đổi Tên Mới" in tenant_rows(disabled)


def test_the_tenants_page_shows_hotline_figures_moved_by_a_sync_of_hotlines_only(
    viewer_client, synced, sandbox, tenant_upstream, sync_with_tenants
):
    item = tenant_upstream.items[2]
    tenant = Tenant.objects.get(etelecom_id=item["id"])
    version = tenant_data_version()
    before = tenant_rows(viewer_client.get(TENANTS))[item["name"]]
    assert f" {tenant.hotline_count} {tenant.enabled_count} " in f"{before} "
    # A sync that changes no tenant, only one of its hotlines' status: the tenants' own data
    # version does not move, its figures do.
    hotline = tenant.connection.hotlines.filter(owner_id=tenant.owner_id, is_removed=False).first()
    new_status = HotlineStatus.DISABLED if hotline.status == HotlineStatus.ENABLED else HotlineStatus.ENABLED
    sandbox.dataset.patch(hotline.etelecom_id, status=new_status)
    _resync(sync_with_tenants)
    tenant.refresh_from_db()
    assert tenant_data_version() == version
    after = tenant_rows(viewer_client.get(TENANTS))[item["name"]]
    assert f" {tenant.hotline_count} {tenant.enabled_count} " in f"{after} " and after != before


def test_the_tenants_page_follows_a_language_switch_and_an_account_rename(viewer_client, synced):
    assert "Enabled" in " ".join(tenant_rows(viewer_client.get(TENANTS)).values())
    viewer_client.post("/preferences/language/", {"language": "vi"})
    text = " ".join(tenant_rows(viewer_client.get(TENANTS)).values())
    assert "Enabled" not in text
    viewer_client.post("/preferences/language/", {"language": "en"})
    assert "Enabled" in " ".join(tenant_rows(viewer_client.get(TENANTS)).values())
    # The account's name is in every row: renaming it (no sync) shows at once.
    account = Connection.objects.get()
    account.name = "Văn phòng mới"
    account.save()
    assert "Văn phòng mới" in viewer_client.get("/tenants/?sort=connection").content.decode()
    assert "Văn phòng mới" in " ".join(tenant_rows(viewer_client.get(TENANTS)).values())
