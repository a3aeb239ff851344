"""Writing an export's file: its rows read through a server-side cursor and handed to the writers,
streamed to the response (CSV, JSON, Excel) or into a file for the worker. The record is finished
through `records`, with the last byte or the first error."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import batched
from typing import IO

from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, Func, QuerySet, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ...iterators import read_ahead
from ...models import ExportFormat, ExportKind, ExportRecord, Hotline, Tenant
from ...selectors.tenancy import OWNER_FIELDS
from .columns import DATETIME, ExportColumn
from .records import record_done, record_failed
from .tenant_values import (
    accounts_with_very_many_tenants,
    tenants_beside_rows,
    with_tenants,
    with_tenants_beside,
    with_tenants_from_rows,
)
from .writers import Progress, Row, csv_chunks, json_chunks
from .xlsx import xlsx_chunks

logger = logging.getLogger(__name__)

ITERATOR_CHUNK = 5000  # rows fetched per round trip from the server-side cursor
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class ExportJob:
    """An export that was asked for: its record, and the rows and columns its file holds."""

    record: ExportRecord
    queryset: QuerySet[Hotline] | QuerySet[Tenant]
    columns: list[ExportColumn]
    # A stream is written after the view returned, when the request's language may be gone.
    language: str
    queued_because: str = ""  # one of limits.QUEUED_*, for a background export

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.record.format]


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


def _rows(job: ExportJob, *, ahead: bool) -> Iterator[Row]:
    """Plain tuples from a server-side cursor: no model instances, a bounded number in memory.
    The hotline's tenants (derived columns) are read per account or per chunk of rows
    (`with_tenants`), or beside each row for an account with very many (`with_tenants_beside`)."""
    stored = [column for column in job.columns if not column.derived]
    queryset, fields = job.queryset, [column.field for column in stored]
    if _local_dates_in_database(job):
        zone = timezone.get_default_timezone_name()
        as_text = job.record.format == ExportFormat.CSV
        annotations = {}
        for index, column in enumerate(stored):
            if column.kind == DATETIME:
                fields[index] = f"export_{column.key}"
                annotations[fields[index]] = _LocalTime(column.field, zone=zone, as_text=as_text)
        queryset = queryset.annotate(**annotations)
    if len(stored) == len(job.columns):
        return _read_ahead(queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK), ahead=ahead)
    large = accounts_with_very_many_tenants()
    if tenants_beside_rows(large):
        rows = with_tenants_beside(queryset, fields).iterator(chunk_size=ITERATOR_CHUNK)
        return with_tenants_from_rows(_read_ahead(rows, ahead=ahead), job.columns)
    rows = queryset.values_list(*fields, *OWNER_FIELDS).iterator(chunk_size=ITERATOR_CHUNK)
    return with_tenants(_read_ahead(rows, ahead=ahead), job.columns, chunk=ITERATOR_CHUNK, large=large)


def _read_ahead(rows: Iterator[tuple], *, ahead: bool) -> Iterator[tuple]:
    """PostgreSQL, with `ahead`: the rows, fetched by a thread one chunk ahead of the writer.

    A server-side cursor computes each chunk only when it is fetched, so the database and the
    writer took turns: half of a 200,000-row export waited on the fetch. The query runs here
    first, on this thread's connection and inside its transaction (`_streaming_read`); the
    thread then only fetches from its cursor (psycopg's connections are thread-safe: a tenant
    query of the writer's waits for a fetch in progress). SQLite reads fast enough as it is, and
    its connection is best left to one thread.

    Only for a download a person waits for (a streamed export). The background worker's exports
    take turns with the database as before: it runs at a lower priority so that browsing comes
    first, but its database backend does not, and reading ahead kept that backend busy beside
    the web processes (under the load run: 57-65 requests/s with it, 71 without)."""
    if not ahead or connection.vendor != "postgresql":
        yield from rows
        return
    first = next(rows, None)
    if first is None:
        return
    yield first
    with contextlib.closing(read_ahead(batched(rows, ITERATOR_CHUNK), name="export-rows")) as chunks:
        for chunk in chunks:
            yield from chunk


def _streaming_read() -> AbstractContextManager:
    """On PostgreSQL, read inside a transaction: outside one, Django declares the cursor WITH HOLD,
    which makes the server compute the whole result before the first row arrives."""
    if connection.vendor == "postgresql":
        return transaction.atomic()
    # SQLite reads lazily anyway, and a transaction there would hold the write lock.
    return contextlib.nullcontext()


def _chunks(job: ExportJob, progress: Progress, *, ahead: bool) -> Iterator[bytes]:
    rows = _rows(job, ahead=ahead)
    if job.record.format == ExportFormat.JSON:
        return json_chunks(rows, job.columns, progress=progress)
    if job.record.format == ExportFormat.XLSX:
        return xlsx_chunks(
            rows,
            job.columns,
            tz=timezone.get_default_timezone(),
            local_dates=_local_dates_in_database(job),
            sheet_title=_("Tenants") if job.record.kind == ExportKind.TENANTS else _("Hotlines"),
            progress=progress,
        )
    return csv_chunks(
        rows,
        job.columns,
        tz=timezone.get_default_timezone(),
        local_dates=_local_dates_in_database(job),
        progress=progress,
    )


class ExportStream:
    """The file's bytes (CSV, JSON or Excel) as the rows are read. The record is finished with the
    last byte; closed before that (the browser went away, a HEAD request), the export is recorded
    as interrupted."""

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
            self._failed(_("The download was interrupted."))

    def _count(self, done: int) -> None:
        self.written = done

    def _failed(self, error: str) -> None:
        self.finished = True
        record_failed(self.job.record, error=error, rows=self.written)

    def _generate(self) -> Iterator[bytes]:
        job = self.job
        try:
            with translation.override(job.language), _streaming_read():
                yield from _chunks(job, self._count, ahead=True)
        except GeneratorExit:
            raise  # closed early: close() records it
        except Exception as exc:
            logger.exception("export #%s failed", job.record.pk)
            self._failed(str(exc) or exc.__class__.__name__)
            raise
        self.finished = True
        record_done(job.record, rows=self.written)


def export_stream(*, job: ExportJob) -> ExportStream:
    """The bytes of an export (any format), for a StreamingHttpResponse."""
    return ExportStream(job)


def write_file(job: ExportJob, handle: IO[bytes], progress: Progress) -> int:
    """Write a background export's whole file into `handle`, reporting progress; the rows written."""
    written = 0

    def count(done: int) -> None:
        nonlocal written
        written = done
        progress(done)

    for chunk in _chunks(job, count, ahead=False):  # the worker: see _read_ahead
        handle.write(chunk)
    return written
