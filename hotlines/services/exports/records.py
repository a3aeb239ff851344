"""An export's record from asked to done, failed or expired: the only module that writes its state
(status, progress, file, error, task); the others call these functions, never update its fields."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import ExportFormat, ExportKind, ExportRecord, ExportStatus
from ...tasks import export_hotlines

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between progress writes of a background export
# Waiting for the worker or being written: an export that may still get its file.
IN_FLIGHT = (ExportStatus.PENDING, ExportStatus.RUNNING)


@dataclass(frozen=True, slots=True)
class CleanupResult:
    """What a cleanup did: files deleted past their retention, exports given up as abandoned."""

    files_deleted: int
    abandoned: int


def record_open(
    *,
    user,
    fmt: ExportFormat,
    params: dict,
    keys: list[str],
    rows: int,
    background: bool,
    filename: str,
    kind: str = ExportKind.HOTLINES,
) -> ExportRecord:
    """Record an export as asked: waiting for the worker (background) or being streamed now."""
    return ExportRecord.objects.create(
        user=user,
        kind=kind,
        username=user.get_username(),
        format=fmt,
        filters=params,
        columns=keys,
        row_count=rows,
        status=ExportStatus.PENDING if background else ExportStatus.RUNNING,
        background=background,
        filename=filename,
    )


def record_twin(
    *, user, fmt: str, params: dict, keys: list[str], exclude: int | None = None, kind: str = ExportKind.HOTLINES
) -> ExportRecord | None:
    """The user's identical background export still being written, if any (a double click)."""
    records = ExportRecord.objects.filter(user=user, kind=kind, format=fmt, background=True, status__in=IN_FLIGHT)
    for record in records.exclude(pk=exclude):
        if record.filters == params and record.columns == keys:
            return record
    return None


def record_discard(record: ExportRecord) -> None:
    """Forget an export recorded a moment ago that turned out to be a twin of a queued one."""
    record.delete()


def record_to_background(record: ExportRecord) -> None:
    """A direct export that found no free slot: it waits for the worker instead."""
    ExportRecord.objects.filter(pk=record.pk).update(status=ExportStatus.PENDING, background=True)
    record.status, record.background = ExportStatus.PENDING, True


def record_enqueue(record: ExportRecord, *, language: str) -> None:
    """Hand a waiting export to the worker, keeping its task's id; failed if it cannot be queued."""
    try:
        result = export_hotlines.enqueue(export_id=record.pk, language=language)
    except Exception as exc:
        logger.exception("export #%s could not be queued", record.pk)
        record_failed(record, error=_("The export could not be queued: %s") % exc)
        return
    ExportRecord.objects.filter(pk=record.pk).update(task_id=str(result.id)[:64])


def record_claim(export_id: int) -> bool:
    """Take a waiting export for this worker: False when another already took it (a task delivered twice)."""
    waiting = ExportRecord.objects.filter(pk=export_id, status=ExportStatus.PENDING)
    return bool(waiting.update(status=ExportStatus.RUNNING))


def record_progress(record: ExportRecord) -> Callable[[int], None]:
    """A callback that commits the rows written so far, at most every PROGRESS_EVERY seconds."""
    last = 0.0

    def progress(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY:
            last = now
            ExportRecord.objects.filter(pk=record.pk).update(progress=done)

    return progress


def _finish(record: ExportRecord, *, status: str, rows: int | None, error: str = "", **fields) -> None:
    changes = {"status": status, "finished_at": timezone.now(), "error": error, **fields}
    if rows is not None:
        changes.update(row_count=rows, progress=rows)
    ExportRecord.objects.filter(pk=record.pk).update(**changes)
    for name, value in changes.items():
        setattr(record, name, value)


def record_done(record: ExportRecord, *, rows: int) -> None:
    """A direct export whose last byte was written."""
    _finish(record, status=ExportStatus.DONE, rows=rows)


def record_stored(record: ExportRecord, *, rows: int, file: str) -> None:
    """A background export whose file is in storage, kept EXPORT_RETENTION_HOURS from now."""
    now = timezone.now()
    expires_at = now + timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    _finish(record, status=ExportStatus.DONE, rows=rows, file=file, finished_at=now, expires_at=expires_at)


def record_failed(record: ExportRecord, *, error: str, rows: int | None = None) -> None:
    """An export that stopped, and why (`rows`: those written before, when they are known)."""
    _finish(record, status=ExportStatus.FAILED, rows=rows, error=error)


def export_is_available(*, record: ExportRecord, now: datetime | None = None) -> bool:
    """Whether a background export's file can still be downloaded."""
    now = now or timezone.now()
    return bool(
        record.status == ExportStatus.DONE and record.file and record.expires_at is not None and record.expires_at > now
    )


def export_cleanup(*, now: datetime | None = None) -> CleanupResult:
    """Delete export files past their retention; fail exports no worker finished within it."""
    now = now or timezone.now()
    deleted = 0
    for record in ExportRecord.objects.filter(expires_at__lte=now).exclude(file=""):
        record.file.delete(save=False)
        ExportRecord.objects.filter(pk=record.pk).update(file="")
        deleted += 1
    abandoned = ExportRecord.objects.filter(
        status__in=IN_FLIGHT, created_at__lt=now - timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    ).update(status=ExportStatus.FAILED, finished_at=now, error=_("No worker finished this export in time."))
    if deleted or abandoned:
        logger.info("export cleanup: %s files deleted, %s abandoned exports failed", deleted, abandoned)
    return CleanupResult(files_deleted=deleted, abandoned=abandoned)
