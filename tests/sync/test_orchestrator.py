"""The sync service (`orchestrator.py`) against the sandbox over real HTTP."""

import pytest

from hotlines.choices import ChangeKind, SyncStatus
from hotlines.models import Hotline, HotlineChange, SyncRun
from hotlines.services.sync import SyncAlreadyRunning, hotlines_sync, sync_run_start

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot():
    return {
        h.etelecom_id: (h.hotline, h.name, h.status, h.network, h.is_free_charge, h.is_removed)
        for h in Hotline.objects.all()
    }


def test_first_sync_creates_every_hotline(connection, sandbox):
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.pages, run.fetched, run.created, run.updated, run.removed, run.unchanged) == (5, 230, 230, 0, 0, 0)
    upstream = {item["id"]: item for item in sandbox.dataset.all()}
    stored = {h.etelecom_id: h for h in Hotline.objects.all()}
    assert stored.keys() == upstream.keys()
    one = next(iter(upstream.values()))
    hotline = stored[one["id"]]
    assert (hotline.hotline, hotline.name, hotline.description) == (one["hotline"], one["name"], one["description"])
    assert (hotline.network, hotline.status, hotline.is_free_charge) == (
        one["network"],
        one["status"],
        one["is_free_charge"],
    )
    assert (hotline.upstream_connection_id, hotline.owner_id) == (one["connection_id"], one["owner_id"])
    assert hotline.raw == one
    assert hotline.first_seen_at == hotline.last_changed_at <= run.finished_at
    # The initial import is recorded once, on the run, not as 230 "appeared" history rows.
    assert not HotlineChange.objects.exists()


def test_resync_without_changes_touches_nothing(connection, sandbox):
    hotlines_sync(connection=connection)
    before = {h.pk: h.last_changed_at for h in Hotline.objects.all()}
    run = hotlines_sync(connection=connection)
    assert (run.created, run.updated, run.removed, run.unchanged) == (0, 0, 0, 230)
    assert {h.pk: h.last_changed_at for h in Hotline.objects.all()} == before
    assert not HotlineChange.objects.filter(sync_run=run).exists()


def test_updates_removals_and_reappearance(connection, sandbox):
    hotlines_sync(connection=connection)
    items = sandbox.dataset.all()
    changed, gone = items[3]["id"], items[100]["id"]
    sandbox.dataset.patch(changed, status="N" if items[3]["status"] != "N" else "P", name="Tổng đài mới")
    sandbox.dataset.remove(gone)
    run = hotlines_sync(connection=connection)
    assert (run.created, run.updated, run.removed, run.unchanged) == (0, 1, 1, 228)
    hotline = Hotline.objects.get(etelecom_id=changed)
    assert hotline.name == "Tổng đài mới"
    fields = set(HotlineChange.objects.filter(hotline=hotline, sync_run=run).values_list("field", flat=True))
    assert fields == {"status", "name"}
    removed = Hotline.objects.get(etelecom_id=gone)
    assert removed.is_removed and removed.removed_at
    assert HotlineChange.objects.get(hotline=removed, sync_run=run).kind == ChangeKind.REMOVED

    sandbox.dataset.restore(gone)
    run = hotlines_sync(connection=connection)
    assert (run.created, run.updated, run.removed) == (0, 1, 0)
    removed.refresh_from_db()
    assert not removed.is_removed
    assert HotlineChange.objects.get(hotline=removed, sync_run=run).kind == ChangeKind.REAPPEARED


def test_new_hotline_upstream_is_created(connection, sandbox):
    hotlines_sync(connection=connection)
    sandbox.dataset.add({**sandbox.dataset.all()[0], "id": "9223372036854775807", "hotline": "19001234"})
    run = hotlines_sync(connection=connection)
    assert (run.created, run.unchanged) == (1, 230)
    assert Hotline.objects.get(etelecom_id="9223372036854775807").hotline == "19001234"


def test_failed_sync_keeps_the_previous_snapshot(connection, sandbox):
    hotlines_sync(connection=connection)
    before = snapshot()
    sandbox.dataset.patch(sandbox.dataset.all()[0]["id"], name="changed")
    sandbox.faults.add("status", status=500, page=3)
    connection.timeout = 2
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.FAILED
    assert "server error on page 3" in run.error
    assert snapshot() == before


