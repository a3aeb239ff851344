"""The watch engine's background tasks: thin wrappers around services/watch_events."""

from __future__ import annotations

from django.tasks import task


@task()
def watch_sync_run(*, sync_run_id: int) -> dict:
    """After a sync that changed data: what concerns every watch, then hand it to the channels."""
    from ..selectors.saved_views import saved_view_counts_warm
    from ..services.watch_events import notifications_deliver, watch_events_record

    result = watch_events_record(sync_run_id=sync_run_id)
    notifications_deliver(sync_run_id=sync_run_id)
    saved_view_counts_warm()  # the views' menu counts of the new data, before anybody opens it
    return {
        "sync_run_id": sync_run_id, "skipped": result.skipped, "notifications": result.written.notifications,
        "events": result.written.events,
    }  # fmt: skip


@task()
def notify_sync_failed(*, sync_run_id: int) -> dict:
    """After a failed sync: tell its requester and the Administrators, then hand it to the channels."""
    from ..services.watch_events import notifications_deliver, sync_failed_notify

    made = sync_failed_notify(sync_run_id=sync_run_id)
    notifications_deliver(sync_run_id=sync_run_id)
    return {"sync_run_id": sync_run_id, "notifications": made}
