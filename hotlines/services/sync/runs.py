"""A sync run's state, owned here: every transition of a `SyncRun` is a function of this module.

queued -> running (`sync_run_start`, `sync_run_begin_queued`), heartbeats while it works
(`sync_run_heartbeat`, and `sync_run_tenants_read` once the tenant list is read), then
succeeded (`sync_run_lock`, `sync_run_succeed`) or failed
(`sync_run_fail`, `sync_run_cancel`, `sync_run_fail_if_dead`). No other module writes a run's
status, heartbeat, error or figures; they call these.

The database decides who runs: a partial unique index allows one queued or running run per
connection, across processes and machines. A run whose process died (its heartbeat stopped) or
whose queued task will never start is failed the next time someone asks, so it never blocks the
next sync for ever.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from ...choices import ACTIVE_SYNC_STATUSES, SyncStatus, TenantSyncState
from ...dates import when_log
from ...models import Connection, SyncRun
from ...selectors import freshness_forget
from ...tasks.watches import notify_sync_failed, watch_sync_run
from . import sql_staging
from .compare import PageCounts
from .tenants import TenantCounts

logger = logging.getLogger(__name__)


class SyncStopped(Exception):
    """The run was failed or cancelled from elsewhere while it worked; it carries the run as stored."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        super().__init__(run.error or "This sync was stopped before it finished.")


class SyncAlreadyRunning(Exception):
    """Another sync of this connection is queued or running; it carries that run."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        state = "queued" if run.status == SyncStatus.QUEUED else "running"
        super().__init__(
            f"A sync of '{run.connection}' is already {state} since {when_log(run.started_at)} (run #{run.pk})."
        )


def sync_run_start(*, connection: Connection, trigger: str, user=None, queued: bool = False) -> SyncRun:
    """Record a running (or queued) sync, or raise SyncAlreadyRunning.

    The insert itself is the test: the unique index on active runs refuses a second one. A
    blocking run that turns out to be dead is failed, and the insert tried again.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    connection=connection,
                    trigger=trigger,
                    requested_by=user,
                    status=SyncStatus.QUEUED if queued else SyncStatus.RUNNING,
                    heartbeat_at=None if queued else timezone.now(),
                )
        except IntegrityError:
            active = _active_run(connection)
            if active is not None and not sync_run_fail_if_dead(run=active):
                raise SyncAlreadyRunning(active) from None
    active = _active_run(connection)
    if active is None:  # pragma: no cover - three lost races in a row
        raise RuntimeError("could not record the sync run")
    raise SyncAlreadyRunning(active)


def _active_run(connection: Connection) -> SyncRun | None:
    active = SyncRun.objects.select_related("connection").filter(status__in=ACTIVE_SYNC_STATUSES)
    return active.filter(connection=connection).first()


def sync_run_dead_reason(*, run: SyncRun) -> str:
    """Why an active run will never finish, or '' while it is alive (or waiting its turn)."""
    now = timezone.now()
    if run.status == SyncStatus.RUNNING:
        beat = run.heartbeat_at or run.started_at
        if now - beat > timedelta(seconds=settings.SYNC_HEARTBEAT_TIMEOUT):
            return f"The process running this sync stopped responding (no sign of life since {when_log(beat)})."
        return ""
    if run.status != SyncStatus.QUEUED:
        return ""
    task_status = _task_status(run)
    if task_status is None:
        return "This sync was queued, but its background task is gone."
    if task_status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
        return "The background task for this sync ended without running it."
    waited = now - run.started_at
    if task_status == TaskResultStatus.RUNNING and waited > timedelta(seconds=settings.SYNC_HEARTBEAT_TIMEOUT):
        return "The background worker took this sync but never started it (it probably stopped)."
    if waited > timedelta(seconds=settings.SYNC_QUEUE_TIMEOUT):
        minutes = round(settings.SYNC_QUEUE_TIMEOUT / 60)
        return f"No background worker picked this sync up within {minutes} minutes (is `manage.py db_worker` running?)."
    return ""


def _task_status(run: SyncRun) -> TaskResultStatus | None:
    """What the task backend says of the run's task (the run's liveness while queued)."""
    if not run.task_id:
        return None
    try:
        return default_task_backend.get_result(run.task_id).status
    except TaskResultDoesNotExist:
        return None


def sync_run_fail_if_dead(*, run: SyncRun) -> bool:
    """Fail an active run that will never finish. True if it was (so it no longer blocks)."""
    reason = sync_run_dead_reason(run=run)
    if not reason:
        return False
    # Only if nothing moved since we looked: a run that just sent a heartbeat stays alive.
    failed = SyncRun.objects.filter(pk=run.pk, status=run.status, heartbeat_at=run.heartbeat_at).update(
        status=SyncStatus.FAILED, finished_at=timezone.now(), error=reason
    )
    if failed:
        freshness_forget()
        logger.warning("sync %s of %s marked failed: %s", run.pk, run.connection_id, reason)
        sql_staging.unstage(run_id=run.pk)
    return bool(failed)


