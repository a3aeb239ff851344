"""The sync's tenant part when things go wrong: a tenant list refused to the key (the hotlines
still sync), a failed tenant page (nothing changes), a cancel, a time limit, leftovers.

Hotlines come from the sandbox over HTTP; tenants from `tenant_upstream` (see its module).
"""

from __future__ import annotations

import pytest

from hotlines.choices import SyncStatus, TenantSyncState
from hotlines.etelecom.exceptions import NotAvailable, ServerError
from hotlines.models import Hotline, StagedTenant, SyncRun, Tenant
from hotlines.services.sync import sync_run_cancel, tenants
from hotlines.services.sync.runs import sync_run_start

from .helpers import (
    assert_no_leftovers,
    assert_no_staged_tenants,
    expected_counts,
    snapshot,
    stored_counts,
    tenant_rows,
)

pytestmark = pytest.mark.django_db(transaction=True)


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
