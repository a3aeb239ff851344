"""Watches (issue 17): working out every watch's changes after a sync.

A sync that changed 10,000 hotlines (status flips, renames, network changes, removals, recorded
as the sync records them: the rows updated and their `HotlineChange` history, in one run marked
succeeded), 500 watches (250 of 40 shared saved views with varied filters, 250 of single
hotlines), then `watch_events_record` timed, with its queries and the rows it wrote. Target:
under 5 s on PostgreSQL at 1,000,000 hotlines. The caches the list reads (warmed by the sync
itself before the worker starts) are warmed first, as in production.
"""

from __future__ import annotations

import random
import time

from .common import Context, Result, ensure_synced

SUITE = "watches"
TARGET_S = 5.0
CHANGED = 10_000
WATCHES = 500
# (query, how many people watch it): what a partner's team keeps an eye on. Mostly a customer, a
# search, a network's disabled numbers; a few broad views (every live hotline, every disabled
# one) watched by fewer people. 250 view watches in all; every view watched by someone.
VIEWS = [
    ("", 2), ("status=N", 3), ("status=Z", 4), ("include_removed=only", 3), ("network=viettel&status=N", 8),
    ("network=mobifone&status=N", 8), ("network=vinaphone&status=N", 8), ("network=other", 6),
    ("free=yes&status=N", 7), ("method=sip&status=N", 6), ("owner={owner}", 8), ("tenant={tenant}", 8),
    ("q=tong+dai&status=N", 6), ("q=cong+ty&network=mobifone", 6), ("q=ho+tro+khach+hang", 6),
    ("q=1900", 5), ("q=0901", 4), ("q=090+123", 8), ("q=nha+trang", 8), ("q=da+nang&network=viettel", 8),
    ("q=ha+noi", 7), ("q=dich+vu", 7), ("q=bat+dong+san", 7), ("q=benh+vien", 7), ("q=ngan+hang", 7),
    ("q=1800", 5), ("q=024", 7), ("q=viet&status=P", 5), ("q=hotline&free=no", 5), ("status=bogus&q=sao", 6),
    ("updated_after=2024-01-01&status=N", 5), ("include_removed=on&status=N", 3), ("q=du+lich", 8),
    ("q=giao+hang", 8), ("q=bao+hiem", 8), ("q=truong", 8), ("q=khach+san", 8), ("q=nha+hang", 8),
    ("q=tong+dai&network=vinaphone", 6), ("connection={connection}&status=Z", 3),
]  # fmt: skip


