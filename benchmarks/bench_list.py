"""The hotline list: server time of a page beside Django admin's changelist for the same model,
filters and search, measured in the same run (Django test Client, signed in, median of runs).

Both go through the whole stack (middleware, session, permissions, template). The admin's
changelist has the list's filters as `list_filter` and its search as `search_fields`
(hotlines/admin/history.py). Each case asks both for the same rows: removed hotlines left out (the list's
default), the same status and network, the same number (typed with spaces on ours, as staff do;
as digits for the admin, which cannot normalise), the same name words.

Ours caches counts and facet counts per data version (the data only changes when a sync lands):
the median is what staff see once a sync's figures are cached; the first request of each case is
reported beside it ("cold"): the cache as a sync that changed the data leaves it (emptied, then the
totals and every saved view counted, as the sync and the worker do), so nothing of this case is
cached. A count that does not fit the page's budget is left pending; the time until its exact
figure is on the page (the page, then its counts' fragment) is reported too ("exact after"), and
the exact figure is the one compared with the admin's. "empty cache" (in the JSON): the first
request with nothing warmed at all (a cache lost), for the record.
"""

from __future__ import annotations

import html
import re
import statistics
import time
from urllib.parse import urlencode

from .common import Context, Result, ensure_synced, fmt_speedup

SUITE = "list"
SPEEDUP_TARGET = 3.0  # × faster than the admin changelist, every case
PAGE1_PG_TARGET_MS = 50.0  # median, PostgreSQL, 1,000,000 rows
COLD_TARGET_MS = {"postgresql": (150.0, 1_000_000), "sqlite": (100.0, 100_000)}  # first request, at that size
COLD_SAMPLES = 3  # cold requests per case (each after its own warm-up), the median reported
NAME_WORDS = "Bách khoa"


def _cases(number: str, last_page: int) -> list[tuple[str, dict, dict]]:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    live = {"is_removed__exact": "0"}
    return [
        ("page 1, no filter", {}, live),
        ("status + network", {"status": "N", "network": "viettel"}, {**live, "status__exact": "N",
                                                                    "network__exact": "viettel"}),
        (f"number search “{spaced}”", {"q": spaced}, {**live, "q": number}),
        (f"name search “{NAME_WORDS}”", {"q": NAME_WORDS}, {**live, "q": NAME_WORDS}),
        (f"page {last_page}, no filter", {"page": last_page}, {**live, "p": last_page}),
    ]  # fmt: skip


def _timed(client, url: str, repeat: int) -> tuple[float, list[float], str]:
    """(first request ms, the following requests' ms, the first response's text)."""
    times = []
    text = ""
    for i in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i == 0:
            text = response.content.decode()
        times.append(elapsed)
    return times[0], times[1:], text


def _cold(client, url: str, samples: int) -> tuple[float, float, str]:
    """(first request ms, ms until the exact count is on the page, the exact count's text), median
    over `samples`, each after the warm-up a sync that changed the data leaves behind."""
    from django.core.cache import cache

    from hotlines.selectors import hotline_caches_warm
    from hotlines.selectors.saved_views import saved_view_counts_warm

    firsts, exacts, text = [], [], ""
    for _ in range(samples):
        cache.clear()
        hotline_caches_warm()  # the sync, before it ends
        saved_view_counts_warm()  # the worker, right after
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        text = exact_text(client, response.content.decode())
        firsts.append(first)
        exacts.append((time.perf_counter() - started) * 1000)
    return statistics.median(firsts), statistics.median(exacts), text


def exact_text(client, text: str) -> str:
    """The page's text, or, when its count is pending, the counts fragment htmx asks for at once
    (which also caches the count, as a browser's visit does)."""
    pending = re.search(r'data-count-pending hx-get="([^"]+)"', text)
    if not pending:
        return text
    counts = client.get(html.unescape(pending.group(1)), HTTP_HX_REQUEST="true")
    assert counts.status_code == 200
    return counts.content.decode()


