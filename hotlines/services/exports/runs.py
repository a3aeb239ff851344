"""Exports as recorded, audited work: streamed straight to the browser or written in the background."""

from __future__ import annotations

import contextlib
import logging
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, Func, QuerySet, Value
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ...models import AuditAction, ExportFormat, ExportRecord, ExportStatus, Hotline
from ..audit import audit_record
from .columns import API_COLUMNS, DATETIME, ExportColumn, export_columns_for, export_columns_from_names
from .selection import export_filename, export_params, export_selection
from .writers import Row, csv_chunks, json_chunks, xlsx_write

logger = logging.getLogger(__name__)

ITERATOR_CHUNK = 5000  # rows fetched per round trip from the server-side cursor
PROGRESS_EVERY = 0.5  # seconds between progress writes of a background export
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IN_FLIGHT = (ExportStatus.PENDING, ExportStatus.RUNNING)
# Rows written per second, by format, through the list view on 2 shared cores, as measured by
# `make bench` (docs/benchmarks.md; README, "Exports"): CSV 103,000-121,000 on SQLite and
# 152,000-209,000 on PostgreSQL, JSON 69,000-90,000, Excel 18,800-25,300. The low end of each, so
# that an export expected to fit in EXPORT_MAX_DIRECT_SECONDS does: with 3 s, Excel streams up to
# 60,000 rows, JSON 210,000 and CSV 360,000.
EXPORT_RATES = {ExportFormat.CSV: 120_000, ExportFormat.JSON: 70_000, ExportFormat.XLSX: 20_000}
# Why an export went to the background worker rather than straight to the browser.
QUEUED_LARGE = "large"  # expected to take over EXPORT_MAX_DIRECT_SECONDS, or over EXPORT_MAX_SYNC_ROWS rows
QUEUED_USER_LIMIT = "user_limit"  # the person already streams EXPORT_MAX_CONCURRENT_PER_USER exports
QUEUED_SITE_LIMIT = "site_limit"  # EXPORT_MAX_CONCURRENT exports are being streamed in all


@dataclass(frozen=True, slots=True)
class ExportJob:
    """An export that was asked for: its record, and the rows and columns its file holds."""

    record: ExportRecord
    queryset: QuerySet[Hotline]
    columns: list[ExportColumn]
    # A stream is written after the view returned, when the request's language may be gone.
    language: str
    queued_because: str = ""  # one of QUEUED_*, for a background export

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.record.format]


@dataclass(frozen=True, slots=True)
class CleanupResult:
    """What a cleanup did: files deleted past their retention, exports given up as abandoned."""

    files_deleted: int
    abandoned: int


def _columns_for(*, fmt: str, visible: list[str], choice: str) -> list[ExportColumn]:
    # JSON is for machines: always the API's object, field for field, whatever the list shows.
    return list(API_COLUMNS) if fmt == ExportFormat.JSON else export_columns_for(visible=visible, choice=choice)


def _in_flight(*, user, fmt: str, params: dict, keys: list[str], exclude: int | None = None) -> ExportRecord | None:
    """The user's identical background export still being written, if any (a double click)."""
    records = ExportRecord.objects.filter(user=user, format=fmt, background=True, status__in=IN_FLIGHT)
    for record in records.exclude(pk=exclude):
        if record.filters == params and record.columns == keys:
            return record
    return None


def export_direct_slots(*, now: datetime | None = None) -> QuerySet[ExportRecord]:
    """The exports being streamed in a request right now: each holds a web process and a database
    connection until its last byte. One whose process died (never finished, older than
    EXPORT_SLOT_TIMEOUT) no longer counts."""
    since = (now or timezone.now()) - timedelta(seconds=settings.EXPORT_SLOT_TIMEOUT)
    return ExportRecord.objects.filter(background=False, status=ExportStatus.RUNNING, created_at__gt=since)


def _over_direct_limit(record: ExportRecord) -> str:
    """QUEUED_USER_LIMIT or QUEUED_SITE_LIMIT when this direct export, already recorded as running,
    is one too many, else "". Counted after the record was written, so that processes racing for
    the last slot cannot all take it: the last one to count sees the others (at worst, all of
    them go to the worker)."""
    slots = export_direct_slots()
    if slots.filter(user_id=record.user_id).count() > settings.EXPORT_MAX_CONCURRENT_PER_USER:
        return QUEUED_USER_LIMIT
    if slots.count() > settings.EXPORT_MAX_CONCURRENT:
        return QUEUED_SITE_LIMIT
    return ""


def export_expected_seconds(*, fmt: str, rows: int) -> float:
    """How long writing this many rows in this format should take, from the measured rates."""
    return rows / EXPORT_RATES[ExportFormat(fmt)]


def export_is_direct(*, fmt: str, rows: int) -> bool:
    """Whether an export is quick enough to stream in the request: expected within
    EXPORT_MAX_DIRECT_SECONDS (the person waits that long before the download starts, holding a
    web process), and never over EXPORT_MAX_SYNC_ROWS rows whatever the rates say."""
    if rows > settings.EXPORT_MAX_SYNC_ROWS:
        return False
    return export_expected_seconds(fmt=fmt, rows=rows) <= settings.EXPORT_MAX_DIRECT_SECONDS


