"""The sync's tenant part (`tenants.py`, `sql_tenants.py`): read with the hotlines, published with
them, with history, run figures and each tenant's hotline counts.

Hotlines come from the sandbox over HTTP; tenants from `tenant_upstream` (see its module). On
PostgreSQL these run the direct path (transaction=True), one test runs the staging fallback.
"""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from hotlines.choices import ChangeKind, SyncStatus, TenantSyncState
from hotlines.models import Connection, Tenant, TenantChange
from hotlines.services.sync import sql_tenants
from hotlines.services.sync.compare import search_text

from .helpers import assert_no_leftovers, assert_no_staged_tenants, expected_counts, stored_counts, tenant_rows
from .tenant_upstream import OWNER_WITHOUT_HOTLINES, tenant_payload

pytestmark = pytest.mark.django_db(transaction=True)


# --- first import, re-sync --------------------------------------------------------------------


def test_first_sync_imports_tenants_with_the_hotlines(connection, tenant_upstream, sync_with_tenants):
    hostile = tenant_payload(
        20, owner_id=OWNER_WITHOUT_HOTLINES, name="<script>alert(1)</script> =cmd|' /C calc'!A0",
        domain="=HYPERLINK(\"http://evil\")", status="Q", note="x" * 10_000,
    )  # fmt: skip
    tenant_upstream.items.append(hostile)
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.tenants == TenantSyncState.SYNCED
    count = len(tenant_upstream.items)
    assert (run.tenant_pages, run.tenants_fetched) == (1, count)
    assert (run.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged) == (count, 0, 0, 0)
    assert (run.created, run.fetched) == (230, 230)  # the hotlines too
    stored = {t.etelecom_id: t for t in Tenant.objects.all()}
    assert stored.keys() == {item["id"] for item in tenant_upstream.items}
    odd = stored[hostile["id"]]
    # Stored exactly as received (escaping is the pages' job, formula guards the exports').
    assert (odd.name, odd.domain, odd.status) == (hostile["name"], hostile["domain"], "Q")
    assert odd.raw == hostile and odd.search_text.startswith("<script>alert(1)</script>")
    first = stored[tenant_upstream.items[0]["id"]]
    assert (first.upstream_connection_id, first.connection_method) == ("1120000000000104729", "unknown")
    assert first.created_at.isoformat() == "2026-10-01T08:00:00+00:00"
    assert not first.is_removed and first.first_seen_at == first.last_changed_at
    # The first import is recorded on the run, not as a history row per tenant.
    assert not TenantChange.objects.exists()
    assert stored_counts(connection.pk) == expected_counts(connection.pk)
    assert tenant_upstream.limits == [connection.page_size] and tenant_upstream.read_aheads == [True]
    assert_no_leftovers(run)
    assert_no_staged_tenants()


def test_several_tenant_pages(connection, tenant_upstream, sync_with_tenants):
    tenant_upstream.page_size = 2
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.tenant_pages, run.tenants_fetched, run.tenants_created) == (5, 9, 9)
    assert Tenant.objects.count() == 9


def test_resync_without_change_stages_ids_only_and_writes_nothing(
    connection, tenant_upstream, sync_with_tenants, monkeypatch
):
    sync_with_tenants()
    before = tenant_rows()
    staged_rows = []
    original = sql_tenants.stage_rows
    monkeypatch.setattr(sql_tenants, "stage_rows", lambda **kw: staged_rows.append(kw) or original(**kw))
    with CaptureQueriesContext(db) as queries:
        run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged) == (0, 0, 0, 9)
    assert not staged_rows  # identical tenants are staged by ID only
    assert tenant_rows() == before
    tenant_writes = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and f" {sql_tenants.TENANT} " in q["sql"] + " "
    ]  # fmt: skip
    assert not tenant_writes  # no upsert, no removal, no recount
    assert_no_staged_tenants()


