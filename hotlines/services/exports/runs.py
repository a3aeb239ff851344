"""Exports as recorded, audited work: `export_start` answers a person's request (to stream now, or
queued for the worker), `export_run` is the worker's side of a queued one."""

from __future__ import annotations

import logging
import secrets
import tempfile
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from ...listing import VIEW_PARAM
from ...models import AuditAction, ExportFormat, ExportKind, ExportRecord
from ...selectors.saved_views import saved_view_columns
from ..audit import audit_record
from .columns import ExportColumn, export_api_columns, export_columns_for, export_columns_from_names
from .limits import QUEUED_LARGE, export_is_direct, over_direct_limit
from .records import (
    export_cleanup,
    record_claim,
    record_discard,
    record_enqueue,
    record_failed,
    record_open,
    record_progress,
    record_stored,
    record_to_background,
    record_twin,
)
from .selection import export_filename, export_params, export_selection
from .streaming import ExportJob, write_file

logger = logging.getLogger(__name__)


def _columns_for(*, fmt: str, visible: list[str], choice: str, kind: str) -> list[ExportColumn]:
    # JSON is for machines: always the API's object, field for field (a hotline's with its
    # tenants), whatever the list shows.
    if fmt == ExportFormat.JSON:
        return export_api_columns(kind=kind)
    return export_columns_for(visible=visible, choice=choice, kind=kind)


def export_start(
    *,
    user,
    query: QueryDict,
    fmt: str,
    columns: str,
    request: HttpRequest | None = None,
    kind: str = ExportKind.HOTLINES,
) -> ExportJob:
    """Record and audit an export of a list's rows (hotlines or tenants: the same rules and
    permission) for these query parameters. Exports too slow
    to stream (`export_is_direct`), or beyond the limits of exports streamed at once (per person and in all),
    are queued for the background worker; others are for the caller to stream."""
    if not user.has_perm("hotlines.export_hotline"):
        raise PermissionDenied
    fmt, kind = ExportFormat(fmt), ExportKind(kind)
    language = translation.get_language() or settings.LANGUAGE_CODE
    params = export_params(query)
    # A saved view open on the list shows its own columns: "the columns shown" are those.
    view_columns = saved_view_columns(user=user, raw=query.get(VIEW_PARAM)) if kind == ExportKind.HOTLINES else None
    selection = export_selection(params=params, user=user, request=request, kind=kind, columns=view_columns)
    queryset = selection.queryset
    chosen = _columns_for(fmt=fmt, visible=selection.columns, choice=columns, kind=kind)
    keys = [column.key for column in chosen]
    job = partial(ExportJob, queryset=queryset, columns=chosen, language=language)
    row_count = selection.count()
    background = not export_is_direct(fmt=fmt, rows=row_count)
    queued_because = QUEUED_LARGE if background else ""
    if background and (existing := record_twin(user=user, kind=kind, fmt=fmt, params=params, keys=keys)):
        return job(record=existing, queued_because=queued_because)
    filename = export_filename(params=params, extension=fmt.value, kind=kind)
    record = record_open(
        user=user, kind=kind, fmt=fmt, params=params, keys=keys, rows=row_count, background=background,
        filename=filename,
    )  # fmt: skip
    if not background and (queued_because := over_direct_limit(record)):
        # Too many streams at once: the worker writes this one, and the web processes stay free.
        if existing := record_twin(user=user, kind=kind, fmt=fmt, params=params, keys=keys, exclude=record.pk):
            record_discard(record)  # the same export is already queued (several clicks): never audited
            return job(record=existing, queued_because=queued_because)
        background = True
        record_to_background(record)
    audit_record(
        action=AuditAction.EXPORT,
        actor=user,
        request=request,
        target=f"export #{record.pk}",
        details={
            "list": kind.value,
            "format": fmt.value,
            "rows": row_count,
            "filters": params,
            "columns": keys,
            "background": background,
            "filename": record.filename,
        },
    )
    how = f"background ({queued_because})" if background else "now"
    logger.info("export #%s: %s %s, %s rows, %s", record.pk, kind.value, fmt.value, row_count, how)
    if background:
        record_enqueue(record, language=language)
        record.refresh_from_db()
    return job(record=record, queued_because=queued_because)


def export_run(*, export_id: int) -> ExportRecord:
    """Write a queued export's file into storage, reporting progress; kept EXPORT_RETENTION_HOURS."""
    export_cleanup()
    # Claimed by one worker only, so a task delivered twice writes the file once.
    if not record_claim(export_id):
        return ExportRecord.objects.get(pk=export_id)
    record = ExportRecord.objects.select_related("user").get(pk=export_id)
    if record.user is None or not record.user.is_active or not record.user.has_perm("hotlines.export_hotline"):
        record_failed(record, error=_("The user may no longer export hotlines."))
        return record
    job = ExportJob(
        record=record,
        queryset=export_selection(params=record.filters, user=record.user, kind=record.kind).queryset,
        columns=export_columns_from_names(record.columns, kind=record.kind),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    try:
        # No transaction here: progress must be committed as it goes for the page to show it.
        with tempfile.TemporaryFile() as handle:
            rows = write_file(job, handle, record_progress(record))
            handle.seek(0)
            name = f"{record.pk}-{secrets.token_hex(8)}-{record.filename}"
            record.file.save(name, File(handle, name=record.filename), save=False)
    except Exception as exc:
        logger.exception("background export #%s failed", record.pk)
        record_failed(record, error=str(exc) or exc.__class__.__name__)
        raise
    record_stored(record, rows=rows, file=record.file.name)
    logger.info("background export #%s done: %s rows", record.pk, rows)
    return record
