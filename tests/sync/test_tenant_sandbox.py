"""The sync's tenant part over real HTTP: the sandbox serves `GetPartnerTenantList` beside the
hotlines (one tenant per 20 hotlines, consistent with their owners), with its fault switches."""

from __future__ import annotations

import pytest

from hotlines.choices import ChangeKind, SyncStatus, TenantSyncState
from hotlines.models import Tenant, TenantChange
from hotlines.services.sync import hotlines_sync

from .helpers import (
    assert_mirrors,
    assert_no_leftovers,
    expected_counts,
    snapshot,
    stored_counts,
    tenant_rows,
)

pytestmark = pytest.mark.django_db(transaction=True)


def tenants_upstream(sandbox) -> dict[str, dict]:
    return {item["id"]: item for item in sandbox.dataset.tenants.all()}


def assert_tenants_mirror(sandbox, connection) -> None:
    """The live tenants are exactly the sandbox's, field for field, with their hotline counts."""
    live = {t.etelecom_id: t for t in Tenant.objects.filter(connection=connection, is_removed=False)}
    items = tenants_upstream(sandbox)
    assert live.keys() == items.keys()
    for etelecom_id, item in items.items():
        tenant = live[etelecom_id]
        assert tenant.raw == item
        assert (tenant.name, tenant.domain, tenant.owner_id, tenant.status) == (
            item.get("name") or "", item.get("domain") or "", item.get("owner_id") or "", item.get("status") or "",
        )  # fmt: skip
    assert stored_counts(connection.pk) == expected_counts(connection.pk)


def test_sync_mirrors_the_sandbox_tenants_and_counts_their_hotlines(connection, sandbox):
    run = hotlines_sync(connection=connection)
    assert (run.status, run.tenants) == (SyncStatus.SUCCEEDED, TenantSyncState.SYNCED), run.error
    count = len(sandbox.dataset.tenants.all())
    assert count >= 5
    assert (run.tenant_pages, run.tenants_fetched, run.tenants_created) == (1, count, count)
    assert_tenants_mirror(sandbox, connection)
    assert_mirrors(sandbox)
    assert sum(t.hotline_count for t in Tenant.objects.all()) > 0  # the sandbox's owners do own hotlines

    again = hotlines_sync(connection=connection)
    assert (again.tenants_created, again.tenants_updated, again.tenants_removed, again.tenants_unchanged) == (
        0, 0, 0, count,
    )  # fmt: skip


def test_tenant_changes_upstream_are_applied_with_history(connection, sandbox, first_sync):
    items = sandbox.dataset.tenants.all()
    sandbox.dataset.tenants.patch(items[0]["id"], name="Công ty đã đổi tên", status="N")
    sandbox.dataset.tenants.remove(items[1]["id"])
    run = hotlines_sync(connection=connection)
    assert (run.tenants_updated, run.tenants_removed) == (1, 1)
    kinds = sorted(TenantChange.objects.filter(sync_run=run).values_list("kind", "field"))
    assert kinds == [(ChangeKind.CHANGED, "name"), (ChangeKind.CHANGED, "status"), (ChangeKind.REMOVED, "")]
    assert_tenants_mirror(sandbox, connection)

    sandbox.dataset.tenants.restore(items[1]["id"])
    back = hotlines_sync(connection=connection)
    assert (back.tenants_updated, back.tenants_removed) == (1, 0)
    assert TenantChange.objects.get(sync_run=back).kind == ChangeKind.REAPPEARED
    assert_tenants_mirror(sandbox, connection)


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_tenant_list_still_syncs_the_hotlines(connection, sandbox, first_sync, pending_change, status):
    before = tenant_rows()
    sandbox.dataset.tenants.patch(sandbox.dataset.tenants.all()[0]["id"], name="not applied")
    sandbox.faults.add("refuse_tenants", status=status)
    run = hotlines_sync(connection=connection)
    assert (run.status, run.tenants, run.error) == (SyncStatus.SUCCEEDED, TenantSyncState.UNAVAILABLE, "")
    assert (run.created, run.updated, run.removed) == (1, 1, 1)
    assert_mirrors(sandbox)
    after = tenant_rows()
    counted = ("hotline_count", "enabled_count", "disabled_count")
    assert after["changes"] == before["changes"]
    for etelecom_id, row in after["tenants"].items():
        assert {k: v for k, v in row.items() if k not in counted} == {
            k: v for k, v in before["tenants"][etelecom_id].items() if k not in counted
        }
    assert stored_counts(connection.pk) == expected_counts(connection.pk)  # recounted: hotlines moved
    assert_no_leftovers(run)


@pytest.mark.parametrize(
    ("fault", "message", "retryable"),
    [
        (
            {"kind": "status", "status": 500, "code": "internal", "msg": "database unavailable"},
            "eTelecom had a server error on tenant page 1 after 2 retries (500 internal): database unavailable",
            True,
        ),
        ({"kind": "malformed"}, "eTelecom sent malformed JSON on tenant page 1", False),
        (
            {"kind": "status", "status": 401, "code": "unauthenticated", "msg": "key revoked"},
            "eTelecom rejected the API key (401 unauthenticated): key revoked",  # the key, not the method
            False,
        ),
    ],
    ids=["500", "malformed", "401"],
)
def test_any_other_tenant_failure_fails_the_run_and_changes_nothing(
    connection, sandbox, first_sync, pending_change, fault, message, retryable
):
    before = (snapshot(), tenant_rows())
    sandbox.dataset.tenants.patch(sandbox.dataset.tenants.all()[0]["id"], name="not applied")
    options = dict(fault)
    sandbox.faults.add(options.pop("kind"), list="tenants", **options)
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.FAILED
    if message is not None:
        assert run.error == message
    assert run.retryable is retryable
    assert (snapshot(), tenant_rows()) == before
    assert_no_leftovers(run)


def test_hostile_tenants_from_the_sandbox(connection, sandbox):
    """Unknown statuses, nulls and a duplicate on the next tenant page: kept as received, once."""
    connection.page_size = 4
    connection.save()
    sandbox.faults.add("unknown_enums", list="tenants")
    sandbox.faults.add("nulls", list="tenants")
    sandbox.faults.add("duplicate", list="tenants")
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.tenants_fetched == run.tenants_created + run.tenant_duplicates
    assert run.tenant_duplicates >= 1
    stored = Tenant.objects.count()
    assert stored == run.tenants_created == len({item["id"] for item in sandbox.dataset.tenants.all()})
    assert stored_counts(connection.pk) == expected_counts(connection.pk)