# --- changes, history, removed and reappeared -------------------------------------------------


def test_field_changes_removal_reappearance_and_new_tenants_with_history(
    connection, sandbox, tenant_upstream, sync_with_tenants
):
    sync_with_tenants()
    first, second, third = (item["id"] for item in tenant_upstream.items[:3])
    old = tenant_upstream.by_id(first).copy()
    other_owner = tenant_upstream.items[3]["owner_id"]
    tenant_upstream.patch(first, name="Công ty đã đổi tên", status="N", owner_id=other_owner, updated_at=None)
    tenant_upstream.patch(second, domain="moi.example.vn")
    gone = tenant_upstream.remove(third)
    tenant_upstream.items.append(tenant_payload(30, owner_id=other_owner))
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged) == (1, 2, 1, 6)

    changes = {
        (c.tenant.etelecom_id, c.kind, c.field): (c.old_value, c.new_value)
        for c in TenantChange.objects.filter(sync_run=run).select_related("tenant")
    }
    assert changes == {
        (first, ChangeKind.CHANGED, "name"): (old["name"], "Công ty đã đổi tên"),
        (first, ChangeKind.CHANGED, "status"): ("P", "N"),
        (first, ChangeKind.CHANGED, "owner_id"): (old["owner_id"], other_owner),
        (second, ChangeKind.CHANGED, "domain"): ("pbx1.example.vn", "moi.example.vn"),
        (third, ChangeKind.REMOVED, ""): ("", ""),
        (tenant_payload(30, owner_id="")["id"], ChangeKind.APPEARED, ""): ("", ""),
    }  # updated_at is not a tracked field: no history row for it
    renamed = Tenant.objects.get(etelecom_id=first)
    assert (renamed.name, renamed.status, renamed.updated_at, renamed.search_text) == (
        "Công ty đã đổi tên", "N", None, search_text("Công ty đã đổi tên", "pbx0.example.vn"),
    )  # fmt: skip
    removed = Tenant.objects.get(etelecom_id=third)
    assert removed.is_removed and removed.removed_at and removed.hotline_count == 0  # removed owns nothing
    assert stored_counts(connection.pk) == expected_counts(connection.pk)

    tenant_upstream.items.append(gone)
    again = sync_with_tenants()
    assert (again.tenants_created, again.tenants_updated, again.tenants_removed) == (0, 1, 0)
    removed.refresh_from_db()
    assert not removed.is_removed and removed.removed_at is None
    assert list(TenantChange.objects.filter(sync_run=again).values_list("kind", flat=True)) == [ChangeKind.REAPPEARED]
    assert removed.hotline_count == expected_counts(connection.pk)[third][0] > 0


def test_an_empty_tenant_list_removes_every_tenant(connection, tenant_upstream, sync_with_tenants):
    sync_with_tenants()
    tenant_upstream.items.clear()
    run = sync_with_tenants()
    assert (run.status, run.tenants, run.tenants_removed, run.tenant_pages) == ("succeeded", "synced", 9, 1)
    assert not Tenant.objects.filter(is_removed=False).exists()
    assert set(stored_counts(connection.pk).values()) == {(0, 0, 0)}


def test_duplicate_ids_first_seen_wins(connection, tenant_upstream, sync_with_tenants):
    """The same ID twice on a page and again on a later page: the first copy is kept; the others
    count in `tenants_fetched` only (the run's `duplicates` stays the hotlines')."""
    tenant_upstream.page_size = 3
    first = tenant_upstream.items[0]
    tenant_upstream.items.insert(1, {**first, "name": "second copy, same page"})
    tenant_upstream.items.append({**first, "name": "third copy, last page"})
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.tenants_fetched, run.tenants_created, run.duplicates) == (11, 9, 0)
    assert run.tenant_duplicates == 2
    assert Tenant.objects.get(etelecom_id=first["id"]).name == first["name"]
    tenant_upstream.items.pop(1)
    again = sync_with_tenants()  # a duplicate of an unchanged tenant on a later page
    assert (again.tenants_unchanged, again.tenants_updated, again.tenant_duplicates) == (9, 0, 1)
    assert Tenant.objects.get(etelecom_id=first["id"]).name == first["name"]


