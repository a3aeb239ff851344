"""Run a sync: now (the command, the demo), queued for the background worker (Sync now), or as
that worker. Picks how the pages are written, records how it ended, and warms the caches after.

The package docstring (`__init__.py`) describes the phases; the run's state is `runs.py`'s alone.
"""

from __future__ import annotations

import logging
import sys
import time

from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction

from ...choices import SyncStatus, SyncTrigger
from ...etelecom.client import EtelecomClient
from ...etelecom.exceptions import PermanentError, TransientError
from ...models import AuditAction, Connection, Hotline, SyncRun
from ...selectors import hotline_caches_warm
from ...tasks import sync_hotlines as sync_task
from ..audit import audit_record
from ..connections.client import connection_client
from . import sql, sql_staging, sql_tenants
from .compare import Pages, Progress
from .direct import sync_direct
from .interrupt import SyncInterrupted, SyncTooLong
from .runs import (
    SyncStopped,
    sync_run_begin_queued,
    sync_run_fail,
    sync_run_heartbeat,
    sync_run_start,
    sync_run_tenants_read,
)
from .staging import sync_staged
from .tenants import tenants_fetch

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 1.0  # seconds between progress writes to the run row (what the Syncs page shows)
# While a sync runs, a thread waiting for the interpreter gets it within 1 ms instead of Python's
# 5 ms. The thread that reads eTelecom's answers wakes from every socket wait needing it while the
# threads that parse and compare pages hold it, and paging is sequential: each of those waits
# delays the next request, so the next page. Process-wide, so restored when the sync ends.
SWITCH_INTERVAL = 0.001


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
    """Fetch every page of the connection's tenants and hotlines and, only if all arrived, apply
    them together. A tenant list refused to the key leaves the tenants as they were.

    Raises SyncAlreadyRunning if another sync of the connection is active. Any other failure
    is recorded on the returned run (status failed, `error` says why).
    """
    run = run or sync_run_start(connection=connection, trigger=trigger, user=user)
    own_client = client is None
    client = client or connection_client(connection)
    write = sync_direct if _writes_directly() else sync_staged
    pages = client.iter_hotline_pages(
        limit=connection.page_size, max_pages=settings.ETELECOM_MAX_PAGES, read_ahead=True
    )
    heartbeat_due = _Every(HEARTBEAT_EVERY)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
    try:
        sql_staging.unstage_ended()  # what syncs killed before their cleanup left behind
        # Tenants first: a small list, staged before the hotlines' transaction opens (PostgreSQL),
        # and a refusal is known before the long part.
        tenants = tenants_fetch(
            run=run, client=client, heartbeat=sync_run_heartbeat, heartbeat_due=heartbeat_due, progress=progress
        )
        sync_run_tenants_read(run, available=tenants.available)
        write(run=run, pages=pages, tenants=tenants, heartbeat_due=heartbeat_due, progress=progress)
    except SyncStopped as stopped:
        run = stopped.run  # cancelled or failed from elsewhere: keep what was recorded
    except TransientError as exc:
        # The network or eTelecom had a moment: the next sync (scheduled, or Sync now) may work.
        logger.warning("sync %s of %s: transient eTelecom error, worth retrying: %s", run.pk, connection, exc)
        sync_run_fail(run, exc.message, retryable=True)
    except PermanentError as exc:
        # The key, the request or eTelecom's answer is wrong: retrying will not help until
        # someone changes something (the connection's settings, or eTelecom's side).
        logger.error("sync %s of %s: eTelecom error that needs a person: %s", run.pk, connection, exc)
        sync_run_fail(run, exc.message, retryable=False)
    except SyncTooLong as exc:
        sync_run_fail(run, exc.message)
    except SyncInterrupted as exc:
        sync_run_fail(run, exc.message)
        exc.run = run
        raise  # the process was asked to stop: recorded, then let through
    except BaseException as exc:
        logger.exception("sync %s of %s failed unexpectedly", run.pk, connection)
        sync_run_fail(run, _unexpected(exc))
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: recorded, then let through
    finally:
        sys.setswitchinterval(switch_interval)
        _close_pages(pages)  # first: it may be fetching a page, in a thread, over the client
        if own_client:
            client.close()
        if write is sync_staged:
            sql_staging.unstage(run_id=run.pk)  # tenants too
        else:
            sql_tenants.unstage(run_id=run.pk)
    if run.status == SyncStatus.SUCCEEDED:
        _refresh_planner_statistics(run)
        _warm_caches(run)
    if progress:
        progress(run)
    logger.info(
        "sync %s of %s %s: pages=%s fetched=%s created=%s updated=%s removed=%s unchanged=%s "
        "tenants=%s tenant_pages=%s tenants_fetched=%s tenants_created=%s tenants_updated=%s "
        "tenants_removed=%s tenants_unchanged=%s page_size=%s%s",
        run.pk, connection, run.status, run.pages, run.fetched, run.created, run.updated,
        run.removed, run.unchanged, run.tenants or "pending", run.tenant_pages, run.tenants_fetched,
        run.tenants_created, run.tenants_updated, run.tenants_removed, run.tenants_unchanged,
        _page_size(client, connection), f" error={run.error}" if run.error else "",
    )  # fmt: skip
    return run


