"""Notifications (issue 17): the Notifications page of a person with 10,000 notifications (with
their events) beside the hotline list's page at the same page size (25 rows), measured in turns
in the same run (Django test Client, signed in, medians).

Each notification carries 3 events (30,000 in all), spread over 400 syncs and 25 watches. The page
reads the count, the unread count, one page of notifications (with their sync run, watch and
view) and their first events in one prefetch: the same number of queries whatever the total
(tests/views/test_notifications.py asserts it). Cases: page 1, and a page deep in the middle.
Target: at most 1.10× the list's page 1 at 25 rows.
"""

from __future__ import annotations

import statistics
import time

from .common import Context, Result, ensure_synced

SUITE = "notifications"
NOTIFICATIONS = 10_000
EVENTS_EACH = 3
RUNS = 400
WATCHES = NOTIFICATIONS // RUNS  # one notification per watch per sync
PER_PAGE = 25
WITHIN = 1.10


def _seed(user, connection) -> None:
    from django.utils import timezone

    from hotlines.models import Hotline, Notification, SavedView, SyncRun, Watch, WatchEvent

    if Notification.objects.filter(user=user).count() >= NOTIFICATIONS:
        return
    now = timezone.now()
    views = SavedView.objects.bulk_create(
        SavedView(owner=user, name=f"Bench view {n}", query=f"status=N&network=viettel&page_hint={n}")
        for n in range(WATCHES)
    )
    watches = Watch.objects.bulk_create(Watch(user=user, view=view, email=n % 2 == 0) for n, view in enumerate(views))
    runs = SyncRun.objects.bulk_create(
        SyncRun(connection=connection, trigger="schedule", status="succeeded", finished_at=now) for _ in range(RUNS)
    )
    hotline_ids = list(Hotline.objects.order_by("pk").values_list("pk", flat=True)[: WATCHES * EVENTS_EACH * 4])
    notifications = Notification.objects.bulk_create(
        (
            Notification(user=user, sync_run=run, kind="watch", watch=watch, subject=watch.view.name,
                         entered=1, changed=EVENTS_EACH - 1, read_at=None if r > RUNS - 40 else now)
            for r, run in enumerate(runs)
            for watch in watches
        ),
        batch_size=2000,
    )  # fmt: skip
    changes = [{"field": "status", "old": "P", "new": "N"}, {"field": "name", "old": "Tổng đài cũ", "new": "Tổng đài"}]
    WatchEvent.objects.bulk_create(
        (
            WatchEvent(notification=notification, hotline_id=hotline_ids[(n * EVENTS_EACH + e) % len(hotline_ids)],
                       kind="entered" if e == 0 else "changed", changes=[] if e == 0 else changes)
            for n, notification in enumerate(notifications)
            for e in range(EVENTS_EACH)
        ),
        batch_size=5000,
    )  # fmt: skip


def _alternating(client, urls: list[str], repeat: int) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in urls]
    for url in urls:
        assert client.get(url).status_code == 200, url
    for _ in range(repeat):
        for side, url in enumerate(urls):
            started = time.perf_counter()
            response = client.get(url)
            times[side].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return times


def run(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection as db
    from django.test import Client

    from hotlines.models import Hotline, Notification, WatchEvent
    from hotlines.services.users import VIEWER, roles_ensure

    connection = ensure_synced(ctx)
    roles_ensure()
    user, _ = get_user_model().objects.get_or_create(username="bench-notifications")
    user.groups.add(*Group.objects.filter(name=VIEWER))
    _seed(user, connection)
    if ctx.db == "postgresql":
        with db.cursor() as cursor:
            for model in (Notification, WatchEvent, Hotline):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    client = Client()
    client.force_login(user)
    repeat = 5 if ctx.quick else 15
    total = Notification.objects.filter(user=user).count()
    events = WatchEvent.objects.filter(notification__user=user).count()
    middle = total // PER_PAGE // 2
    list_url = f"/hotlines/?per_page={PER_PAGE}"
    cases = [("page 1", "/notifications/"), (f"page {middle}", f"/notifications/?page={middle}")]
    times = _alternating(client, [list_url] + [url for _, url in cases], repeat)
    list_ms = statistics.median(times[0])
    hotlines = Hotline.objects.filter(is_removed=False).count()
    results = []
    for (label, _url), case_times in zip(cases, times[1:], strict=True):
        ms = statistics.median(case_times)
        results.append(
            Result(
                suite=SUITE,
                case=f"Notifications {label}, {total:,} notifications with {events:,} events ({ctx.db})",
                value=f"{ms:.1f} ms", peer=f"hotline list page 1 at {PER_PAGE} rows, {hotlines:,} hotlines",
                peer_value=f"{list_ms:.1f} ms", ratio=f"{ms / list_ms:.2f}×",
                target=f"≤ {WITHIN:.2f}× the list", ok=ms <= list_ms * WITHIN,
                extra={"ms": [round(t, 1) for t in case_times], "list_ms": [round(t, 1) for t in times[0]]},
            )
        )  # fmt: skip
    return results
