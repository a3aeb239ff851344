"""The freshness bar is shared between requests for a moment, and dropped by whatever changes a
sync run or a connection in this process."""

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.services.connections.writes import connection_set_active
from hotlines.services.sync import hotlines_sync
from hotlines.services.sync.runs import sync_run_begin_queued, sync_run_cancel, sync_run_start

# Transactional: on PostgreSQL a sync inside a wrapping transaction would not take the production path.
pytestmark = pytest.mark.django_db(transaction=True)


def freshness_queries(client) -> int:
    with CaptureQueriesContext(db) as queries:
        assert client.get("/").status_code == 200
    return sum("hotlines_syncrun" in q["sql"] for q in queries.captured_queries)


def test_pages_share_it_between_requests(viewer_client, connection, sandbox):
    hotlines_sync(connection=connection)
    assert freshness_queries(viewer_client) >= 2
    assert freshness_queries(viewer_client) == 0


def test_it_can_be_turned_off(viewer_client, connection, settings):
    settings.FRESHNESS_CACHE_SECONDS = 0
    assert freshness_queries(viewer_client) >= 2
    assert freshness_queries(viewer_client) >= 2


def test_queued_taken_cancelled_and_finished_runs_show_at_once(viewer_client, connection, sandbox, superuser):
    assert "No successful sync yet" in viewer_client.get("/hotlines/").text
    run = sync_run_start(connection=connection, trigger=SyncTrigger.BUTTON, user=superuser, queued=True)
    assert "Sync queued" in viewer_client.get("/hotlines/").text
    sync_run_begin_queued(run_id=run.pk)
    assert "Sync running" in viewer_client.get("/hotlines/").text
    sync_run_cancel(run=run, user=superuser)
    page = viewer_client.get("/hotlines/").text
    assert "Sync running" not in page and "The last sync failed" in page
    hotlines_sync(connection=connection)
    assert "Data last synced just now" in viewer_client.get("/hotlines/").text


def test_a_failed_sync_and_a_deactivated_connection_show_at_once(viewer_client, connection, sandbox, superuser):
    hotlines_sync(connection=connection)
    assert "The last sync failed" not in viewer_client.get("/hotlines/").text
    sandbox.faults.add("status", status=400, code="invalid_argument", msg="bad request")
    assert hotlines_sync(connection=connection).status == SyncStatus.FAILED
    assert "The last sync failed" in viewer_client.get("/hotlines/").text
    connection_set_active(connection=connection, is_active=False, actor=superuser)
    assert "The last sync failed" not in viewer_client.get("/hotlines/").text
