"""Background tasks of webhooks (run by `manage.py db_worker`): thin wrappers around
hotlines.services.webhooks.deliveries."""

from __future__ import annotations

from django.tasks import task


@task()
def dispatch_webhooks(*, sync_run_id: int) -> dict:
    """Make and queue the webhook deliveries of a sync run (the watch engine's hand-off calls it)."""
    from ..services.webhooks.deliveries import delivery_dispatch, delivery_recover

    made = delivery_dispatch(sync_run_id=sync_run_id)
    # A good moment to pick up what a dead worker left behind, without a scheduler of its own.
    recovered = delivery_recover()
    return {"sync_run_id": sync_run_id, "deliveries": len(made), "reclaimed": recovered.reclaimed}


@task()
def deliver_webhook(*, delivery_id: int) -> dict:
    """Post one delivery once; a failure queues its own retry (see deliveries.delivery_attempt)."""
    from ..services.webhooks.deliveries import delivery_attempt

    delivery = delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return {"delivery_id": delivery_id, "status": "skipped"}
    return {"delivery_id": delivery.pk, "status": delivery.status, "tries": delivery.tries}