def export_start(*, user, query: QueryDict, fmt: str, columns: str, request: HttpRequest | None = None) -> ExportJob:
    """Record and audit an export of the list's rows for these query parameters. Exports too slow
    to stream (`export_is_direct`), or beyond the limits of exports streamed at once (per person and in all),
    are queued for the background worker; others are for the caller to stream."""
    if not user.has_perm("hotlines.export_hotline"):
        raise PermissionDenied
    fmt = ExportFormat(fmt)
    language = translation.get_language() or settings.LANGUAGE_CODE
    params = export_params(query)
    selection = export_selection(params=params, user=user, request=request)
    queryset = selection.queryset
    chosen = _columns_for(fmt=fmt, visible=selection.columns, choice=columns)
    keys = [column.key for column in chosen]
    job = partial(ExportJob, queryset=queryset, columns=chosen, language=language)
    row_count = queryset.count()
    background = not export_is_direct(fmt=fmt, rows=row_count)
    queued_because = QUEUED_LARGE if background else ""
    if background and (existing := _in_flight(user=user, fmt=fmt, params=params, keys=keys)):
        return job(record=existing, queued_because=queued_because)
    record = ExportRecord.objects.create(
        user=user,
        username=user.get_username(),
        format=fmt,
        filters=params,
        columns=keys,
        row_count=row_count,
        status=ExportStatus.PENDING if background else ExportStatus.RUNNING,
        background=background,
        filename=export_filename(params=params, extension=fmt.value),
    )
    if not background and (queued_because := _over_direct_limit(record)):
        # Too many streams at once: the worker writes this one, and the web processes stay free.
        if existing := _in_flight(user=user, fmt=fmt, params=params, keys=keys, exclude=record.pk):
            record.delete()  # the same export is already queued (several clicks): never audited
            return job(record=existing, queued_because=queued_because)
        background = True
        ExportRecord.objects.filter(pk=record.pk).update(status=ExportStatus.PENDING, background=True)
        record.status, record.background = ExportStatus.PENDING, True
    audit_record(
        action=AuditAction.EXPORT,
        actor=user,
        request=request,
        target=f"export #{record.pk}",
        details={
            "format": fmt.value,
            "rows": row_count,
            "filters": params,
            "columns": keys,
            "background": background,
            "filename": record.filename,
        },
    )
    how = f"background ({queued_because})" if background else "now"
    logger.info("export #%s: %s, %s rows, %s", record.pk, fmt.value, row_count, how)
    if background:
        _enqueue(record, language=language)
        record.refresh_from_db()
    return job(record=record, queued_because=queued_because)


def _enqueue(record: ExportRecord, *, language: str) -> None:
    from ...tasks import export_hotlines  # tasks wrap services: import late to avoid a cycle

    try:
        result = export_hotlines.enqueue(export_id=record.pk, language=language)
    except Exception as exc:
        logger.exception("export #%s could not be queued", record.pk)
        _finish(record, status=ExportStatus.FAILED, rows=None, error=_("The export could not be queued: %s") % exc)
        return
    ExportRecord.objects.filter(pk=record.pk).update(task_id=str(result.id)[:64])


def _finish(record: ExportRecord, *, status: str, rows: int | None, error: str = "", **fields) -> None:
    changes = {"status": status, "finished_at": timezone.now(), "error": error, **fields}
    if rows is not None:
        changes.update(row_count=rows, progress=rows)
    ExportRecord.objects.filter(pk=record.pk).update(**changes)
    for name, value in changes.items():
        setattr(record, name, value)


class _LocalTime(Func):
    """PostgreSQL: a timestamp as the wall-clock time of a zone, as a naive timestamp or as text."""

    def __init__(self, field: str, *, zone: str, as_text: bool) -> None:
        if as_text:
            self.template = "to_char(timezone(%(expressions)s), 'YYYY-MM-DD HH24:MI:SS')"
        else:
            self.template = "timezone(%(expressions)s)"
        super().__init__(Value(zone), F(field), output_field=CharField() if as_text else DateTimeField())


def _local_dates_in_database(job: ExportJob) -> bool:
    # PostgreSQL converts and formats timestamps several times faster than Python does per value.
    return connection.vendor == "postgresql" and job.record.format in (ExportFormat.CSV, ExportFormat.XLSX)


def _rows(job: ExportJob) -> Iterator[Row]:
    """Plain tuples from a server-side cursor: no model instances, a bounded number in memory."""
    queryset, fields = job.queryset, [column.field for column in job.columns]
    if _local_dates_in_database(job):
        zone = timezone.get_default_timezone_name()
        as_text = job.record.format == ExportFormat.CSV
        annotations = {}
        for index, column in enumerate(job.columns):
            if column.kind == DATETIME:
                fields[index] = f"export_{column.key}"
                annotations[fields[index]] = _LocalTime(column.field, zone=zone, as_text=as_text)
        queryset = queryset.annotate(**annotations)
    return queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK)


