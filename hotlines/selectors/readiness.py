"""What /readyz reports: the database, the migrations and the last sync."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.utils import timezone

from .freshness import freshness


def readiness() -> dict:
    """What /readyz reports: the database answers, every migration is applied, and how the last sync went."""
    # Imported here, not at the top, for time, not for an import circle: only /readyz needs the
    # migration machinery, and importing it costs every web process about 6 ms at start.
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
