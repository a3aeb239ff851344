"""The one hand-off from the engine to the delivery channels (email digests, webhooks), called at
the end of both tasks. The channels are wired here at merge; until then it says what it would hand off."""

from __future__ import annotations

import logging

from ...models import Notification

logger = logging.getLogger(__name__)


def notifications_deliver(*, sync_run_id: int) -> int:
    """Hand a run's notifications to the email and webhook channels; returns how many there are."""
    count = Notification.objects.filter(sync_run_id=sync_run_id).count()
    logger.info("run %s: %s notifications to hand to the email and webhook channels", sync_run_id, count)
    return count
