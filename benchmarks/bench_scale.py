"""Ten million hotlines (issue 18, target 6): `make bench BENCH_ARGS="--scale 10m"`, PostgreSQL only.

It may take an hour; it is not part of the default run. At 10,000,000 hotlines (and the sandbox's
500,000 tenants) it measures what breaks first as data grows:

- the first sync and a no-change re-sync, each beside the fetch-only floor measured next to it
  (re-sync target: ≥ 0.8× the floor), and the sync's peak memory (flat: < 300 MB);
- the hotline list: page 1 warm (target < 50 ms) and every case of the list suite cold, as a sync
  that changed data leaves the cache (target < 300 ms for the first request; a count that does not
  fit the page's budget arrives by its own request, reported as "exact after");
- a whole CSV and a whole Excel export through the list view: memory growth (flat: < 100 MB).

Django admin's changelist is left out at this size (several seconds to a minute a page): the
list suite at 1,000,000 rows compares with it.
"""

from __future__ import annotations

import statistics
from urllib.parse import urlencode

from hotlines.models import Hotline

from . import bench_export, bench_list
from .bench_sync import _floor, _sync, check_no_change, empty_connection, sync_results
from .common import Context, Result, fmt_rate, measure

SUITE = "scale"
RESYNC_TARGET = 0.8
WARM_TARGET_MS = 50.0
COLD_TARGET_MS = 300.0
GROWTH_TARGET_MB = bench_export.GROWTH_TARGET_MB


def run(ctx: Context) -> list[Result]:
    if ctx.db != "postgresql":
        return []
    return [*_sync_cases(ctx), *_list_cases(ctx), *_export_cases(ctx)]


def _sync_cases(ctx: Context) -> list[Result]:
    connection = empty_connection(ctx, SUITE)
    floor_before = measure(lambda: _floor(connection))
    first = measure(lambda: _sync(connection))
    again = measure(lambda: _sync(connection))
    floor_after = measure(lambda: _floor(connection))
    check_no_change(again)
    ctx.state["synced_connection"] = connection
    return [
        *sync_results(ctx, "first sync", floor_before.seconds, floor_before.peak_mb, first, target=None, suite=SUITE),
        *sync_results(
            ctx, "no-change re-sync", floor_after.seconds, floor_after.peak_mb, again, target=RESYNC_TARGET, suite=SUITE
        ),
    ]


def _list_cases(ctx: Context) -> list[Result]:
    client = bench_list.lister_client(analyze=True)
    rows = Hotline.objects.filter(is_removed=False).count()
    number = bench_list.middle_mobile()
    results = []
    for case, query, _admin in bench_list._cases(number, 200):
        url = "/hotlines/" + (f"?{urlencode(query)}" if query else "")
        cold, exact_after, _text = bench_list._cold(client, url, 3)
        _first, warm_times, _ = bench_list._timed(client, url, 7)
        warm = statistics.median(warm_times)
        targets, ok = [f"cold < {COLD_TARGET_MS:g} ms"], cold < COLD_TARGET_MS
        if case.startswith("page 1"):
            targets.append(f"warm < {WARM_TARGET_MS:g} ms")
            ok = ok and warm < WARM_TARGET_MS
        pending = f", exact after {exact_after:.0f} ms" if exact_after - cold > 1 else ""
        results.append(
            Result(
                suite=SUITE, case=f"list: {case}, {ctx.db}, {rows:,} hotlines",
                value=f"cold {cold:.0f} ms{pending}; warm {warm:.1f} ms", target=", ".join(targets), ok=ok,
                extra={"cold_ms": round(cold, 1), "exact_after_ms": round(exact_after, 1),
                       "warm_ms": [round(t, 1) for t in warm_times], "url": url},
            )
        )  # fmt: skip
    return results


def _export_cases(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user, _ = get_user_model().objects.get_or_create(username="bench-exporter")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="hotlines", codename__in=["view_hotline", "export_hotline"])
    )
    results = []
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel")):
        seconds, peak, written, size, first = bench_export._isolated(bench_export._ours, fmt, None, 1)
        results.append(
            Result(
                suite=SUITE, case=f"export {label}, {ctx.db}, {written:,} rows: memory growth",
                value=f"{peak:.0f} MB ({fmt_rate(written, seconds)}, first byte {first:.2f} s, {size / 1e6:,.0f} MB)",
                target=f"< {GROWTH_TARGET_MB} MB", ok=peak < GROWTH_TARGET_MB,
                extra={"seconds": round(seconds, 1), "peak_mb": round(peak, 1), "bytes": size, "rows": written},
            )
        )  # fmt: skip
    return results
