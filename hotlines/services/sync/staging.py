"""Stage, then apply: how a sync writes on SQLite, and on any database inside a caller's transaction.

Every page is compared with the snapshot and staged in `StagedHotline` (`compare.py`,
`StagingWriter`); nothing readers see changes meanwhile. Once every page arrived, the staged rows
become the current snapshot in one transaction: readers see the old snapshot or the new one, never
a mix. Each apply step is one set-based statement (`sql_staging.py`), skipped when the comparison
showed it has nothing to do, so a re-sync that found no change costs a count and the run's own row.

SQLite allows one writer at a time, so the fetch must not hold a transaction open for minutes:
staging commits page by page, and only the apply at the end is one (short) transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ...choices import ChangeKind
from ...models import StagedState, SyncRun
from . import sql, sql_staging
from .compare import PageComparer, PageCounts, Pages, Progress, sync_is_initial_import
from .runs import sync_run_heartbeat, sync_run_lock, sync_run_succeed
from .steps import step
from .tenants import TenantCounts, tenants_publish


class StagingWriter:
    """Stages rows in `StagedHotline` (SQLite: the apply at the end is then short)."""

    def __init__(self, run: SyncRun) -> None:
        self.run_id = run.pk
        # SQLite binds each row's values; PostgreSQL gets the page as one JSON document.
        self.raw_text = not sql.is_postgresql()
        self.datetime = sql.datetime_formatter()

    def keep_same(self, ids: list[str]) -> int:
        """Stage hotlines identical to the snapshot by ID; returns how many were new to the run."""
        return sql_staging.stage_ids(run_id=self.run_id, ids=ids, state=StagedState.SAME)

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        """Stage new and changed hotlines; returns the states of those new to the run, counted."""
        return Counter(sql_staging.stage_rows(run_id=self.run_id, rows=rows))


def sync_staged(
    *, run: SyncRun, pages: Pages, tenants: TenantCounts, heartbeat_due: Callable[[], bool], progress: Progress | None
) -> None:
    """Compare and stage every page, then apply them, and the staged `tenants`, and mark the run
    succeeded (see the module docstring)."""
    initial = sync_is_initial_import(connection_id=run.connection_id)
    comparer = PageComparer(run, StagingWriter(run), initial_import=initial)
    with sql.relaxed_durability():
        comparer.compare_pages(pages, heartbeat=sync_run_heartbeat, heartbeat_due=heartbeat_due, progress=progress)
    snapshot_apply(run=run, counts=comparer.counts, tenants=tenants)


def snapshot_apply(*, run: SyncRun, counts: PageCounts, tenants: TenantCounts) -> None:
    """Apply the run's staged hotlines and tenants and mark the run succeeded, all in one transaction."""
    if sql.is_postgresql() and counts.seen > 10_000:
        # The staging table grew from nothing during the fetch: give the planner real figures.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {sql.STAGED}")
    run_id, connection_id = run.pk, run.connection_id
    with transaction.atomic():
        sync_run_lock(run)
        now = timezone.now()
        step("locked")
        if counts.changed or counts.reappeared:
            states = (StagedState.CHANGED, StagedState.REAPPEARED)
            sql_staging.record_field_changes(run_id=run_id, connection_id=connection_id, states=states, now=now)
            step("field history")
        if counts.reappeared:
            _record(run_id, connection_id, StagedState.REAPPEARED, ChangeKind.REAPPEARED, now)
        removed = 0
        if sql.live_count(connection_id=connection_id) != counts.same + counts.changed:
            removed = sql_staging.mark_removed(run_id=run_id, connection_id=connection_id, now=now)
            step("removed")
        if counts.new or counts.changed or counts.reappeared:
            sql_staging.upsert(run_id=run_id, connection_id=connection_id, now=now)
            step("upserted")
        if counts.new and not counts.initial_import:
            _record(run_id, connection_id, StagedState.NEW, ChangeKind.APPEARED, now)
        hotlines_changed = bool(counts.new or counts.changed or counts.reappeared or removed)
        tenants_publish(run=run, counts=tenants, hotlines_changed=hotlines_changed, now=now)
        sync_run_succeed(run, counts=counts, removed=removed, tenants=tenants)
        step("done")


def _record(run_id: int, connection_id: int, state: int, kind: str, now: datetime) -> None:
    sql_staging.record_kind(run_id=run_id, connection_id=connection_id, state=state, kind=kind, now=now)
    step(f"{kind} history")