def test_single_flight(connection):
    running = sync_run_start(connection=connection, trigger="command")
    with pytest.raises(SyncAlreadyRunning, match="already running since"):
        hotlines_sync(connection=connection)
    assert SyncRun.objects.filter(status=SyncStatus.RUNNING).count() == 1
    running.status = SyncStatus.SUCCEEDED
    running.save()
    assert hotlines_sync(connection=connection).status == SyncStatus.SUCCEEDED


def test_dead_run_is_failed_and_does_not_block(connection, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 0
    dead = sync_run_start(connection=connection, trigger="command")
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED and "stopped responding" in dead.error


@pytest.mark.django_db(transaction=False)
def test_sync_inside_a_callers_transaction(connection, sandbox):
    """Within an open transaction (as in a TestCase), the caller's commit decides: the sync stages
    and applies instead of using a second connection that could not see its run."""
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    sandbox.dataset.remove(sandbox.dataset.all()[7]["id"])
    again = hotlines_sync(connection=connection)
    assert (again.status, again.removed, again.unchanged) == (SyncStatus.SUCCEEDED, 1, 229)


def _statistics_refreshed(queries) -> list[str]:
    """The statements that refreshed a table's statistics: VACUUM (ANALYZE) on PostgreSQL (which
    also marks the pages all-visible for the list's index-only reads), ANALYZE on SQLite."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("ANALYZE", "VACUUM"))]


def _refresh(table: str) -> str:
    from django.db import connection as db

    return f"{'VACUUM (ANALYZE)' if db.vendor == 'postgresql' else 'ANALYZE'} {table}"


def test_planner_statistics_refreshed_after_a_large_sync(connection, monkeypatch):
    """ANALYZE after a big change: PostgreSQL's planner has no statistics right after an import,
    and SQLite's never has any unless asked (it then ignores the list's partial sort indexes).
    On PostgreSQL with a VACUUM, so that the list's IDs come from its indexes alone."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from hotlines.services.sync import orchestrator

    monkeypatch.setattr(orchestrator, "ANALYZE_AFTER_ROWS", 100)
    with CaptureQueriesContext(db) as queries:
        run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED
    assert _statistics_refreshed(queries) == [_refresh("hotlines_hotline")]
    with CaptureQueriesContext(db) as queries:
        hotlines_sync(connection=connection)  # nothing changed: no ANALYZE
    assert not _statistics_refreshed(queries)


def test_tenant_statistics_refreshed_from_a_few_hundred_tenants(connection, sandbox, monkeypatch):
    """Tenants get their own, lower threshold (a twentieth of the hotlines): without statistics
    SQLite sorted the whole tenant table for the Tenants page instead of reading its indexes."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from hotlines.services.sync import orchestrator

    tenants = len(sandbox.dataset.tenants.all())
    monkeypatch.setattr(orchestrator, "TENANT_ANALYZE_AFTER_ROWS", tenants)
    with CaptureQueriesContext(db) as queries:
        run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED and run.tenants_created == tenants
    assert _statistics_refreshed(queries) == [_refresh("hotlines_tenant")]  # hotlines: under their threshold
    monkeypatch.setattr(orchestrator, "TENANT_ANALYZE_AFTER_ROWS", tenants + 1)
    sandbox.dataset.remove(sandbox.dataset.all()[0]["id"])
    with CaptureQueriesContext(db) as queries:
        hotlines_sync(connection=connection)
    assert not _statistics_refreshed(queries)


def test_transient_and_permanent_etelecom_errors_are_told_apart(connection, sandbox, synced, caplog):
    """A transient error (here a persistent 500) is logged as worth retrying, a permanent one (a
    rejected key) as needing a person; the run's message stays eTelecom's own words."""
    sandbox.faults.add("status", status=500, code="internal", msg="database unavailable")
    with caplog.at_level("WARNING", logger="hotlines.services.sync.orchestrator"):
        transient = hotlines_sync(connection=connection)
    assert transient.status == SyncStatus.FAILED and "had a server error" in transient.error
    assert [r.levelname for r in caplog.records if "worth retrying" in r.getMessage()] == ["WARNING"]
    sandbox.faults.clear()
    caplog.clear()
    connection.api_key = "not-the-key"
    connection.save()
    with caplog.at_level("WARNING", logger="hotlines.services.sync.orchestrator"):
        permanent = hotlines_sync(connection=connection)
    assert permanent.status == SyncStatus.FAILED and "rejected the API key" in permanent.error
    assert [r.levelname for r in caplog.records if "needs a person" in r.getMessage()] == ["ERROR"]
    assert not [r for r in caplog.records if "worth retrying" in r.getMessage()]
