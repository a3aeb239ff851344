"""Whether an export streams in the request or goes to the worker: its expected time, from the
measured rates, and the slots of exports streamed at once (per person and in all)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ...models import ExportFormat, ExportRecord, ExportStatus

# Rows written per second, by format, through the list view on 2 shared cores, as measured by
# `make bench` (docs/benchmarks.md; README, "Exports"): CSV 103,000-121,000 on SQLite and
# 152,000-209,000 on PostgreSQL, JSON 69,000-90,000. Excel streams since issue 18: its writer
# alone ran 91,000-105,000 rows/s on a loaded machine (4.7x XlsxWriter's in the same run), and
# through the service it kept pace with CSV in the same run (36,000 rows/s each, XlsxWriter
# 14,600); 60,000 is half CSV's rate, on the safe side. The low end of each, so that an export expected to fit in
# EXPORT_MAX_DIRECT_SECONDS does: with 3 s, Excel streams up to 180,000 rows, JSON 210,000 and
# CSV 360,000. Every format's download starts at once; this bounds how long a stream holds a web
# process and a database connection.
EXPORT_RATES = {ExportFormat.CSV: 120_000, ExportFormat.JSON: 70_000, ExportFormat.XLSX: 60_000}
# Why an export went to the background worker rather than straight to the browser.
QUEUED_LARGE = "large"  # expected to take over EXPORT_MAX_DIRECT_SECONDS, or over EXPORT_MAX_SYNC_ROWS rows
QUEUED_USER_LIMIT = "user_limit"  # the person already streams EXPORT_MAX_CONCURRENT_PER_USER exports
QUEUED_SITE_LIMIT = "site_limit"  # EXPORT_MAX_CONCURRENT exports are being streamed in all


def export_direct_slots(*, now: datetime | None = None) -> QuerySet[ExportRecord]:
    """The exports being streamed in a request right now: each holds a web process and a database
    connection until its last byte. One whose process died (never finished, older than
    EXPORT_SLOT_TIMEOUT) no longer counts."""
    since = (now or timezone.now()) - timedelta(seconds=settings.EXPORT_SLOT_TIMEOUT)
    return ExportRecord.objects.filter(background=False, status=ExportStatus.RUNNING, created_at__gt=since)


def over_direct_limit(record: ExportRecord) -> str:
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
    EXPORT_MAX_DIRECT_SECONDS (its download starts at once, but it holds a web process and a
    database connection until its last byte), and never over EXPORT_MAX_SYNC_ROWS rows whatever
    the rates say."""
    if rows > settings.EXPORT_MAX_SYNC_ROWS:
        return False
    return export_expected_seconds(fmt=fmt, rows=rows) <= settings.EXPORT_MAX_DIRECT_SECONDS
