"""Mirror a connection's eTelecom hotlines into the local database, all or nothing.

A sync runs in two phases:

1. **Fetch and compare** (`stage.py`): every page is fetched and validated, and each hotline
   compared (by a fingerprint of its payload) with the current snapshot. Memory holds one page
   at a time; the next page is fetched in a background thread while this one is written.
2. **Publish**: only once every page arrived do the new snapshot and the run's outcome become
   visible, together. Readers see the old snapshot or the new one, never a mix.

How the pages are written in between depends on the database. SQLite stages them in
`StagedHotline` and applies them at the end in one short transaction (`apply.py`); PostgreSQL
writes them straight into the snapshot inside one transaction that spans the sync and commits at
the end (`direct.py`, which says why). Both write only new and changed rows, with set-based SQL
(`sql.py`).

Any failure leaves the snapshot exactly as it was and records a message a person understands.
Single flight, the task queue and dead runs live in `runs.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection as db_connection
from django.utils import timezone

from ...choices import SyncStatus, SyncTrigger
from ...etelecom import types
from ...etelecom.client import EtelecomClient
from ...etelecom.exceptions import EtelecomError
from ...models import Connection, Hotline, SyncRun
from ...selectors import freshness_forget, hotline_caches_warm
from ..connections import connection_client
from . import sql
from .apply import SyncStopped, snapshot_apply
from .direct import sync_direct
from .interrupt import SyncInterrupted, SyncTooLong, sync_raise_if_interrupted, sync_stop_on_signals
from .runs import (
    SyncAlreadyRunning,
    sync_request,
    sync_run_begin_queued,
    sync_run_cancel,
    sync_run_dead_reason,
    sync_run_fail_if_dead,
    sync_run_start,
)
from .stage import Stager

__all__ = [
    "SyncAlreadyRunning",
    "SyncInterrupted",
    "SyncStopped",
    "SyncTooLong",
    "hotlines_sync",
    "hotlines_sync_queued",
    "sync_raise_if_interrupted",
    "sync_request",
    "sync_run_begin_queued",
    "sync_run_cancel",
    "sync_run_dead_reason",
    "sync_run_fail_if_dead",
    "sync_run_start",
    "sync_stop_on_signals",
]

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 1.0  # seconds between progress writes to the run row (what the Syncs page shows)

Progress = Callable[[SyncRun], None]


def hotlines_sync_queued(*, run_id: int) -> SyncRun | None:
    """Run a sync queued by the Sync now button (the background task calls this)."""
    run = sync_run_begin_queued(run_id=run_id)
    if run is None:
        logger.info("sync %s was cancelled or failed before a worker took it", run_id)
        return None
    return hotlines_sync(connection=run.connection, run=run)


def hotlines_sync(
    *,
    connection: Connection,
    trigger: str = SyncTrigger.COMMAND,
    user=None,
    client: EtelecomClient | None = None,
    progress: Progress | None = None,
    run: SyncRun | None = None,
) -> SyncRun:
    """Fetch every page of the connection's hotlines and, only if all arrived, apply them.

    Raises SyncAlreadyRunning if another sync of the connection is active. Any other failure
    is recorded on the returned run (status failed, `error` says why).
    """
    run = run or sync_run_start(connection=connection, trigger=trigger, user=user)
    own_client = client is None
    client = client or connection_client(connection)
    # Inside a caller's transaction (tests do that) the run's row is invisible to a second
    # connection, and the caller's commit decides anyway: stage and apply, as on SQLite.
    direct = sql.is_postgresql() and not db_connection.in_atomic_block
    pages = client.iter_hotline_pages(
        limit=connection.page_size, max_pages=settings.ETELECOM_MAX_PAGES, read_ahead=True
    )
    try:
        sql.unstage_ended()  # what syncs killed before their cleanup left behind
        if direct:
            sync_direct(run=run, pages=pages, heartbeat_due=_Every(HEARTBEAT_EVERY), progress=progress)
        else:
            with sql.relaxed_durability():
                stager = _fetch_and_stage(run=run, pages=pages, progress=progress)
            snapshot_apply(run=run, counts=stager.counts)
    except SyncStopped as stopped:
        run = stopped.run  # cancelled or failed from elsewhere: keep what was recorded
    except (EtelecomError, SyncTooLong) as exc:
        _fail(run, exc.message)
    except SyncInterrupted as exc:
        _fail(run, exc.message)
        exc.run = run
        raise  # the process was asked to stop: recorded, then let through
    except BaseException as exc:
        logger.exception("sync %s of %s failed unexpectedly", run.pk, connection)
        _fail(run, _unexpected(exc))
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: recorded, then let through
    finally:
        _close_pages(pages)  # first: it may be fetching a page, in a thread, over the client
        if own_client:
            client.close()
        if not direct:
            sql.unstage(run_id=run.pk)
    if run.status == SyncStatus.SUCCEEDED:
        _refresh_planner_statistics(run)
        _warm_caches(run)
    if progress:
        progress(run)
    logger.info(
        "sync %s of %s %s: pages=%s fetched=%s created=%s updated=%s removed=%s unchanged=%s%s",
        run.pk, connection, run.status, run.pages, run.fetched, run.created, run.updated,
        run.removed, run.unchanged, f" error={run.error}" if run.error else "",
    )  # fmt: skip
    return run


ANALYZE_AFTER_ROWS = 10_000


def _refresh_planner_statistics(run: SyncRun) -> None:
    """After a large change, give the planner fresh statistics now. PostgreSQL's autovacuum would
    get round to it, but right after a bulk import the planner has none and picked a list plan
    300× slower (94 ms instead of 0.3 ms, measured at 1,000,000 rows). SQLite never gathers them
    by itself, and without them does not use the list's partial sort indexes."""
    changed = run.created + run.updated + run.removed
    if db_connection.in_atomic_block or changed < ANALYZE_AFTER_ROWS:
        return
    with db_connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hotline._meta.db_table}")


