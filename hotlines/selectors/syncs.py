"""Sync runs: the Syncs list and a run's changes, and how far a running sync is."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from ..choices import SyncStatus
from ..models import Hotline, HotlineChange, SyncRun


def sync_run_list() -> QuerySet[SyncRun]:
    """Sync runs, newest first, with what their list and detail pages show."""
    return SyncRun.objects.select_related("connection", "requested_by").order_by("-started_at", "-pk")


def sync_run_changes(*, run: SyncRun, kind: str = "") -> QuerySet[Hotline]:
    """The hotlines one run changed (those with a change of `kind`, if given), one row each with
    every change the run made to it in `run_changes`, in the order they were recorded."""
    changes = HotlineChange.objects.filter(sync_run=run)
    touched = (changes.filter(kind=kind) if kind else changes).values("hotline_id")
    return (
        Hotline.objects.filter(pk__in=touched)
        .only("pk", "etelecom_id", "hotline", "name")
        .order_by("hotline", "pk")
        .prefetch_related(Prefetch("changes", queryset=changes.order_by("pk"), to_attr="run_changes"))
    )


def sync_run_change_counts(*, run: SyncRun) -> dict[str, int]:
    """How many hotlines each kind of change touched in a run, and in all ("" key): hotlines, not
    field changes, so they agree with the run's own figures (a renamed and re-networked hotline
    counts once)."""
    changes = HotlineChange.objects.filter(sync_run=run)
    counts = dict(changes.values_list("kind").annotate(n=Count("hotline_id", distinct=True)).order_by())
    counts[""] = changes.values("hotline_id").distinct().count() if counts else 0
    return counts


def sync_expected_total(*, connection_id: int) -> int | None:
    """How many hotlines a sync of the connection should fetch: what its last successful run did."""
    return (
        SyncRun.objects.filter(connection_id=connection_id, status=SyncStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("fetched", flat=True)
        .first()
    )


@dataclass(frozen=True)
class SyncEstimate:
    """How far a running sync is, against what the connection's last successful run fetched."""

    expected: int
    percent: int  # 0-99: a run is never 100% done before it ends


def sync_progress_estimate(*, fetched: int, expected: int | None) -> SyncEstimate | None:
    """The estimate the progress bar and the sync command show, or None when there is none.

    The API tells no total, so the last run's is a guess. Once a run has fetched that many, the data
    grew: the guess is worthless, so there is no estimate (a plain count) rather than
    "171,400 of ~4,999" or a bar stuck at 99%.
    """
    if not expected or fetched >= expected:
        return None
    return SyncEstimate(expected=expected, percent=min(fetched * 100 // expected, 99))
