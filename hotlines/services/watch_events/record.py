"""After a sync that changed data: what concerns every watch, written once (the worker's job).

Reads: the run, its changes and the changed hotlines (`changed`), the saved views and the
watches that may be concerned (views, and single hotlines among the changed ones), the few
lookups the views' filters need (`matching`). Writes: `write`. The number of queries does not
grow with the number of watches nor of changed hotlines (tests/watches/test_record.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Subquery

from ...choices import SyncStatus
from ...models import HotlineChange, SavedView, SyncRun, Watch
from .changed import changed_hotlines
from .compute import WatchTarget, view_deltas, watch_outcomes
from .matching import view_filters
from .write import Written, outcomes_write

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WatchRunResult:
    """What the computation of one run found and wrote."""

    sync_run_id: int
    changed_hotlines: int = 0
    views: int = 0
    watches: int = 0
    written: Written = field(default_factory=lambda: Written(0, 0, 0))
    skipped: str = ""  # why nothing was computed, if so
    seconds: float = 0.0


def watch_targets(*, sync_run_id: int) -> list[WatchTarget]:
    """The watches a run may concern: every watch of a view its watcher may still see (their own,
    or shared), and the watches of the hotlines it changed; active people only."""
    changed_ids = HotlineChange.objects.filter(sync_run_id=sync_run_id).values("hotline_id")
    watches = (
        Watch.objects.filter(user__is_active=True)
        .filter(Q(view__isnull=False) | Q(hotline_id__in=Subquery(changed_ids)))
        .filter(Q(view__isnull=True) | Q(view__shared=True) | Q(view__owner_id=F("user_id")))
        .order_by("pk")
        .values_list("pk", "user_id", "view_id", "hotline_id", "view__name")
    )
    return [
        WatchTarget(watch_id=pk, user_id=user_id, view_id=view_id, hotline_id=hotline_id, subject=name or "")
        for pk, user_id, view_id, hotline_id, name in watches
    ]


def watch_events_record(*, sync_run_id: int) -> WatchRunResult:
    """Work out and write, once, what a succeeded run changed for every watch and saved view."""
    started = time.perf_counter()
    run = SyncRun.objects.filter(pk=sync_run_id).only("status", "created", "updated", "removed").first()
    if run is None or run.status != SyncStatus.SUCCEEDED:
        return WatchRunResult(sync_run_id=sync_run_id, skipped="not a succeeded run")
    if not (run.created or run.updated or run.removed):
        return WatchRunResult(sync_run_id=sync_run_id, skipped="the run changed nothing")
    changed = changed_hotlines(sync_run_id=sync_run_id)
    if not changed:
        return WatchRunResult(sync_run_id=sync_run_id, skipped="no change recorded (an initial import)")
    views = dict(SavedView.objects.order_by("pk").values_list("pk", "query"))
    filters = view_filters(views)
    for view_id, view_filter in filters.items():
        if view_filter.unknown_before:
            # Told as "changed" while in the view; never as entered or left, which it cannot know.
            logger.info(
                "run %s: view %s filters on %s, whose value before a sync is not recorded: "
                "entries and exits are not told", sync_run_id, view_id, ", ".join(view_filter.unknown_before),
            )  # fmt: skip
    deltas = view_deltas(changed, filters)
    targets = watch_targets(sync_run_id=sync_run_id)
    outcomes = watch_outcomes(targets, changed=changed, deltas=deltas)
    with transaction.atomic():
        written = outcomes_write(sync_run_id=sync_run_id, outcomes=outcomes, deltas=deltas)
    seconds = time.perf_counter() - started
    logger.info(
        "run %s: %s changed hotlines, %s views, %s watches: %s notifications, %s events written in %.2f s",
        sync_run_id, len(changed), len(views), len(targets), written.notifications, written.events, seconds,
    )  # fmt: skip
    return WatchRunResult(
        sync_run_id=sync_run_id, changed_hotlines=len(changed), views=len(views), watches=len(targets),
        written=written, seconds=seconds,
    )  # fmt: skip