def _empty_cache_ms(client, url: str) -> float:
    """The first request with nothing cached at all (the warm-ups lost)."""
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    return (time.perf_counter() - started) * 1000


def lister_client(*, analyze: bool):
    """A test Client signed in as a superuser; with `analyze`, the hotline table analysed first."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from hotlines.models import Hotline

    if analyze:
        # Steady state: autovacuum analyses a table soon after a big sync; right after a bulk load
        # the planner has no statistics yet and picks plans no running system would.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Hotline._meta.db_table}")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-lister", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def middle_mobile() -> str:
    """A mobile number from the middle of the data: the search cannot stop early at the newest rows."""
    from hotlines.models import Hotline

    mobiles = Hotline.objects.filter(is_removed=False, hotline__regex=r"^0[3-9][0-9]{8}$").order_by("pk")
    return mobiles.values_list("hotline", flat=True)[mobiles.count() // 2]


def _count(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1).replace(",", "")) if match else None


def run(ctx: Context) -> list[Result]:

    from hotlines.models import Hotline

    ensure_synced(ctx)
    client = lister_client(analyze=ctx.db == "postgresql")
    rows = Hotline.objects.filter(is_removed=False).count()
    number = middle_mobile()
    repeat = 3 if ctx.quick else 7
    results = []
    page = min(200, rows // 50)  # page 200 (a quick run has fewer pages)
    cold_target, cold_size = COLD_TARGET_MS[ctx.db]
    for case, ours_query, admin_query in _cases(number, page):
        ours_url = "/hotlines/" + (f"?{urlencode(ours_query)}" if ours_query else "")
        admin_url = f"/admin/hotlines/hotline/?{urlencode(admin_query)}"
        empty = _empty_cache_ms(client, ours_url)
        cold, exact_after, exact_text = _cold(client, ours_url, 1 if ctx.quick else COLD_SAMPLES)
        _first, ours_times, _text = _timed(client, ours_url, repeat)
        admin_first, admin_times, admin_text = _timed(client, admin_url, repeat)
        ours_ms, admin_ms = statistics.median(ours_times), statistics.median(admin_times)
        ours_n = _count(exact_text, r"([\d,]+) hotlines? match")
        admin_n = _count(admin_text, r"([\d,]+) results?\b") or _count(admin_text, r"([\d,]+) hotlines?\b")
        assert ours_n == admin_n, f"{case}: ours shows {ours_n} rows, the admin {admin_n}"
        speedup = admin_ms / ours_ms if ours_ms else 0.0
        targets = [f"≥ {SPEEDUP_TARGET:g}× faster", f"cold < {cold_target:g} ms at {cold_size:,}"]
        ok = speedup >= SPEEDUP_TARGET and (cold < cold_target or ctx.size != cold_size)
        if case.startswith("page 1") and ctx.db == "postgresql":
            targets.append(f"< {PAGE1_PG_TARGET_MS:g} ms")
            ok = ok and (ours_ms < PAGE1_PG_TARGET_MS or ctx.size < 1_000_000)
        pending = f", exact after {exact_after:.0f} ms" if exact_after - cold > 1 else ""
        results.append(
            Result(
                suite=SUITE, case=f"{case}, {ctx.db}, {rows:,} hotlines ({ours_n:,} match)",
                value=f"{ours_ms:.1f} ms (cold {cold:.0f} ms{pending})",
                peer="Django admin changelist", peer_value=f"{admin_ms:.1f} ms",
                ratio=fmt_speedup(ours_ms, admin_ms), target=", ".join(targets), ok=ok,
                extra={"ours_ms": [round(t, 1) for t in ours_times], "admin_ms": [round(t, 1) for t in admin_times],
                       "cold_ms": round(cold, 1), "exact_after_ms": round(exact_after, 1),
                       "empty_cache_ms": round(empty, 1), "admin_first_ms": round(admin_first, 1),
                       "matches": ours_n, "url": ours_url, "admin_url": admin_url},
            )
        )  # fmt: skip
    return results
