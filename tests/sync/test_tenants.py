"""The sync's tenant part (`tenants.py`, `sql_tenants.py`): read with the hotlines, published with
them, with history, run figures and each tenant's hotline counts.

Hotlines come from the sandbox over HTTP; tenants from `tenant_upstream` (see its module). On
PostgreSQL these run the direct path (transaction=True), one test runs the staging fallback.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from hotlines.choices import ChangeKind, SyncStatus, TenantSyncState
from hotlines.etelecom.exceptions import NotAvailable, ServerError
from hotlines.models import Connection, Hotline, StagedTenant, SyncRun, Tenant, TenantChange
from hotlines.services.sync import sql_tenants, sync_run_cancel, tenants
from hotlines.services.sync.compare import search_text
from hotlines.services.sync.runs import sync_run_start

from .helpers import assert_no_leftovers, snapshot
from .tenant_upstream import OWNER_WITHOUT_HOTLINES, tenant_payload

pytestmark = pytest.mark.django_db(transaction=True)


def tenant_rows() -> dict:
    """Every tenant, every column a sync writes, and the tenants' history."""
    rows = {
        t["etelecom_id"]: t
        for t in Tenant.objects.values(
            "etelecom_id", "connection_id", "name", "domain", "owner_id", "status", "upstream_connection_id",
            "connection_method", "created_at", "updated_at", "raw", "content_hash", "search_text", "is_removed",
            "removed_at", "first_seen_at", "last_changed_at", "hotline_count", "enabled_count", "disabled_count",
        )
    }  # fmt: skip
    changes = sorted(TenantChange.objects.values_list("tenant__etelecom_id", "sync_run_id", "kind", "field"))
    return {"tenants": rows, "changes": changes}


def expected_counts(connection_id: int) -> dict[str, tuple[int, int, int]]:
    """Each tenant's (hotlines, enabled, disabled), counted in Python from the live hotlines."""
    live = Hotline.objects.filter(connection_id=connection_id, is_removed=False)
    by_owner: dict[str, Counter] = {}
    for owner, status in live.values_list("owner_id", "status"):
        by_owner.setdefault(owner, Counter())[status] += 1
    result = {}
    for tenant in Tenant.objects.filter(connection_id=connection_id):
        seen = by_owner.get(tenant.owner_id, Counter()) if tenant.owner_id and not tenant.is_removed else Counter()
        result[tenant.etelecom_id] = (seen.total(), seen["P"], seen["N"])
    return result


def stored_counts(connection_id: int) -> dict[str, tuple[int, int, int]]:
    return {
        t.etelecom_id: (t.hotline_count, t.enabled_count, t.disabled_count)
        for t in Tenant.objects.filter(connection_id=connection_id)
    }


def assert_no_staged_tenants() -> None:
    assert not StagedTenant.objects.exists()


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


# --- refusal and failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "page"),
    [
        (NotAvailable("eTelecom refused access with this API key (403 permission_denied): no tenants"), 1),
        (NotAvailable("eTelecom does not know this method (404 bad_route)"), 1),
        (NotAvailable("eTelecom refused access with this API key (403 permission_denied)"), 2),
    ],
    ids=["403", "404", "403-on-page-2"],
)
def test_a_refused_tenant_list_keeps_tenants_and_syncs_hotlines(
    connection, sandbox, tenant_upstream, sync_with_tenants, error, page
):
    sync_with_tenants()
    tenants_before = tenant_rows()["tenants"]
    # Upstream moves on: a tenant renamed (must not be applied), hotlines changed (must be).
    tenant_upstream.patch(tenant_upstream.items[0]["id"], name="not applied")
    tenant_upstream.page_size, tenant_upstream.fail, tenant_upstream.fail_page = 3, error, page
    items = sandbox.dataset.all()
    busiest = tenant_upstream.items[0]["owner_id"]
    moved = [item for item in items if item["owner_id"] == busiest][:3]
    for item in moved:
        sandbox.dataset.patch(item["id"], status="N" if item["status"] != "N" else "P")
    sandbox.dataset.remove(moved[0]["id"])

    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.tenants, run.error) == (TenantSyncState.UNAVAILABLE, "")
    assert (run.updated, run.removed) == (2, 1)  # the hotlines synced
    assert (run.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged) == (0, 0, 0, 0)
    after = tenant_rows()
    assert after["changes"] == [] and after["tenants"].keys() == tenants_before.keys()
    for etelecom_id, row in after["tenants"].items():
        before = tenants_before[etelecom_id]
        fields = ("hotline_count", "enabled_count", "disabled_count")
        assert {k: v for k, v in row.items() if k not in fields} == {k: v for k, v in before.items() if k not in fields}
    # ... but their hotline figures follow the hotlines, which did change.
    assert stored_counts(connection.pk) == expected_counts(connection.pk)
    assert after["tenants"][tenant_upstream.items[0]["id"]]["hotline_count"] == len(
        [i for i in sandbox.dataset.all() if i["owner_id"] == busiest]
    )
    assert_no_staged_tenants()


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (ServerError("eTelecom had a server error on tenant page 2 after 2 retries (500 internal)"), True),
        (None, False),  # a 10 KB name: the client refuses the page (BadPayload), as a hotline's
    ],
    ids=["500", "10kb-name"],
)
def test_a_failed_tenant_page_fails_the_run_and_changes_nothing(
    connection, sandbox, tenant_upstream, sync_with_tenants, error, retryable
):
    sync_with_tenants()
    before_hotlines, before_tenants = snapshot(), tenant_rows()
    sandbox.dataset.patch(sandbox.dataset.all()[0]["id"], name="changed")
    tenant_upstream.patch(tenant_upstream.items[0]["id"], name="changed too")
    tenant_upstream.page_size = 3
    if error is not None:
        tenant_upstream.fail, tenant_upstream.fail_page = error, 2
    else:
        tenant_upstream.patch(tenant_upstream.items[4]["id"], name="x" * 10_240)
    run = sync_with_tenants()
    assert run.status == SyncStatus.FAILED
    assert run.retryable is retryable
    if error is not None:
        assert run.error == str(error)
    else:
        assert "field 'name' is 10,240 characters long" in run.error
    assert (run.tenants, run.tenant_pages, run.pages) == (TenantSyncState.PENDING, 1, 0)
    assert snapshot() == before_hotlines and tenant_rows() == before_tenants
    assert_no_leftovers(run)
    assert_no_staged_tenants()
    stored = SyncRun.objects.get(pk=run.pk)
    assert (stored.tenant_pages, stored.tenants_fetched) == (1, 3)