def _streaming_read():
    """On PostgreSQL, read inside a transaction: outside one, Django declares the cursor WITH HOLD,
    which makes the server compute the whole result before the first row arrives."""
    if connection.vendor == "postgresql":
        return transaction.atomic()
    # SQLite reads lazily anyway, and a transaction there would hold the write lock.
    return contextlib.nullcontext()


def _chunks(job: ExportJob, progress) -> Iterator[bytes]:
    if job.record.format == ExportFormat.JSON:
        return json_chunks(_rows(job), job.columns, progress=progress)
    return csv_chunks(
        _rows(job),
        job.columns,
        tz=timezone.get_default_timezone(),
        local_dates=_local_dates_in_database(job),
        progress=progress,
    )


def _xlsx(job: ExportJob, handle: IO[bytes], progress=None) -> int:
    return xlsx_write(
        handle,
        _rows(job),
        job.columns,
        tz=timezone.get_default_timezone(),
        local_dates=_local_dates_in_database(job),
        sheet_title=_("Hotlines"),
        progress=progress,
    )


class ExportStream:
    """The CSV or JSON bytes as the rows are read. The record is finished with the last byte; closed
    before that (the browser went away, a HEAD request), the export is recorded as interrupted."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.written = 0
        self.finished = False
        self._chunks = self._generate()

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Called by the response once it is sent or abandoned."""
        self._chunks.close()
        if not self.finished:
            self._end(ExportStatus.FAILED, _("The download was interrupted."))

    def _count(self, done: int) -> None:
        self.written = done

    def _end(self, status: str, error: str = "") -> None:
        self.finished = True
        _finish(self.job.record, status=status, rows=self.written, error=error)

    def _generate(self) -> Iterator[bytes]:
        job = self.job
        try:
            with translation.override(job.language), _streaming_read():
                yield from _chunks(job, self._count)
        except GeneratorExit:
            raise  # closed early: close() records it
        except Exception as exc:
            logger.exception("export #%s failed", job.record.pk)
            self._end(ExportStatus.FAILED, str(exc) or exc.__class__.__name__)
            raise
        self._end(ExportStatus.DONE)


def export_stream(*, job: ExportJob) -> ExportStream:
    """The bytes of a CSV or JSON export, for a StreamingHttpResponse."""
    return ExportStream(job)


def export_xlsx_file(*, job: ExportJob) -> IO[bytes]:
    """The workbook written into an anonymous temporary file (gone once closed), rewound."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it once sent
    try:
        with translation.override(job.language), _streaming_read():
            rows = _xlsx(job, handle)
    except Exception as exc:
        handle.close()
        logger.exception("export #%s failed", job.record.pk)
        _finish(job.record, status=ExportStatus.FAILED, rows=None, error=str(exc))
        raise
    _finish(job.record, status=ExportStatus.DONE, rows=rows)
    handle.seek(0)
    return handle


def _progress_writer(record: ExportRecord):
    last = 0.0

    def progress(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY:
            last = now
            ExportRecord.objects.filter(pk=record.pk).update(progress=done)

    return progress


def export_run(*, export_id: int) -> ExportRecord:
    """Write a queued export's file into storage, reporting progress; kept EXPORT_RETENTION_HOURS."""
    export_cleanup()
    # Claimed by one worker only, so a task delivered twice writes the file once.
    if not ExportRecord.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(status=ExportStatus.RUNNING):
        return ExportRecord.objects.get(pk=export_id)
    record = ExportRecord.objects.select_related("user").get(pk=export_id)
    if record.user is None or not record.user.is_active or not record.user.has_perm("hotlines.export_hotline"):
        _finish(record, status=ExportStatus.FAILED, rows=None, error=_("The user may no longer export hotlines."))
        return record
    job = ExportJob(
        record=record,
        queryset=export_selection(params=record.filters, user=record.user).queryset,
        columns=export_columns_from_names(record.columns),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    progress = _progress_writer(record)
    try:
        # No transaction here: progress must be committed as it goes for the page to show it.
        with tempfile.TemporaryFile() as handle:
            rows = _write_file(job, handle, progress)
            handle.seek(0)
            name = f"{record.pk}-{secrets.token_hex(8)}-{record.filename}"
            record.file.save(name, File(handle, name=record.filename), save=False)
    except Exception as exc:
        logger.exception("background export #%s failed", record.pk)
        _finish(record, status=ExportStatus.FAILED, rows=None, error=str(exc) or exc.__class__.__name__)
        raise
    now = timezone.now()
    expires_at = now + timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    _finish(record, status=ExportStatus.DONE, rows=rows, file=record.file.name, finished_at=now, expires_at=expires_at)
    logger.info("background export #%s done: %s rows", record.pk, rows)
    return record


def _write_file(job: ExportJob, handle: IO[bytes], progress) -> int:
    if job.record.format == ExportFormat.XLSX:
        return _xlsx(job, handle, progress)
    written = 0

    def count(done: int) -> None:
        nonlocal written
        written = done
        progress(done)

    for chunk in _chunks(job, count):
        handle.write(chunk)
    return written


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
