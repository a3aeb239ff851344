"""Two workers computing the same run at the same time (a retried task racing the first, two
worker processes): every notification and event is written once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection
from django.db import connections

from hotlines.models import Notification, ViewSyncDelta, WatchEvent
from hotlines.services.watch_events import watch_events_record
from tests.factories import SavedViewFactory, WatchFactory

from .conftest import sync

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(db_connection.vendor != "postgresql", reason="SQLite serialises writers itself")
def test_two_workers_at_once_write_everything_once(connection, sandbox, first_synced, watcher):
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, name="All", query=""))
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, name="Enabled", query="status=P"))
    for item in first_synced[:40]:
        sandbox.dataset.patch(item["id"], name=item["name"] + " (mới)")
    run = sync(connection)
    start = threading.Barrier(2)
    results, errors = [], []

    def worker() -> None:
        try:
            start.wait()
            results.append(watch_events_record(sync_run_id=run.pk).written)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(w.notifications for w in results) == [0, 2]
    assert Notification.objects.filter(sync_run=run).count() == 2
    assert WatchEvent.objects.filter(notification__sync_run=run).count() == sum(w.events for w in results)
    assert ViewSyncDelta.objects.filter(sync_run=run).count() == 2
