"""Deliveries end to end against a real HTTP receiver: signed, retried with backoff under the same
key, given up and counted, the webhook disabled at its limit; made exactly once per run and watch."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotlines.models import AuditAction, AuditEntry, DeliveryStatus, WebhookDelivery
from hotlines.services.webhooks.deliveries import (
    backoff_seconds,
    delivery_attempt,
    delivery_dispatch,
    delivery_recover,
    delivery_test,
)
from hotlines.services.webhooks.signing import webhook_signature_verify
from hotlines.services.webhooks.writes import webhook_secret_rotate
from hotlines.tasks.webhooks import dispatch_webhooks
from tests.factories import NotificationFactory, SyncRunFactory, WatchFactory, WebhookFactory

from .conftest import SECRET

pytestmark = pytest.mark.django_db


def queued_for(delivery_id: int) -> list[DBTaskResult]:
    tasks = DBTaskResult.objects.filter(task_path="hotlines.tasks.webhooks.deliver_webhook").order_by("enqueued_at")
    return [t for t in tasks if t.args_kwargs["kwargs"] == {"delivery_id": delivery_id}]


def attempt_when_due(delivery_id: int) -> WebhookDelivery:
    """What the worker does once the task's run_after has come."""
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.next_try_at:
        time.sleep(max(0, (delivery.next_try_at - timezone.now()).total_seconds()) + 0.005)
    done = delivery_attempt(delivery_id=delivery_id)
    assert done is not None
    return done


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_delivery_reaches_the_receiver_signed(hook, receiver, news):
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    assert len(queued_for(delivery_id)) == 1
    delivery = delivery_attempt(delivery_id=delivery_id)
    assert (delivery.status, delivery.tries, delivery.response_code, delivery.error) == ("delivered", 1, 200, "")
    (got,) = receiver.requests
    assert got.signature_ok
    assert got.headers["Idempotency-Key"] == str(delivery.idempotency_key)
    assert got.headers["X-Etelecom-Event"] == "watch.changed"
    assert got.headers["Content-Type"].startswith("application/json")
    body = json.loads(got.body)
    assert body["id"] == str(delivery.idempotency_key) and body["watch"]["id"] == str(news.watch_id)
    assert body["events"][0]["hotline"]["number"] == "19006868"
    assert got.body.decode() == delivery.body
    # Done: a second task for it (delivered twice by a queue) posts nothing.
    assert delivery_attempt(delivery_id=delivery_id) is None and len(receiver.requests) == 1


