"""Exports: rows per second, time to first byte and peak memory of our CSV, JSON and Excel, beside
django-tables2's `TableExport` (tablib) for the same rows in the same run, and Excel beside the
writer it replaced (XlsxWriter's constant-memory mode, `xlsxwriter_legacy`) on the same rows.

Ours go through the list view exactly as a browser's `?_export=…` does (filterset, table ordering,
record, audit, streaming). TableExport renders the same table; it holds everything in memory, so at
a million rows it is measured on the first PEER_ROWS rows (the case names say so) and ours is
measured on both sizes: the full one, and the peer's, for a like-for-like ratio.

Each case runs in a fresh Python process: the parent's heap (the sync that filled the database,
earlier cases) would otherwise hide or inflate the memory a case needs.
"""

from __future__ import annotations

import multiprocessing
import os

from .common import Context, Result, ensure_synced, fmt_rate, measure

SUITE = "export"
PEER_ROWS = 100_000
FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel"}
CSV_TARGET = 100_000  # rows/s on PostgreSQL
GROWTH_TARGET_MB = 100
EXCEL_SPEED_TARGET = 5.0  # × TableExport's rows/s
EXCEL_MEMORY_TARGET = 0.2  # × TableExport's peak memory
EXCEL_RATE_TARGET = 60_000  # rows/s: 3× the replaced writer's ~20,000 (issue 18)
FIRST_BYTE_TARGET = 2.0  # seconds before a download starts (issue 18)


def _setup_child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    import django

    django.setup()
    from django.conf import settings

    # Measure the streamed path, never the background one (by rows or by expected time).
    settings.EXPORT_MAX_SYNC_ROWS = 10**12
    settings.EXPORT_MAX_DIRECT_SECONDS = 10**12
    # A web process that serves an export has warmed itself before its first request (gunicorn's
    # post_worker_init): the list's counts and filter choices are in its cache, as a person who
    # exports from the list finds them. Without it, the first byte counted 10,000,000 hotlines
    # twice (5 s) for this process alone.
    from etelecom_admin.warmup import warm_up

    warm_up()


def _ours(fmt: str, limit: int | None, repeat: int = 1, legacy: bool = False) -> tuple[float, float, int, int, float]:
    """An export of ours, the fastest of `repeat` runs (the machine is shared: the fastest is the
    least disturbed); returns (seconds, highest peak MB, rows, bytes, seconds to the first byte).
    With `legacy`, the same job's rows are written by the replaced XlsxWriter writer, into a
    temporary file sent once complete, as it was. The full size goes through
    the list view as a browser's request does; the peer's subset (which no list filter expresses)
    goes through the same service and writers, with the same query cut to its first `limit` rows."""
    _setup_child()
    import dataclasses
    import tempfile
    import time

    from django.contrib.auth import get_user_model
    from django.http import FileResponse, QueryDict, StreamingHttpResponse
    from django.test import RequestFactory
    from django.utils import timezone

    from hotlines.models import ExportRecord
    from hotlines.services import exports
    from hotlines.services.exports import streaming
    from hotlines.views.hotlines import HotlineListView

    from .xlsxwriter_legacy import xlsx_write

    user = get_user_model().objects.get(username="bench-exporter")

    def sent(response, started: float) -> tuple[int, float]:
        size, first = 0, None
        for chunk in response:
            if first is None and chunk:
                first = time.perf_counter() - started
            size += len(chunk)
        response.close()
        return size, first or 0.0

    def through_view() -> tuple[int, float]:
        started = time.perf_counter()
        request = RequestFactory().get("/hotlines/", {"_export": fmt})
        request.user = user
        request.session = {}
        response = HotlineListView.as_view()(request)
        assert response.status_code == 200, response.status_code
        return sent(response, started)

    def through_service() -> tuple[int, float]:
        started = time.perf_counter()
        job = exports.export_start(user=user, query=QueryDict(), fmt=fmt, columns=exports.VISIBLE)
        job = dataclasses.replace(job, queryset=_limited(job.queryset, limit))
        if legacy:
            handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
            with streaming._streaming_read():
                rows = xlsx_write(
                    handle, streaming._rows(job, ahead=True), job.columns, tz=timezone.get_default_timezone(),
                    local_dates=streaming._local_dates_in_database(job), sheet_title="Hotlines",
                )  # fmt: skip
            ExportRecord.objects.filter(pk=job.record.pk).update(row_count=rows)
            handle.seek(0)
            return sent(FileResponse(handle), started)
        return sent(StreamingHttpResponse(exports.export_stream(job=job)), started)

    runs = [measure(through_service if limit or legacy else through_view) for _ in range(repeat)]
    record = ExportRecord.objects.latest("pk")
    fastest = min(runs, key=lambda run: run.seconds)
    size, first_byte = fastest.result
    return fastest.seconds, max(run.peak_mb for run in runs), record.row_count or 0, size, first_byte


