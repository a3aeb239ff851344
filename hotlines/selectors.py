"""Reads: the querysets and figures that views, tables and exports show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from .choices import SyncStatus
from .models import AuditEntry, Connection, Hotline, SyncRun

LIST_FIELDS = (
    "id",
    "hotline",
    "name",
    "network",
    "status",
    "is_free_charge",
    "owner_id",
    "created_at",
    "updated_at",
    "is_removed",
)


def hotline_list(*, include_removed: bool = False) -> QuerySet[Hotline]:
    """Hotlines for the list: only the columns it shows; removed ones only when asked."""
    qs = Hotline.objects.only(*LIST_FIELDS)
    if not include_removed:
        qs = qs.filter(is_removed=False)
    return qs


def hotline_get(*, pk: int) -> Hotline:
    return Hotline.objects.select_related("connection").get(pk=pk)


@dataclass(frozen=True, slots=True)
class Freshness:
    """How fresh the local copy is: the last successful sync, the last run, and whether to warn."""

    last_success_at: datetime | None
    last_run: SyncRun | None
    is_stale: bool
    last_failed: bool
    running: bool


def freshness() -> Freshness:
    """Freshness figures for every page (three cheap indexed queries)."""
    last_success_at = (
        SyncRun.objects.filter(status=SyncStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    last_run = (
        SyncRun.objects.exclude(status=SyncStatus.RUNNING).select_related("connection").order_by("-finished_at").first()
    )
    running = SyncRun.objects.filter(status=SyncStatus.RUNNING).exists()
    stale_after = timedelta(seconds=settings.HOTLINES_STALE_AFTER)
    is_stale = last_success_at is None or timezone.now() - last_success_at > stale_after
    return Freshness(
        last_success_at=last_success_at,
        last_run=last_run,
        is_stale=is_stale,
        last_failed=bool(last_run and last_run.status == SyncStatus.FAILED),
        running=running,
    )


def data_version() -> str:
    """Changes whenever a sync lands: a cache key part for figures derived from the data."""
    last = (
        SyncRun.objects.filter(status=SyncStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("pk", "finished_at")
        .first()
    )
    return f"{last[0]}-{last[1].timestamp()}" if last else "empty"


def hotline_values(field: str) -> list[str]:
    """Distinct values of an enum-like field in the data (to offer values eTelecom adds later)."""
    key = f"hotline-values:{field}:{data_version()}"
    values = cache.get(key)
    if values is None:
        values = sorted(v for v in Hotline.objects.order_by().values_list(field, flat=True).distinct() if v)
        cache.set(key, values, 3600)
    return values


def sync_run_list() -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("connection", "requested_by")


def readiness() -> dict:
    """What /readyz reports: the database answers, every migration is applied, and how the last sync went."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}
    report: dict = {"status": "ok", "database": "ok", "migrations": "ok" if not pending else f"{len(pending)} pending"}
    if pending:
        report["status"] = "error"
    fresh = freshness()
    report["last_sync"] = {
        "succeeded_at": fresh.last_success_at.isoformat() if fresh.last_success_at else None,
        "age_seconds": int((timezone.now() - fresh.last_success_at).total_seconds()) if fresh.last_success_at else None,
        "last_outcome": fresh.last_run.status if fresh.last_run else None,
        "stale": fresh.is_stale,
    }
    return report


# --- security area: connections, users, audit log ------------------------------------------


def connection_list() -> QuerySet[Connection]:
    """Connections with their last finished sync (time and outcome), for the Connections page."""
    last = SyncRun.objects.filter(connection=OuterRef("pk"), finished_at__isnull=False).order_by("-finished_at")
    return Connection.objects.annotate(
        last_sync_at=Subquery(last.values("finished_at")[:1]),
        last_sync_status=Subquery(last.values("status")[:1]),
        last_sync_id=Subquery(last.values("pk")[:1]),
    ).order_by("-is_active", "name")


def connection_activity(*, connection: Connection, limit: int = 10) -> list[AuditEntry]:
    """The latest audit entries about one connection (changes and tests)."""
    return list(AuditEntry.objects.filter(details__connection_id=connection.pk)[:limit])


def audit_entry_list() -> QuerySet[AuditEntry]:
    """The audit log, newest first (entries keep the actor's name, so no join is needed)."""
    return AuditEntry.objects.all()


def user_list():
    """Users with their groups, for the Users page."""
    from django.contrib.auth.models import Group

    return get_user_model().objects.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


def user_locked_usernames() -> set[str]:
    """User names django-axes currently locks out (failures reached the limit within the cool-off)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.exclude(username=None).values_list("username", flat=True))