def _warm_caches(run: SyncRun) -> None:
    """A sync that changed the data starts a new data version: count it now, so that the first
    person to open the list after the sync does not wait for it (nor every web process at once).
    The sync has succeeded whatever happens here."""
    if not (run.created or run.updated or run.removed):
        return  # same version, already counted
    try:
        hotline_caches_warm()
    except Exception:
        logger.warning("sync %s: could not count the new data ahead of the list", run.pk, exc_info=True)


def _close_pages(pages: Iterator[types.HotlinePage]) -> None:
    try:
        pages.close()
    except ValueError:
        # "generator already executing": a read-ahead thread still waits in it for a slow page,
        # and was left behind so as not to hold the sync up; it closes the pages when its read ends.
        logger.info("the pages' reader is still waiting on eTelecom; it closes them when its read ends")


def _unexpected(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "The sync was interrupted before it finished; the previous data is unchanged."
    return f"The sync stopped on an unexpected error ({type(exc).__name__}); the previous data is unchanged."


def _fail(run: SyncRun, message: str) -> None:
    """Record the failure, unless the run was already ended from elsewhere (cancel, dead sweep)."""
    now = timezone.now()
    updated = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING).update(
        status=SyncStatus.FAILED, error=message, finished_at=now, heartbeat_at=now,
        pages=run.pages, fetched=run.fetched, duplicates=run.duplicates,
    )  # fmt: skip
    freshness_forget()
    if updated:
        run.status, run.error, run.finished_at, run.heartbeat_at = SyncStatus.FAILED, message, now, now
    else:
        run.refresh_from_db()


class _Every:
    """True at the first call (progress shows at once), then once every `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.last = seconds, float("-inf")

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.last < self.seconds:
            return False
        self.last = now
        return True


def _fetch_and_stage(*, run: SyncRun, pages: Iterator[types.HotlinePage], progress: Progress | None) -> Stager:
    stager = Stager(run)
    stager.stage_pages(pages, heartbeat=_heartbeat, heartbeat_due=_Every(HEARTBEAT_EVERY), progress=progress)
    return stager


def _heartbeat(run: SyncRun) -> None:
    """Publish progress and prove we are alive; stop if the run was cancelled or failed meanwhile."""
    run.heartbeat_at = timezone.now()
    alive = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING).update(
        pages=run.pages, fetched=run.fetched, duplicates=run.duplicates, heartbeat_at=run.heartbeat_at
    )
    if not alive:
        raise SyncStopped(SyncRun.objects.get(pk=run.pk))