def test_a_hotline_failure_after_the_tenants_changes_no_tenant(connection, sandbox, tenant_upstream, sync_with_tenants):
    sync_with_tenants()
    before = tenant_rows()
    tenant_upstream.remove(tenant_upstream.items[0]["id"])
    sandbox.faults.add("malformed", page=3)
    run = sync_with_tenants()
    assert run.status == SyncStatus.FAILED and "malformed JSON on page 3" in run.error
    assert run.tenants == TenantSyncState.SYNCED  # it read them; the failure published nothing
    assert tenant_rows() == before
    assert_no_staged_tenants()


# --- cancel and cleanup -----------------------------------------------------------------------


def test_cancel_during_the_tenant_list_drops_what_it_staged(
    connection, tenant_upstream, sync_with_tenants, monkeypatch
):
    tenant_upstream.page_size = 2
    staged_seen = []
    original = tenants._Comparer.compare

    def compare_then_cancel(self, page) -> None:
        original(self, page)
        if not staged_seen:
            run = SyncRun.objects.get(pk=self.run_id)
            staged_seen.append(StagedTenant.objects.filter(sync_run_id=run.pk).count())
            assert sync_run_cancel(run=run, user=None)

    monkeypatch.setattr(tenants._Comparer, "compare", compare_then_cancel)
    monkeypatch.setattr("hotlines.services.sync.orchestrator.HEARTBEAT_EVERY", 0)
    run = sync_with_tenants()
    assert staged_seen == [2]
    assert run.status == SyncStatus.FAILED and run.error.startswith("Cancelled")
    assert not Tenant.objects.exists() and not Hotline.objects.exists()
    assert_no_staged_tenants()


def test_a_slow_tenant_list_is_stopped_at_the_time_limit(connection, tenant_upstream, sync_with_tenants, settings):
    """The time limit (and so a stop signal, checked at the same points) holds during the tenant
    list too, even while a page is slow to come; nothing it staged stays."""
    settings.SYNC_MAX_DURATION = 1
    tenant_upstream.page_size, tenant_upstream.delay = 2, 0.4
    run = sync_with_tenants()
    assert run.status == SyncStatus.FAILED and "ran longer than its limit of 1 second" in run.error
    assert run.pages == 0 and 1 <= run.tenant_pages < 5
    assert not Tenant.objects.exists() and not Hotline.objects.exists()
    assert_no_staged_tenants()


def test_tenants_a_killed_sync_left_staged_are_dropped_by_the_next_sync(connection, sync_with_tenants):
    dead = sync_run_start(connection=connection, trigger="command")
    StagedTenant.objects.create(sync_run=dead, etelecom_id="1", state=0)
    SyncRun.objects.filter(pk=dead.pk).update(status=SyncStatus.FAILED)
    run = sync_with_tenants()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert_no_staged_tenants()


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
    assert len(without) == 2  # owners with hotlines and no tenant: counted nowhere
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