def _limited(queryset, limit: int | None):
    """The first `limit` rows of the list's default order (newest first), cut where an index scan
    of that order stops, so that the subset costs what its size costs."""
    if not limit:
        return queryset
    from hotlines.models import Hotline

    newest = Hotline.objects.filter(is_removed=False).order_by("-created_at", "-id")
    oldest_kept = newest.values_list("created_at", flat=True)[limit - 1]
    return queryset.filter(created_at__gte=oldest_kept)


def _peer(fmt: str, limit: int) -> tuple[float, float, int, int]:
    """django-tables2's TableExport of the same table (default columns, same order)."""
    _setup_child()
    from django.http import QueryDict
    from django_tables2.export import TableExport

    from hotlines import listing
    from hotlines.models import Hotline

    def run() -> int:
        table = listing.list_request(QueryDict()).table()
        # Fair to the peer: whole rows with their connection in one query (no per-row lazy loads),
        # and only the columns the list shows (TableExport would also write the hidden ones).
        table.data.data = _limited(table.data.data.defer(None).select_related("connection"), limit)
        hidden = [column.name for column in table.columns.iterall() if not column.visible]
        data = TableExport(fmt, table, exclude_columns=hidden).export()
        return len(data)

    result = measure(run)
    rows = _limited(Hotline.objects.filter(is_removed=False), limit).count()
    return result.seconds, result.peak_mb, rows, result.result


def _isolated(func, *args):
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(func, args)


def run(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from hotlines.models import Hotline

    ensure_synced(ctx)
    user, _ = get_user_model().objects.get_or_create(username="bench-exporter")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="hotlines", codename__in=["view_hotline", "export_hotline"])
    )
    rows = Hotline.objects.filter(is_removed=False).count()
    peer_rows = min(rows, PEER_ROWS)
    results = []
    for fmt, label in FORMATS.items():
        full = _isolated(_ours, fmt, None, 1 if fmt == "xlsx" else 3)
        same = _isolated(_ours, fmt, peer_rows, 1 if fmt == "xlsx" else 3) if peer_rows < rows else full
        peer = _isolated(_peer, fmt, peer_rows)
        results += _report(ctx, fmt, label, rows=rows, full=full, same=same, peer=peer)
        if fmt == "xlsx":
            results += _report_legacy(ctx, rows=rows, ours=full, legacy=_isolated(_ours, fmt, None, 1, True))
    return results


