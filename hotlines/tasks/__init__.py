"""Background tasks (Django's tasks framework, run by `manage.py db_worker`): thin wrappers around services."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task
from django.utils import translation


@task()
def export_hotlines(*, export_id: int, language: str = "") -> dict:
    """Write a queued export's file (headers and labels in the language of the person who asked)."""
    from ..services.exports import export_run

    with translation.override(language or settings.LANGUAGE_CODE):
        record = export_run(export_id=export_id)
    return {"export_id": record.pk, "status": record.status, "rows": record.row_count}


@task()
def sync_hotlines(*, run_id: int) -> dict:
    """Run a sync queued by the Sync now button (the run was recorded when the button was pressed).

    SIGINT or SIGTERM to the worker stops the sync within seconds (its run records why), and the
    worker then exits as it would between two tasks: one stuck sync never keeps it from stopping.
    """
    from ..services.sync import SyncInterrupted, hotlines_sync_queued, sync_stop_on_signals

    try:
        with sync_stop_on_signals():
            run = hotlines_sync_queued(run_id=run_id)
    except SyncInterrupted as exc:
        if exc.run is None:
            raise
        run = exc.run  # the task did its job: the run says why it stopped
    if run is None:
        return {"sync_run_id": run_id, "status": "skipped"}
    return {"sync_run_id": run.pk, "status": run.status, "error": run.error}