def test_a_receiver_that_fails_twice_then_succeeds_gets_three_tries_with_one_key(hook, receiver, news, settings):
    settings.WEBHOOK_BACKOFF = 0.5  # long enough for "not yet due" to hold on a loaded machine
    receiver.answers = [500, 503]
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    first = delivery_attempt(delivery_id=delivery_id)
    assert (first.status, first.tries, first.response_code) == ("pending", 1, 500)
    # Not yet due: a task that runs early does nothing; the retry is queued to run after the backoff.
    assert delivery_attempt(delivery_id=delivery_id) is None
    retry = queued_for(delivery_id)[-1]
    assert abs((retry.run_after - first.next_try_at).total_seconds()) < 0.001
    attempt_when_due(delivery_id)
    done = attempt_when_due(delivery_id)
    assert (done.status, done.tries, done.response_code) == ("delivered", 3, 200)
    assert [a["code"] for a in done.attempts] == [500, 503, 200]
    keys = {r.headers["Idempotency-Key"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and keys == {str(done.idempotency_key)}
    assert {r.body for r in receiver.requests} == {done.body.encode()}
    assert all(r.signature_ok for r in receiver.requests)
    assert receiver.processed == {str(done.idempotency_key): 1}
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_BACKOFF, settings.WEBHOOK_BACKOFF_MAX = 30, 100
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_receiver_that_is_down_is_retried_then_failed_and_the_webhook_disabled_at_its_limit(
    hook, news, connection, client, superuser
):
    hook.url = f"http://127.0.0.1:{closed_port()}/hook"
    hook.save()
    second_run = SyncRunFactory(connection=connection)
    NotificationFactory(sync_run=second_run, watch=news.watch, user=news.user)
    for run_id in (news.sync_run_id, second_run.pk):
        (delivery_id,) = delivery_dispatch(sync_run_id=run_id)
        for _ in range(3):
            last = attempt_when_due(delivery_id)
        assert (last.status, last.tries, last.response_code) == ("failed", 3, None)
        assert "Could not connect" in last.error and len(last.attempts) == 3
    hook.refresh_from_db()
    assert (hook.is_active, hook.consecutive_failures) == (False, 2)
    assert "2 deliveries in a row failed" in hook.disabled_reason
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_DEACTIVATED, actor_username="system").count() == 1
    # Visible: the list says why, the log shows both failed deliveries with the error.
    client.force_login(superuser)
    page = client.get("/webhooks/").content.decode()
    assert "2 deliveries in a row failed" in page and "Inactive" in page
    log = client.get(f"/webhooks/{hook.pk}/deliveries/").content.decode()
    assert log.count("badge-run-failed") == 2 and "Could not connect" in log


def test_dispatch_makes_one_delivery_per_active_webhook_and_watch_exactly_once(hook, news, receiver, connection):
    other_watch = WatchFactory()
    NotificationFactory(sync_run=news.sync_run, watch=other_watch, user=other_watch.user)
    second = WebhookFactory(url=receiver.url)
    second.watches.add(news.watch, other_watch)
    WebhookFactory(url=receiver.url, is_active=False).watches.add(news.watch)
    WebhookFactory(url=receiver.url).watches.add(WatchFactory())  # its watch had no news in this run
    made = delivery_dispatch(sync_run_id=news.sync_run_id)
    assert len(made) == 3
    assert delivery_dispatch(sync_run_id=news.sync_run_id) == []  # retried: nothing new
    pairs = set(WebhookDelivery.objects.values_list("webhook_id", "watch_id"))
    assert pairs == {(hook.pk, news.watch_id), (second.pk, news.watch_id), (second.pk, other_watch.pk)}
    keys = set(WebhookDelivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 3
    for delivery in WebhookDelivery.objects.all():
        assert json.loads(delivery.body)["id"] == str(delivery.idempotency_key)


def test_a_failed_sync_dispatches_nothing(hook, connection):
    run = SyncRunFactory(connection=connection, status="failed", error="boom")
    assert delivery_dispatch(sync_run_id=run.pk) == []


def test_a_stale_claim_is_taken_again_and_one_out_of_tries_fails(hook, news, settings):
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    long_ago = timezone.now() - timedelta(seconds=settings.WEBHOOK_STALE_AFTER + 5)
    held = WebhookDelivery.objects.filter(pk=delivery_id)
    held.update(status=DeliveryStatus.DELIVERING, tries=1, last_try_at=long_ago)
    fresh = WebhookFactory(url=hook.url)
    fresh.watches.add(news.watch)
    busy = WebhookDelivery.objects.create(
        webhook=fresh, event="watch.changed", body="{}", status=DeliveryStatus.DELIVERING, tries=1,
        last_try_at=timezone.now(),
    )  # fmt: skip
    spent = WebhookDelivery.objects.create(
        webhook=fresh, event="watch.changed", body="{}", status=DeliveryStatus.DELIVERING, tries=3, last_try_at=long_ago
    )
    result = delivery_recover()
    assert result.reclaimed == 2
    taken = WebhookDelivery.objects.get(pk=delivery_id)
    assert (taken.status, taken.tries) == ("pending", 1) and "worker stopped" in taken.error
    assert len(queued_for(delivery_id)) == 2  # the dispatch's, and the recovery's
    busy.refresh_from_db()
    spent.refresh_from_db()
    assert busy.status == "delivering"  # a live worker's try is left alone
    assert spent.status == "failed"
    done = delivery_attempt(delivery_id=delivery_id)
    assert (done.status, done.tries) == ("delivered", 2)


def test_a_slow_receiver_times_out(hook, news, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    receiver.hold = threading.Event()
    receiver.hold.set()
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    delivery = delivery_attempt(delivery_id=delivery_id)
    assert delivery.status == "pending" and delivery.error == "Timed out after 0.3 s"


def test_redirects_are_not_followed(hook, news, receiver):
    receiver.answers = [302]
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    delivery = delivery_attempt(delivery_id=delivery_id)
    assert delivery.status == "pending" and delivery.response_code == 302
    assert "redirects are not followed" in delivery.error and len(receiver.requests) == 1


def test_send_test_is_signed_tried_once_and_counts_no_failure(hook, receiver, superuser):
    receiver.answers = [500]
    delivery = delivery_test(webhook=hook, actor=superuser)
    done = delivery_attempt(delivery_id=delivery.pk)
    assert (done.status, done.tries, done.event) == ("failed", 1, "webhook.test")
    assert receiver.requests[0].signature_ok and json.loads(receiver.requests[0].body)["sent_by"] == "root"
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_the_secret_rotated_after_a_failure_signs_the_retry(hook, news, receiver):
    receiver.answers = [500]
    (delivery_id,) = delivery_dispatch(sync_run_id=news.sync_run_id)
    delivery_attempt(delivery_id=delivery_id)
    receiver.secret = webhook_secret_rotate(webhook=hook)
    assert receiver.secret != SECRET
    assert attempt_when_due(delivery_id).status == "delivered"
    first, retry = receiver.requests
    assert first.signature_ok and retry.signature_ok  # each checked with the secret of its time
    stamp, signature = retry.headers["X-Etelecom-Timestamp"], retry.headers["X-Etelecom-Signature"]
    old = {"secret": SECRET, "timestamp": stamp, "signature": signature, "body": retry.body, "now": time.time()}
    assert not webhook_signature_verify(**old)


@pytest.mark.django_db(transaction=True)
def test_the_worker_dispatches_retries_after_the_backoff_and_delivers(hook, news, receiver):
    """The tasks on the real django-tasks-db backend: the engine's hand-off, then a retry queued
    with `run_after` that the worker only takes once due."""
    receiver.answers = [503]
    dispatch_webhooks.enqueue(sync_run_id=news.sync_run_id)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        deadline = time.monotonic() + 30
        while not WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists():
            assert time.monotonic() < deadline, list(WebhookDelivery.objects.values("status", "tries", "error"))
            call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
            time.sleep(0.02)
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.tries, [a["code"] for a in delivery.attempts]) == (2, [503, 200])
    assert len({r.headers["Idempotency-Key"] for r in receiver.requests}) == 1 and len(receiver.requests) == 2