def _changed_run(connection, rng: random.Random):
    """Apply 10,000 changes as a sync would, recorded under one succeeded run."""
    from django.db import transaction
    from django.utils import timezone

    from hotlines.choices import ChangeKind, SyncStatus
    from hotlines.models import Hotline, HotlineChange, SyncRun
    from hotlines.services.sync.compare import search_text

    top = Hotline.objects.order_by("-pk").values_list("pk", flat=True).first()
    changed = min(CHANGED, top // 10)  # --quick: a tenth of a small table
    ids = rng.sample(range(1, top + 1), min(top, changed * 2))
    rows = list(Hotline.objects.filter(pk__in=ids, is_removed=False).only(
        "pk", "status", "name", "description", "network", "is_removed"
    )[:changed])  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        run = SyncRun.objects.create(connection=connection, status=SyncStatus.SUCCEEDED, finished_at=now)
        changes = []
        for n, hotline in enumerate(rows):
            kind = n % 6
            if kind in (0, 1):
                old, hotline.status = hotline.status, "N" if hotline.status == "P" else "P"
                changes.append(HotlineChange(hotline=hotline, sync_run=run, kind=ChangeKind.CHANGED, field="status",
                                             old_value=old, new_value=hotline.status))  # fmt: skip
            elif kind in (2, 3):
                old, hotline.name = hotline.name, hotline.name + " (mới)"
                hotline.search_text = search_text(hotline.name, hotline.description)
                changes.append(HotlineChange(hotline=hotline, sync_run=run, kind=ChangeKind.CHANGED, field="name",
                                             old_value=old, new_value=hotline.name))  # fmt: skip
            elif kind == 4:
                old, hotline.network = hotline.network, "mobifone" if hotline.network == "viettel" else "viettel"
                changes.append(HotlineChange(hotline=hotline, sync_run=run, kind=ChangeKind.CHANGED, field="network",
                                             old_value=old, new_value=hotline.network))  # fmt: skip
            else:
                hotline.is_removed, hotline.removed_at = True, now
                changes.append(HotlineChange(hotline=hotline, sync_run=run, kind=ChangeKind.REMOVED))
            hotline.last_changed_at = now
        Hotline.objects.bulk_update(
            rows, ["status", "name", "search_text", "network", "is_removed", "removed_at", "last_changed_at"],
            batch_size=2000,
        )  # fmt: skip
        HotlineChange.objects.bulk_create(changes, batch_size=5000)
        run.updated = sum(1 for c in changes if c.kind == ChangeKind.CHANGED)
        run.removed = len(changes) - run.updated
        run.save()
    return run, rows


def _watches(connection, rng: random.Random, changed_rows) -> None:
    from django.contrib.auth import get_user_model

    from hotlines.models import Hotline, SavedView, Tenant, Watch

    users = [get_user_model().objects.create_user(username=f"bench-watcher-{n}") for n in range(50)]
    tenant = Tenant.objects.filter(is_removed=False).exclude(owner_id="").first()
    owner = Hotline.objects.exclude(owner_id="").values_list("owner_id", flat=True).first() or "0"
    watches = []
    for n, (query, watchers) in enumerate(VIEWS):
        view = SavedView.objects.create(
            owner=users[n % len(users)], shared=True, name=f"Bench view {n}",
            query=query.format(owner=owner, tenant=tenant.pk if tenant else 0, connection=connection.pk),
        )  # fmt: skip
        watches += [Watch(user=user, view=view) for user in rng.sample(users, watchers)]
    others = list(Hotline.objects.order_by("?").values_list("pk", flat=True)[:200])
    targets = [row.pk for row in changed_rows[:200]] + others
    singles = WATCHES - len(watches)
    watches += [Watch(user=users[n % len(users)], hotline_id=targets[n % len(targets)]) for n in range(singles)]
    Watch.objects.bulk_create(watches)


def run(ctx: Context) -> list[Result]:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from hotlines.models import Notification, ViewSyncDelta, WatchEvent
    from hotlines.selectors import hotline_caches_warm
    from hotlines.services.watch_events import watch_events_record

    connection = ensure_synced(ctx)
    rng = random.Random(17)
    sync_run, rows = _changed_run(connection, rng)
    _watches(connection, rng, rows)
    if ctx.db == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("ANALYZE")
    hotline_caches_warm()  # what the sync does before the worker takes the task
    started = time.perf_counter()
    with CaptureQueriesContext(db) as captured:
        result = watch_events_record(sync_run_id=sync_run.pk)
    seconds = time.perf_counter() - started
    again = watch_events_record(sync_run_id=sync_run.pk)  # exactly once: the re-run adds nothing
    rows_written = {
        "notifications": Notification.objects.filter(sync_run=sync_run).count(),
        "events": WatchEvent.objects.filter(notification__sync_run=sync_run).count(),
        "view_deltas": ViewSyncDelta.objects.filter(sync_run=sync_run).count(),
    }
    ok = seconds < TARGET_S if ctx.db == "postgresql" else None
    extra = {
        "seconds": round(seconds, 3), "queries": len(captured), "changed_hotlines": result.changed_hotlines,
        "watches": result.watches, "views": result.views, **rows_written,
        "rerun_wrote": [again.written.notifications, again.written.events],
    }  # fmt: skip
    value = (
        f"{seconds:.2f} s, {len(captured)} queries, {rows_written['notifications']:,} notifications + "
        f"{rows_written['events']:,} events + {rows_written['view_deltas']} view deltas written"
    )
    return [
        Result(
            suite=SUITE, case=f"every watch's changes: {result.changed_hotlines:,} changed of {ctx.size:,} hotlines, "
            f"{result.watches} watches", value=value, target=f"< {TARGET_S:g} s on PostgreSQL", ok=ok, extra=extra,
        )
    ]  # fmt: skip
