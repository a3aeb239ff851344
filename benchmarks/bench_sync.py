"""Sync: a first sync and a no-change re-sync, each beside a fetch-only floor.

The floor fetches and parses the very same pages with `EtelecomClient` and writes nothing: it is
the fastest any sync could be against this sandbox on this machine right now. Each sync is
measured right after its own floor, so noise from the shared machine hits both alike.
"""

from __future__ import annotations

from django.conf import settings

from hotlines.choices import SyncStatus
from hotlines.models import Hotline
from hotlines.services.connections import connection_client, connection_upsert
from hotlines.services.sync import hotlines_sync

from .common import Context, Measure, Result, fmt_rate, measure

SUITE = "sync"
PAGE_SIZE = 1000  # the most the Partner API hands out per page
PEAK_TARGET_MB = 300


def _floor(connection) -> int:
    """Fetch and parse every page, keep nothing: returns the hotline count."""
    count = 0
    with connection_client(connection) as client:
        for page in client.iter_hotline_pages(limit=connection.page_size, max_pages=settings.ETELECOM_MAX_PAGES):
            count += len(page.hotlines)
    return count


def _sync(connection):
    run = hotlines_sync(connection=connection)
    if run.status != SyncStatus.SUCCEEDED:
        raise RuntimeError(f"the benchmark's sync failed: {run.error}")
    return run


def _pair(ctx: Context, case: str, floor: Measure, sync: Measure, *, target: float) -> list[Result]:
    rows = floor.result
    ratio = floor.seconds / sync.seconds if sync.seconds else 0.0
    run = sync.result
    figures = {
        "rows": rows, "sync_s": round(sync.seconds, 2), "floor_s": round(floor.seconds, 2),
        "sync_peak_mb": round(sync.peak_mb, 1), "floor_peak_mb": round(floor.peak_mb, 1),
        "created": run.created, "updated": run.updated, "unchanged": run.unchanged, "removed": run.removed,
    }  # fmt: skip
    peak_ok = sync.peak_mb < PEAK_TARGET_MB
    return [
        Result(
            suite=SUITE, case=f"{case}, {ctx.db}, {rows:,} hotlines: speed",
            value=f"{sync.seconds:.1f} s ({fmt_rate(rows, sync.seconds)})",
            peer="fetch-only floor", peer_value=f"{floor.seconds:.1f} s ({fmt_rate(rows, floor.seconds)})",
            ratio=f"{ratio:.2f}×", target=f"≥ {target}× floor", ok=ratio >= target, extra=figures,
        ),
        Result(
            suite=SUITE, case=f"{case}, {ctx.db}, {rows:,} hotlines: peak memory",
            value=f"{sync.peak_mb:.0f} MB", peer="fetch-only floor", peer_value=f"{floor.peak_mb:.0f} MB",
            target=f"< {PEAK_TARGET_MB} MB", ok=peak_ok, extra=figures,
        ),
    ]  # fmt: skip


def run(ctx: Context) -> list[Result]:
    connection = connection_upsert(name="default", base_url=ctx.sandbox_url, api_key="sandbox-key", page_size=PAGE_SIZE)
    if Hotline.objects.exists():
        raise RuntimeError("bench_sync needs an empty database (it measures the first sync)")
    results: list[Result] = []
    floor = measure(lambda: _floor(connection))
    first = measure(lambda: _sync(connection))
    results += _pair(ctx, "first sync", floor, first, target=0.5)
    floor = measure(lambda: _floor(connection))
    again = measure(lambda: _sync(connection))
    if again.result.created or again.result.updated or again.result.removed:
        raise RuntimeError("the no-change re-sync changed rows: the benchmark's data is not stable")
    results += _pair(ctx, "no-change re-sync", floor, again, target=0.8)
    ctx.state["synced_connection"] = connection  # later suites reuse the synced database
    return results
