"""Sync runs leave nothing staged behind: a cancel drops the run's staged rows (even when its process
was killed), and a sync drops what runs that ended before it left."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models import Connection, StagedHotline, StagedState, SyncRun
from hotlines.services.sync import hotlines_sync, sql_staging, sync_run_cancel, sync_run_start

pytestmark = pytest.mark.django_db(transaction=True)


def staged_by_run() -> dict[int, int]:
    runs = StagedHotline.objects.values_list("sync_run_id", flat=True)
    return {run: list(runs).count(run) for run in set(runs)}


def stage(run_id: int, count: int) -> None:
    """What a sync had staged when its process died."""
    sql_staging.stage_ids(run_id=run_id, ids=[str(8_000_000 + n) for n in range(count)], state=StagedState.SAME)


@pytest.fixture
def other_running(sandbox) -> SyncRun:
    """A sync of another connection, alive and staging: its rows must stay."""
    other = Connection.objects.create(name="other", base_url=sandbox.url, api_key=DEFAULT_API_KEY, page_size=50)
    run = sync_run_start(connection=other, trigger=SyncTrigger.COMMAND)
    stage(run.pk, 3)
    return run


def test_cancelling_a_killed_sync_drops_what_it_staged(superuser, connection, other_running):
    killed = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)  # then SIGKILL: nothing more
    stage(killed.pk, 120)
    assert sync_run_cancel(run=killed, user=superuser)
    killed.refresh_from_db()
    assert killed.status == SyncStatus.FAILED and killed.error.startswith("Cancelled by root")
    assert staged_by_run() == {other_running.pk: 3}


def test_cancelling_the_only_staging_run_empties_the_table(superuser, connection):
    killed = sync_run_start(connection=connection, trigger=SyncTrigger.BUTTON)
    stage(killed.pk, 50)
    assert sync_run_cancel(run=killed, user=None)
    assert StagedHotline.objects.count() == 0


def test_a_sync_drops_rows_staged_by_runs_that_ended(connection, sandbox, other_running):
    ended = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    stage(ended.pk, 40)
    SyncRun.objects.filter(pk=ended.pk).update(status=SyncStatus.FAILED, finished_at=timezone.now(), error="gone")
    stage(ended.pk + 1000, 7)  # of a run whose row was deleted since
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert staged_by_run() == {other_running.pk: 3}  # the live sync's rows are left alone
