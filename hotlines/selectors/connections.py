"""eTelecom accounts (connections): their list with the last sync and test, their activity."""

from __future__ import annotations

from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from ..models import AuditAction, AuditEntry, Connection, SyncRun
from .request_memo import request_recall, request_remember

# How many accounts are active, as a scalar subquery another query may read beside its own
# (`data_version`, once per list page), kept for the request under ACTIVE_COUNT_KEY.
ACTIVE_COUNT_SQL = f"(SELECT COUNT(*) FROM {Connection._meta.db_table} WHERE is_active)"  # noqa: S608
ACTIVE_COUNT_KEY = "active_connections"


def connection_list() -> QuerySet[Connection]:
    """Connections with their last finished sync and their last test (time and details), in one query.

    The last test is read from the audit log, which records every "Test connection" with its outcome,
    figures and upstream error: the log already is the history, so no column repeats it.
    """
    last = SyncRun.objects.filter(connection=OuterRef("pk"), finished_at__isnull=False).order_by("-finished_at")
    # Compared as text on both sides: a JSON value cannot be compared with a column on PostgreSQL,
    # and a cast to a number would fail on a malformed entry instead of skipping it.
    tested = (
        AuditEntry.objects.filter(action=AuditAction.CONNECTION_TESTED)
        .annotate(tested_id=Cast(KeyTextTransform("connection_id", "details"), CharField()))
        .filter(tested_id=Cast(OuterRef("pk"), CharField()))
        .order_by("-at", "-id")
    )
    return Connection.objects.annotate(
        last_sync_at=Subquery(last.values("finished_at")[:1]),
        last_sync_status=Subquery(last.values("status")[:1]),
        last_sync_id=Subquery(last.values("pk")[:1]),
        last_test_at=Subquery(tested.values("at")[:1]),
        last_test_details=Subquery(tested.values("details")[:1]),
    ).order_by("-is_active", "name")


def connection_activity(*, connection: Connection, limit: int = 10) -> list[AuditEntry]:
    """The latest audit entries about one connection (changes and tests)."""
    return list(AuditEntry.objects.filter(details__connection_id=connection.pk)[:limit])


def connection_count() -> int:
    """How many active eTelecom accounts exist (the list offers to filter by account only when
    several do: a deactivated one is not offered, although its hotlines stay in the list)."""
    remembered = request_recall(ACTIVE_COUNT_KEY)
    if remembered is not None:
        return remembered  # read beside the data version, in the same request
    return Connection.objects.filter(is_active=True).count()


def connection_count_remember(count: int) -> None:
    """Keep for the rest of the request the count `ACTIVE_COUNT_SQL` read beside another query."""
    request_remember(ACTIVE_COUNT_KEY, count)
