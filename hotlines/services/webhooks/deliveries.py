"""A webhook delivery from made to delivered or failed: the only module that changes a delivery's
state (made, claimed, tried, retried, given up, recovered).

- `delivery_dispatch` makes one delivery per active webhook and watch with news in a sync run
  (exactly once: the unique constraint (webhook, sync_run, watch)) and queues each.
- `delivery_attempt` (the worker's task) claims a waiting delivery, posts it once, and records the
  try; a failure is retried after WEBHOOK_BACKOFF * 2**(tries-1) seconds (at most
  WEBHOOK_BACKOFF_MAX) through the task's `run_after`, up to WEBHOOK_TRIES, then given up.
- `delivery_recover` takes again what a dead worker held (delivering for longer than
  WEBHOOK_STALE_AFTER) and queues waiting deliveries whose task never ran.

Every try sends the same body under the same idempotency key, so a receiver that got a try whose
answer was lost (the worker died, the connection dropped) recognises the retry.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ...models import DeliveryStatus, Notification, NotificationKind, SyncRun, Webhook, WebhookDelivery
from ...tasks.webhooks import deliver_webhook
from .addresses import Resolver
from .payloads import WATCH_CHANGED, WEBHOOK_TEST, encode, watch_changed_payload, webhook_test_payload
from .signing import webhook_headers
from .transport import webhook_post
from .writes import webhook_delivery_counted

logger = logging.getLogger(__name__)

MAX_ATTEMPTS_KEPT = 50  # the per-try log of one delivery, bounded whatever the settings say
WORKER_DIED = gettext_noop("The worker stopped during this try; tried again.")


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    """What a recovery did: deliveries a dead worker held, taken again; waiting ones queued again."""

    reclaimed: int
    requeued: int


def backoff_seconds(tries: int) -> float:
    """The wait after the `tries`-th failed try: WEBHOOK_BACKOFF doubled each time, capped."""
    return min(settings.WEBHOOK_BACKOFF * 2 ** max(0, tries - 1), settings.WEBHOOK_BACKOFF_MAX)


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    task.enqueue(delivery_id=delivery_id)


@transaction.atomic
def delivery_dispatch(*, sync_run_id: int) -> list[int]:
    """Make and queue the deliveries of a sync run: one per active webhook and watch that has a
    notification in the run. Run twice, it makes nothing new (returns the ids it made)."""
    run = SyncRun.objects.select_related("connection").get(pk=sync_run_id)
    notifications = {
        n.watch_id: n
        for n in Notification.objects.filter(sync_run=run, kind=NotificationKind.WATCH, watch__isnull=False)
        .select_related("watch__view", "sync_run__connection")
        .order_by("id")
    }
    links = (
        Webhook.watches.through.objects.filter(webhook__is_active=True, watch_id__in=list(notifications))
        .order_by("webhook_id", "watch_id")
        .values_list("webhook_id", "watch_id")
    )
    done = set(WebhookDelivery.objects.filter(sync_run=run).values_list("webhook_id", "watch_id"))
    payloads: dict[int, dict] = {}
    made = []
    for webhook_id, watch_id in links:
        if (webhook_id, watch_id) in done:
            continue
        notification = notifications[watch_id]
        if watch_id not in payloads:
            payloads[watch_id] = watch_changed_payload(
                notification=notification, delivery_id="", max_events=settings.WEBHOOK_MAX_EVENTS
            )
        key = uuid.uuid4()
        made.append(
            WebhookDelivery(
                webhook_id=webhook_id,
                sync_run=run,
                watch_id=watch_id,
                event=WATCH_CHANGED,
                idempotency_key=key,
                body=encode({**payloads[watch_id], "id": str(key)}),
            )
        )
    # A dispatch running at the same time as this one made some of them already: theirs stand.
    WebhookDelivery.objects.bulk_create(made, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(idempotency_key__in=[d.idempotency_key for d in made]).values_list(
            "pk", flat=True
        )
    )
    for delivery_id in ids:
        _enqueue(delivery_id)
    logger.info("sync run %s: %s webhook deliveries queued", run.pk, len(ids))
    return ids


def delivery_test(*, webhook: Webhook, actor=None) -> WebhookDelivery:
    """Queue a `webhook.test` delivery (tried once: it is there to show how the receiver answers)."""
    key = uuid.uuid4()
    sent_by = actor.get_username() if actor is not None and getattr(actor, "pk", None) else ""
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=WEBHOOK_TEST,
        idempotency_key=key,
        body=encode(webhook_test_payload(webhook=webhook, delivery_id=str(key), sent_by=sent_by)),
    )
    _enqueue(delivery.pk)
    return delivery


def _max_tries(delivery: WebhookDelivery) -> int:
    return 1 if delivery.event == WEBHOOK_TEST else max(1, settings.WEBHOOK_TRIES)


def _attempt_entry(*, at: datetime, code: int | None, error: str, ms: int) -> dict:
    return {"at": at.isoformat(), "code": code, "error": error, "ms": ms}


def delivery_attempt(*, delivery_id: int, resolver: Resolver = socket.getaddrinfo) -> WebhookDelivery | None:
    """Claim a waiting delivery that is due, post it once and record how it went. None when there
    was nothing to do (another worker has it, it is done, not yet due, or its webhook is inactive)."""
    claimed_at = timezone.now()
    due = Q(next_try_at__isnull=True) | Q(next_try_at__lte=claimed_at)
    # Tests go to an inactive webhook too: they are how an administrator checks it before re-activating.
    open_webhook = Q(webhook__is_active=True) | Q(event=WEBHOOK_TEST)
    claimed = WebhookDelivery.objects.filter(due, open_webhook, pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.DELIVERING, tries=F("tries") + 1, last_try_at=claimed_at
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    body = delivery.body.encode("utf-8")
    headers = webhook_headers(
        secret=delivery.webhook.secret,
        timestamp=int(time.time()),
        body=body,
        event=delivery.event,
        idempotency_key=str(delivery.idempotency_key),
    )
    result = webhook_post(
        url=delivery.webhook.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT, resolver=resolver
    )
    return _record(delivery, claimed_at=claimed_at, code=result.code, error=result.error, ms=result.ms, ok=result.ok)


def _record(
    delivery: WebhookDelivery, *, claimed_at: datetime, code: int | None, error: str, ms: int, ok: bool
) -> WebhookDelivery:
    now = timezone.now()
    attempts = [*delivery.attempts, _attempt_entry(at=claimed_at, code=code, error=error, ms=ms)][-MAX_ATTEMPTS_KEPT:]
    fields = {"response_code": code, "error": error, "attempts": attempts}
    retry_at = None
    if ok:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_try_at=None)
    elif delivery.tries < _max_tries(delivery):
        retry_at = now + timedelta(seconds=backoff_seconds(delivery.tries))
        fields.update(status=DeliveryStatus.PENDING, next_try_at=retry_at)
    else:
        fields.update(status=DeliveryStatus.FAILED, next_try_at=None)
    # Only while still ours: if a recovery took it meanwhile, the newer try's outcome stands.
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERING, last_try_at=claimed_at)
    if not mine.update(**fields):
        logger.warning("webhook delivery %s was taken by another worker during its try", delivery.pk)
        delivery.refresh_from_db()
        return delivery
    for field, value in fields.items():
        setattr(delivery, field, value)
    if retry_at is not None:
        _enqueue(delivery.pk, run_after=retry_at)
    elif delivery.event != WEBHOOK_TEST:
        webhook_delivery_counted(webhook_id=delivery.webhook_id, delivered=ok)
    return delivery


def delivery_recover(*, stale_after: float | None = None, webhook: Webhook | None = None) -> RecoveryResult:
    """Take again deliveries a dead worker held (delivering for more than `stale_after` seconds,
    WEBHOOK_STALE_AFTER by default), and queue waiting ones that are overdue by as long (their task
    was lost). Each taken delivery's try is recorded as interrupted; past its tries it fails."""
    stale_after = settings.WEBHOOK_STALE_AFTER if stale_after is None else stale_after
    now = timezone.now()
    cutoff = now - timedelta(seconds=stale_after)
    scope = WebhookDelivery.objects.all() if webhook is None else WebhookDelivery.objects.filter(webhook=webhook)
    reclaimed = requeued = 0
    for delivery in scope.filter(status=DeliveryStatus.DELIVERING, last_try_at__lte=cutoff).select_related("webhook"):
        claimed_at = delivery.last_try_at
        out_of_tries = delivery.tries >= _max_tries(delivery)
        attempts = [*delivery.attempts, _attempt_entry(at=claimed_at, code=None, error=_(WORKER_DIED), ms=0)]
        fields = {
            "attempts": attempts[-MAX_ATTEMPTS_KEPT:],
            "error": _(WORKER_DIED),
            "status": DeliveryStatus.FAILED if out_of_tries else DeliveryStatus.PENDING,
            "next_try_at": None if out_of_tries else now,
        }
        taken = scope.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERING, last_try_at=claimed_at).update(**fields)
        if not taken:
            continue
        reclaimed += 1
        if out_of_tries:
            if delivery.event != WEBHOOK_TEST:
                webhook_delivery_counted(webhook_id=delivery.webhook_id, delivered=False)
        else:
            _enqueue(delivery.pk)
    overdue = Q(next_try_at__lte=cutoff) | Q(next_try_at__isnull=True, created_at__lte=cutoff)
    # An inactive webhook's waiting deliveries wait for "Activate" (which queues them), not for this.
    waiting = scope.filter(overdue, Q(webhook__is_active=True) | Q(event=WEBHOOK_TEST), status=DeliveryStatus.PENDING)
    for delivery_id in waiting.values_list("pk", flat=True):
        # A second task for a delivery whose first is still queued does nothing: the claim is conditional.
        _enqueue(delivery_id)
        requeued += 1
    if reclaimed or requeued:
        logger.info("webhook recovery: %s taken again from dead workers, %s queued again", reclaimed, requeued)
    return RecoveryResult(reclaimed=reclaimed, requeued=requeued)


def delivery_requeue_waiting(*, webhook: Webhook) -> int:
    """Queue every waiting delivery of a webhook (when it is activated again: what waited is sent)."""
    ids = list(webhook.deliveries.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(next_try_at=None)
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)
