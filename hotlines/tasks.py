"""Background tasks (Django's tasks framework, run by `manage.py db_worker`): thin wrappers around services."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task
from django.utils import translation


@task()
def export_hotlines(*, export_id: int, language: str = "") -> dict:
    """Write a queued export's file (headers and labels in the language of the person who asked)."""
    from .services.exports import export_run

    with translation.override(language or settings.LANGUAGE_CODE):
        record = export_run(export_id=export_id)
    return {"export_id": record.pk, "status": record.status, "rows": record.row_count}


@task()
def sync_hotlines(*, run_id: int) -> dict:
    """Run a sync queued by the Sync now button (the run was recorded when the button was pressed)."""
    from .services.sync import hotlines_sync_queued

    run = hotlines_sync_queued(run_id=run_id)
    if run is None:
        return {"sync_run_id": run_id, "status": "skipped"}
    return {"sync_run_id": run.pk, "status": run.status, "error": run.error}
