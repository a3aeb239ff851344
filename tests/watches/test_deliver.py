"""The engine's hand-off queues each channel's task once per run, and nothing for a quiet run."""

from __future__ import annotations

import pytest
from django.apps import apps

from hotlines.services.watch_events import notifications_deliver
from tests.factories import NotificationFactory, SyncRunFactory, WebhookFactory

pytestmark = pytest.mark.django_db


def _queued() -> list[tuple[str, dict]]:
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects.all()
    return sorted((r.task_path, r.args_kwargs["kwargs"]) for r in results)


def test_a_run_with_notifications_queues_the_digests_and_the_webhooks():
    notification = NotificationFactory()
    WebhookFactory()
    run_id = notification.sync_run_id
    assert notifications_deliver(sync_run_id=run_id) == 1
    assert _queued() == [
        ("hotlines.tasks.notifications.send_email_digests", {"sync_run_id": run_id}),
        ("hotlines.tasks.webhooks.dispatch_webhooks", {"sync_run_id": run_id}),
    ]


def test_without_an_active_webhook_only_the_digests_are_queued():
    notification = NotificationFactory()
    WebhookFactory(is_active=False)
    assert notifications_deliver(sync_run_id=notification.sync_run_id) == 1
    assert [path for path, _ in _queued()] == ["hotlines.tasks.notifications.send_email_digests"]


def test_a_run_without_notifications_queues_nothing():
    WebhookFactory()
    assert notifications_deliver(sync_run_id=SyncRunFactory().pk) == 0
    assert _queued() == []