def _report_legacy(ctx, *, rows, ours, legacy) -> list[Result]:
    """Excel beside the writer it replaced, on the same rows in the same run: speed and first byte."""
    seconds, peak, _, size, first = ours
    old_seconds, old_peak, old_rows, old_size, old_first = legacy
    assert old_rows == rows, f"XlsxWriter: {old_rows} rows of {rows}"
    speed = old_seconds / seconds if seconds else 0.0
    peer = f"XlsxWriter constant_memory (replaced), {rows:,} rows"
    extra = {
        "rows": rows, "seconds": round(seconds, 2), "first_byte_s": round(first, 3), "peak_mb": round(peak, 1),
        "bytes": size, "old_seconds": round(old_seconds, 2), "old_first_byte_s": round(old_first, 3),
        "old_peak_mb": round(old_peak, 1), "old_bytes": old_size,
    }  # fmt: skip
    return [
        Result(
            suite=SUITE, case=f"Excel, {ctx.db}, {rows:,} rows: beside the replaced writer",
            value=f"{fmt_rate(rows, seconds)}, first byte {first:.2f} s, {peak:.0f} MB",
            peer=peer, peer_value=f"{fmt_rate(rows, old_seconds)}, first byte {old_first:.2f} s, {old_peak:.0f} MB",
            ratio=f"{speed:.1f}× faster",
            target=f"≥ {EXCEL_RATE_TARGET:,} rows/s, first byte ≤ {FIRST_BYTE_TARGET:g} s",
            ok=rows / seconds >= EXCEL_RATE_TARGET and first <= FIRST_BYTE_TARGET, extra=extra,
        )
    ]  # fmt: skip


def _report(ctx, fmt, label, *, rows, full, same, peer) -> list[Result]:
    seconds, peak, written, size, first = full
    same_seconds, same_peak, same_written, *_ = same
    peer_seconds, peer_peak, peer_rows, peer_size = peer
    assert written == rows, f"{label}: exported {written} rows of {rows}"
    assert same_written == peer_rows, f"{label}: {same_written} rows beside the peer's {peer_rows}"
    rate, same_rate, peer_rate = rows / seconds, same_written / same_seconds, peer_rows / peer_seconds
    runs = "fastest of 3, " if fmt != "xlsx" else ""
    speed = same_rate / peer_rate if peer_rate else 0.0
    memory = same_peak / peer_peak if peer_peak else 0.0
    peer_name = f"TableExport {fmt} (tablib), {peer_rows:,} rows"
    extra = {
        "rows": rows, "seconds": round(seconds, 2), "first_byte_s": round(first, 3), "peak_mb": round(peak, 1),
        "bytes": size,
        "same_rows": same_written, "same_seconds": round(same_seconds, 2), "same_peak_mb": round(same_peak, 1),
        "peer_seconds": round(peer_seconds, 2), "peer_peak_mb": round(peer_peak, 1), "peer_bytes": peer_size,
    }  # fmt: skip
    if fmt == "csv" and ctx.db == "postgresql":
        target, ok = f"≥ {CSV_TARGET:,} rows/s", rate >= CSV_TARGET
    elif fmt == "xlsx":
        target = f"≥ {EXCEL_SPEED_TARGET:g}× peer's rows/s, ≤ {EXCEL_MEMORY_TARGET:g}× its memory"
        ok = speed >= EXCEL_SPEED_TARGET and memory <= EXCEL_MEMORY_TARGET
    else:
        target, ok = "", None
    out = [
        Result(
            suite=SUITE, case=f"{label}, {ctx.db}, {rows:,} rows: speed",
            value=f"{fmt_rate(rows, seconds)} ({seconds:.1f} s, first byte {first:.2f} s, {runs}"
            f"{size / 1e6:,.0f} MB file)",
            peer=peer_name, peer_value=f"{fmt_rate(peer_rows, peer_seconds)} ({peer_seconds:.1f} s)",
            ratio=f"{speed:.1f}× (ours on the same {same_written:,} rows: {fmt_rate(same_written, same_seconds)})",
            target=target, ok=ok, extra=extra,
        ),
        Result(
            suite=SUITE, case=f"{label}, {ctx.db}, {rows:,} rows: peak memory growth",
            value=f"{peak:.0f} MB ({same_peak:.0f} MB for {same_written:,} rows)",
            peer=peer_name, peer_value=f"{peer_peak:.0f} MB",
            ratio=f"{memory:.2f}× (same rows)",
            target=f"< {GROWTH_TARGET_MB} MB", ok=peak < GROWTH_TARGET_MB and same_peak < GROWTH_TARGET_MB,
            extra=extra,
        ),
    ]  # fmt: skip
    return out
