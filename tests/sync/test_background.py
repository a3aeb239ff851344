"""Background runs: the Sync now task on the django-tasks-db backend, run by the real `db_worker`;
queued runs that never start, cancelling a run while it works."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.models import SyncRun
from hotlines.services.sync import (
    SyncAlreadyRunning,
    hotlines_sync,
    sync_request,
    sync_run_cancel,
    sync_run_start,
)
from hotlines.tasks import sync_hotlines

from .helpers import assert_mirrors, assert_no_leftovers, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    """What `manage.py db_worker` does, until the queue is empty."""
    # db_worker installs its own SIGINT/SIGTERM handlers and never removes them: put back the test
    # process's, or a later Ctrl-C (or pytest-xdist stopping a worker) makes it exit with 0.
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def test_button_to_worker_to_outcome(client, superuser, connection, sandbox, pending_change):
    client.force_login(superuser)
    client.post(reverse("hotlines:sync-start"))
    run = SyncRun.objects.get(status=SyncStatus.QUEUED)
    queued_at = run.started_at
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.trigger, run.requested_by) == (SyncTrigger.BUTTON, superuser)
    assert run.started_at >= queued_at  # started when the worker took it, not when it was asked for
    assert (run.created, run.updated, run.removed) == (1, 1, 1)
    assert_mirrors(sandbox)
    assert_no_leftovers(run)
    result = sync_hotlines.get_result(run.task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"sync_run_id": run.pk, "status": "succeeded", "error": ""}
    page = client.get(run.get_absolute_url()).content.decode()
    body = page.split("</header>", 1)[1]  # the header's notification bell polls on every page
    assert "Succeeded" in page and "hx-trigger" not in body


def test_worker_records_a_failed_sync(superuser, connection, sandbox, pending_change):
    sandbox.faults.add("status", page=3, status=500)
    before = snapshot()
    run = sync_request(connection=connection, user=superuser)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED and "server error on page 3" in run.error
    assert snapshot() == before
    assert sync_hotlines.get_result(run.task_id).status == TaskResultStatus.SUCCESSFUL  # the task itself did its job


def test_cancelled_before_a_worker_took_it(superuser, connection, first_sync):
    run = sync_request(connection=connection, user=superuser)
    assert sync_run_cancel(run=run, user=superuser)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED and run.error.startswith("Cancelled by root")
    assert sync_hotlines.get_result(run.task_id).return_value == {"sync_run_id": run.pk, "status": "skipped"}


def test_cancel_while_running_stops_before_anything_is_applied(superuser, connection, sandbox, pending_change):
    before = snapshot()
    cancelled = []

    def cancel_after_two_pages(run: SyncRun) -> None:
        if run.pages == 2 and not cancelled:
            # Someone presses Cancel in the web process: another thread, its own connection.
            thread = threading.Thread(target=cancel, args=(run,))
            thread.start()
            thread.join()

    def cancel(run: SyncRun) -> None:
        try:
            cancelled.append(sync_run_cancel(run=run, user=superuser))
        finally:
            db_connection.close()

    run = hotlines_sync(connection=connection, progress=cancel_after_two_pages)
    assert cancelled == [True]
    assert run.status == SyncStatus.FAILED and run.error == "Cancelled by root; the previous data is unchanged."
    assert snapshot() == before
    assert_no_leftovers(run)


def test_queued_run_waiting_for_a_busy_worker_is_not_declared_dead(superuser, connection, first_sync, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 1
    run = sync_request(connection=connection, user=superuser)
    SyncRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=30))
    with pytest.raises(SyncAlreadyRunning, match="is already queued since"):
        sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    run_worker()  # the worker gets to it at last
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED


def test_queued_run_no_worker_ever_takes_is_failed_by_the_next_request(superuser, connection, first_sync, settings):
    settings.SYNC_QUEUE_TIMEOUT = 600
    stuck = sync_request(connection=connection, user=superuser)
    SyncRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(minutes=11))
    fresh = sync_request(connection=connection, user=superuser)
    stuck.refresh_from_db()
    assert stuck.status == SyncStatus.FAILED
    assert stuck.error == (
        "No background worker picked this sync up within 10 minutes (is `manage.py db_worker` running?)."
    )
    assert fresh.status == SyncStatus.QUEUED


def test_queued_run_whose_task_vanished_is_failed(superuser, connection, first_sync):
    stuck = sync_request(connection=connection, user=superuser)
    DBTaskResult.objects.all().delete()  # e.g. pruned by `prune_db_task_results`
    run = hotlines_sync(connection=connection)
    stuck.refresh_from_db()
    assert stuck.error == "This sync was queued, but its background task is gone."
    assert run.status == SyncStatus.SUCCEEDED


def test_task_for_a_run_that_is_no_longer_queued_does_nothing(superuser, connection, first_sync):
    run = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)  # running, not queued
    result = sync_hotlines.enqueue(run_id=run.pk)
    run_worker()
    assert sync_hotlines.get_result(result.id).return_value["status"] == "skipped"
    run.refresh_from_db()
    assert run.status == SyncStatus.RUNNING  # left to the process that runs it
