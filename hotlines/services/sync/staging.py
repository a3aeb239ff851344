"""Phase 2 of a sync: make the staged snapshot the current one, in one transaction.

Readers see the old snapshot or the new one, never a mix: every write below commits together.
Each step is one set-based statement, skipped when staging showed it has nothing to do, so a
re-sync that found no change costs a count and the run's own row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from ...choices import ChangeKind, SyncStatus
from ...models import StagedState, SyncRun
from . import sql
from .stage import StageCounts

# Called with each step's name inside the apply transaction (tests use it to slow the apply
# down and read the list meanwhile). None in normal operation.
on_step: Callable[[str], None] | None = None


class SyncStopped(Exception):
    """The run was failed or cancelled from elsewhere while it worked; it carries the run as stored."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        super().__init__(run.error or "This sync was stopped before it finished.")


def step(name: str) -> None:
    """Tell the test hook (if any) that the apply reached this point."""
    if on_step is not None:
        on_step(name)


def snapshot_apply(*, run: SyncRun, counts: StageCounts) -> None:
    """Apply the run's staged rows and mark the run succeeded, all in one transaction."""
    if sql.is_postgresql() and counts.staged > 10_000:
        # The staging table grew from nothing during the fetch: give the planner real figures.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {sql.STAGED}")
    run_id, connection_id = run.pk, run.connection_id
    with transaction.atomic():
        # Locking our own row: a cancel or dead-run sweep arriving now waits, then finds us done.
        locked = SyncRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != SyncStatus.RUNNING:
            raise SyncStopped(locked)
        now = timezone.now()
        step("locked")
        if counts.changed or counts.reappeared:
            states = (StagedState.CHANGED, StagedState.REAPPEARED)
            sql.record_field_changes(run_id=run_id, connection_id=connection_id, states=states, now=now)
            step("field history")
        if counts.reappeared:
            _record(run_id, connection_id, StagedState.REAPPEARED, ChangeKind.REAPPEARED, now)
        removed = 0
        if sql.live_count(connection_id=connection_id) != counts.same + counts.changed:
            removed = sql.mark_removed(run_id=run_id, connection_id=connection_id, now=now)
            step("removed")
        if counts.new or counts.changed or counts.reappeared:
            sql.upsert(run_id=run_id, connection_id=connection_id, now=now)
            step("upserted")
        if counts.new and not counts.initial_import:
            _record(run_id, connection_id, StagedState.NEW, ChangeKind.APPEARED, now)
        run.created, run.updated = counts.new, counts.changed + counts.reappeared
        run.removed, run.unchanged, run.duplicates = removed, counts.same, counts.duplicates
        run.status = SyncStatus.SUCCEEDED
        run.finished_at = run.heartbeat_at = timezone.now()
        run.error = ""
        run.save()
        step("done")


def _record(run_id: int, connection_id: int, state: int, kind: str, now: datetime) -> None:
    sql.record_kind(run_id=run_id, connection_id=connection_id, state=state, kind=kind, now=now)
    step(f"{kind} history")