def _page_size(client: EtelecomClient, connection: Connection) -> int:
    """The hotline page size the sync asked for: the connection's, or the smaller one eTelecom
    served when it cut the first page (the client learns it)."""
    return getattr(client, "page_sizes", {}).get("hotlines", connection.page_size)


def _writes_directly() -> bool:
    """PostgreSQL writes straight into the snapshot (`direct.py`). Inside a caller's transaction
    (a TestCase, a non-transactional test) the run's row is invisible to the second connection
    the direct path needs, and the caller's commit decides anyway: stage and apply, as on SQLite."""
    return sql.is_postgresql() and not db_connection.in_atomic_block


def sync_request(*, connection: Connection, user, request=None) -> SyncRun:
    """Queue a sync for the background worker (the Sync now button): the run is recorded at once,
    so a second request is refused at once. Raises SyncAlreadyRunning."""
    with transaction.atomic():
        run = sync_run_start(connection=connection, trigger=SyncTrigger.BUTTON, user=user, queued=True)
        # The task row is written in this same transaction: both exist, or neither.
        result = sync_task.enqueue(run_id=run.pk)
        run.task_id = str(result.id)
        run.save(update_fields=["task_id"])
    audit_record(
        action=AuditAction.SYNC_REQUESTED,
        request=request,
        actor=user,
        target=f"connection {connection.name}",
        details={"connection_id": connection.pk, "sync_run_id": run.pk},
    )
    return run


ANALYZE_AFTER_ROWS = 10_000
# Tenants are about one for twenty hotlines, and ANALYZE of their table costs milliseconds: below
# 10,000 changed tenants SQLite (5,000 tenants beside 100,000 hotlines) had no statistics at all,
# so the Tenants page sorted by hotlines sorted every tenant itself (2.5-12 ms) instead of reading
# its partial index (0.4 ms).
TENANT_ANALYZE_AFTER_ROWS = 500


def _refresh_planner_statistics(run: SyncRun) -> None:
    """After a large change, give the planner fresh statistics now. PostgreSQL's autovacuum would
    get round to it, but right after a bulk import the planner has none and picked a list plan
    300× slower (94 ms instead of 0.3 ms, measured at 1,000,000 rows). SQLite never gathers them
    by itself, and without them does not use the list's partial sort indexes.

    On PostgreSQL a VACUUM comes with it: it marks the written pages all-visible, which is what
    lets a list page read its IDs from the sort index alone (`sort_plans.ids_first`); until then
    each index entry is checked against the table."""
    if db_connection.in_atomic_block:
        return
    tenants_changed = run.tenants_created + run.tenants_updated + run.tenants_removed
    for table, changed, threshold in (
        (Hotline._meta.db_table, run.created + run.updated + run.removed, ANALYZE_AFTER_ROWS),
        (sql_tenants.TENANT, tenants_changed, TENANT_ANALYZE_AFTER_ROWS),
    ):
        if changed >= threshold:
            with db_connection.cursor() as cursor:
                cursor.execute(f"{'VACUUM (ANALYZE)' if db_connection.vendor == 'postgresql' else 'ANALYZE'} {table}")


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


def _close_pages(pages: Pages) -> None:
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