# --- each tenant's hotline counts -----------------------------------------------------------


def test_counts_per_tenant(connection, sandbox, tenant_upstream, sync_with_tenants):
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    items = sandbox.dataset.all()
    counts = stored_counts(connection.pk)
    assert counts == expected_counts(connection.pk)
    two = tenant_upstream.items[:2]  # one owner, two tenants: both own all of its hotlines
    owned = [item for item in items if item["owner_id"] == two[0]["owner_id"]]
    figures = (len(owned), sum(i["status"] == "P" for i in owned), sum(i["status"] == "N" for i in owned))
    assert counts[two[0]["id"]] == counts[two[1]["id"]] == figures and figures[0] > 0
    assert counts[tenant_payload(7, owner_id="")["id"]] == (0, 0, 0)  # an owner without hotlines
    assert counts[tenant_payload(8, owner_id="")["id"]] == (0, 0, 0)  # a blank owner owns nothing
    without = {item["owner_id"] for item in items} - {t["owner_id"] for t in tenant_upstream.items}
    assert without  # owners with hotlines and no tenant: counted nowhere
    assert sum(c[0] for c in counts.values()) == len(items) - sum(i["owner_id"] in without for i in items) + len(owned)


def test_two_connections_with_the_same_owner_are_kept_apart(connection, sandbox, tenant_upstream, sync_with_tenants):
    sync_with_tenants()
    other = Connection.objects.create(
        name="second account", base_url=sandbox.url, api_key=connection.api_key, page_size=50, timeout=5
    )
    # The second account sees only a few of the same hotlines, and the same tenants.
    for item in sandbox.dataset.all()[40:]:
        sandbox.dataset.remove(item["id"])
    run = sync_with_tenants(other)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.tenants_created == 9  # its own rows, though the IDs are the same
    assert stored_counts(connection.pk) == expected_counts(connection.pk)
    assert stored_counts(other.pk) == expected_counts(other.pk)
    busiest = tenant_upstream.items[0]["id"]
    assert stored_counts(other.pk)[busiest][0] < stored_counts(connection.pk)[busiest][0]


def test_counts_follow_hotline_changes(connection, sandbox, tenant_upstream, sync_with_tenants):
    sync_with_tenants()
    owner = tenant_upstream.items[2]["owner_id"]
    mine = [item for item in sandbox.dataset.all() if item["owner_id"] == owner]
    sandbox.dataset.patch(mine[0]["id"], status="N" if mine[0]["status"] != "N" else "P")
    sandbox.dataset.patch(mine[1]["id"], owner_id=tenant_upstream.items[3]["owner_id"])
    sandbox.dataset.remove(mine[2]["id"])
    sandbox.dataset.add({**mine[3], "id": "9100000000000000001", "status": "P"})
    run = sync_with_tenants()
    assert (run.tenants_updated, run.updated, run.removed, run.created) == (0, 2, 1, 1)
    assert stored_counts(connection.pk) == expected_counts(connection.pk)


@pytest.mark.django_db(transaction=False)
def test_inside_a_callers_transaction_tenants_stage_and_apply(connection, tenant_upstream, sync_with_tenants):
    """The staging path (SQLite, or any database inside a transaction) publishes tenants the same way."""
    first = sync_with_tenants()
    tenant_upstream.patch(tenant_upstream.items[0]["id"], status="N")
    tenant_upstream.remove(tenant_upstream.items[1]["id"])
    run = sync_with_tenants()
    assert (first.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged) == (9, 1, 1, 7)
    assert stored_counts(connection.pk) == expected_counts(connection.pk)
    assert_no_staged_tenants()
