"""The one hand-off from the engine to the delivery channels, called at the end of both watch tasks
(after a sync that changed data, and after a failed sync): the email digests and the webhooks each
get one task per run, which works out who gets what exactly once (EmailDigest per person and run,
WebhookDelivery per webhook, run and watch), so a retried hand-off sends nothing twice."""

from __future__ import annotations

import logging

from ...models import Notification, Webhook
from ...tasks.notifications import send_email_digests
from ...tasks.webhooks import dispatch_webhooks

logger = logging.getLogger(__name__)


def notifications_deliver(*, sync_run_id: int) -> int:
    """Queue a run's email digests and webhook deliveries; returns how many notifications it has."""
    count = Notification.objects.filter(sync_run_id=sync_run_id).count()
    if not count:
        return 0
    send_email_digests.enqueue(sync_run_id=sync_run_id)
    if Webhook.objects.filter(is_active=True).exists():
        dispatch_webhooks.enqueue(sync_run_id=sync_run_id)
    logger.info("run %s: %s notifications handed to the email and webhook channels", sync_run_id, count)
    return count