def sync_run_begin_queued(*, run_id: int) -> SyncRun | None:
    """The worker takes a queued run: it becomes running now. None if it was cancelled or failed meanwhile."""
    now = timezone.now()
    taken = SyncRun.objects.filter(pk=run_id, status=SyncStatus.QUEUED).update(
        status=SyncStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if not taken:
        return None
    freshness_forget()
    return SyncRun.objects.select_related("connection").get(pk=run_id)


def sync_run_cancel(*, run: SyncRun, user) -> bool:
    """Stop a queued or running sync and drop what it staged; the snapshot stays as it was. False
    if it had already ended."""
    who = f" by {user.get_username()}" if user is not None else ""
    cancelled = SyncRun.objects.filter(pk=run.pk, status__in=ACTIVE_SYNC_STATUSES).update(
        status=SyncStatus.FAILED, finished_at=timezone.now(), error=f"Cancelled{who}; the previous data is unchanged."
    )
    freshness_forget()
    if cancelled:
        # A running sync of this run, in another process, may still stage a page before its next
        # heartbeat tells it to stop; it unstages again on its way out. A killed one never will.
        sql_staging.unstage(run_id=run.pk)
    return bool(cancelled)


def sync_run_heartbeat(run: SyncRun, *, db: BaseDatabaseWrapper | None = None) -> None:
    """Publish progress and prove we are alive; raise SyncStopped if the run was cancelled or
    failed meanwhile. `db`: a second connection, when the sync's own is inside a transaction
    others cannot see into yet (PostgreSQL's direct path); raw SQL there, as the ORM's managers
    use the default connection."""
    run.heartbeat_at = timezone.now()
    figures = _progress(run)
    if db is None:
        alive = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING).update(
            **figures, heartbeat_at=run.heartbeat_at
        )
    else:
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SyncRun._meta.db_table} SET {', '.join(f'{name} = %s' for name in figures)}, "  # noqa: S608
                "heartbeat_at = %s WHERE id = %s AND status = %s",
                [*figures.values(), run.heartbeat_at, run.pk, SyncStatus.RUNNING],
            )
            alive = cursor.rowcount
    if alive:
        return
    stored = SyncRun.objects.using(DEFAULT_DB_ALIAS).get(pk=run.pk)
    if db is not None and stored.status == SyncStatus.RUNNING:  # not stopped: the side connection cannot see it
        raise RuntimeError("the sync's run is not visible outside its transaction")
    raise SyncStopped(stored)


def _progress(run: SyncRun) -> dict[str, object]:
    """The figures a running sync publishes as it goes (both lists)."""
    return {
        "pages": run.pages, "fetched": run.fetched, "duplicates": run.duplicates, "tenants": run.tenants,
        "tenant_pages": run.tenant_pages, "tenants_fetched": run.tenants_fetched,
    }  # fmt: skip


def sync_run_tenants_read(run: SyncRun, *, available: bool) -> None:
    """The tenant list was read to the end (synced) or refused this key (unavailable): say so
    now, with the figures, so the progress shows it while the hotlines are fetched."""
    run.tenants = TenantSyncState.SYNCED if available else TenantSyncState.UNAVAILABLE
    sync_run_heartbeat(run)


def sync_run_lock(run: SyncRun) -> None:
    """Lock the run's row inside the transaction that publishes its snapshot, or raise
    SyncStopped if it was ended meanwhile: a cancel or dead-run sweep arriving now waits, then
    finds it done."""
    locked = SyncRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != SyncStatus.RUNNING:
        raise SyncStopped(locked)


def sync_run_succeed(run: SyncRun, *, counts: PageCounts, removed: int, tenants: TenantCounts) -> None:
    """Record the run's success and figures, the tenants' too (inside the publishing transaction,
    after `sync_run_lock`)."""
    run.created, run.updated = counts.new, counts.changed + counts.reappeared
    run.removed, run.unchanged, run.duplicates = removed, counts.same, counts.duplicates
    run.tenants = TenantSyncState.SYNCED if tenants.available else TenantSyncState.UNAVAILABLE
    run.tenants_created, run.tenants_updated = tenants.new, tenants.changed + tenants.reappeared
    run.tenants_removed, run.tenants_unchanged = tenants.removed, tenants.same
    run.status = SyncStatus.SUCCEEDED
    run.finished_at = run.heartbeat_at = timezone.now()
    run.error = ""
    run.save()
    if run.created or run.updated or run.removed:
        # The watches are worked out by the worker once this commit is visible, never inside it:
        # watching never slows the sync's commit, and a rolled-back publish notifies nobody.
        transaction.on_commit(partial(watch_sync_run.enqueue, sync_run_id=run.pk), robust=True)


def sync_run_fail(run: SyncRun, message: str, *, retryable: bool | None = None) -> None:
    """Record the failure, unless the run was already ended from elsewhere (cancel, dead sweep);
    `retryable` says whether eTelecom's error was transient (True) or permanent (False)."""
    now = timezone.now()
    updated = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING).update(
        status=SyncStatus.FAILED, error=message, retryable=retryable, finished_at=now, heartbeat_at=now,
        **_progress(run),
    )  # fmt: skip
    freshness_forget()
    if updated:
        run.status, run.error, run.finished_at, run.heartbeat_at = SyncStatus.FAILED, message, now, now
        run.retryable = retryable
        # Its requester and the Administrators are told, by the worker.
        transaction.on_commit(partial(notify_sync_failed.enqueue, sync_run_id=run.pk), robust=True)
    else:
        run.refresh_from_db()
